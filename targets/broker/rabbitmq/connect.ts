/**
 * Reaching RabbitMQ: the connection, the publishing (confirm) channel and the exchange, within a time bound,
 * and the sentences that name the server and the command that starts it when that fails.
 */
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { redactUrl, startCommand } from '../backend-servers.ts';
import { EXCHANGE } from './queues.ts';

/** Connecting and declaring the exchange may take this long, ms. */
export const CONNECT_TIMEOUT_MS = 5000;
/** Closing the connection at shutdown may take this long before it is abandoned, ms. */
export const CLOSE_TIMEOUT_MS = 2000;

export const START_HINT = `start it with \`${startCommand('rabbitmq')}\``;


/** An error as a short reason; a refused connect to "localhost" is an AggregateError with an empty message. */
export function reason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return err.message || (typeof code === 'string' ? code : err.name);
}

/** The AMQP reply code of a channel or connection error (404 not found, 406 precondition failed, ...). */
export function amqpCode(err: unknown): number | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : undefined;
}

/**
 * `work`, or a rejection after `ms`. What `work` yields after the deadline goes to `onLate` (to close it).
 */
export function within<T>(work: Promise<T>, ms: number, what: string, onLate: (value: T) => void = () => {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error(`${what} took longer than ${ms} ms`));
    }, ms);
    work.then(
      (v) => {
        clearTimeout(timer);
        if (late) onLate(v);
        else resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (!late) reject(err);
      },
    );
  });
}

export interface RabbitSession {
  model: ChannelModel;
  publisher: ConfirmChannel;
}

/**
 * Connects, opens the confirm channel and declares the exchange.
 * @throws Error naming the (redacted) URL, the reason and the command that starts the server
 */
export async function openRabbitSession(url: string, timeoutMs = CONNECT_TIMEOUT_MS): Promise<RabbitSession> {
  const setup = async (): Promise<RabbitSession> => {
    const model = await connect(url, { timeout: timeoutMs, noDelay: true });
    // Without a listener an 'error' event would throw; the backend attaches its own once open.
    model.on('error', () => {});
    try {
      const publisher = await model.createConfirmChannel();
      publisher.on('error', () => {});
      await publisher.assertExchange(EXCHANGE, 'direct', { durable: true });
      return { model, publisher };
    } catch (err) {
      await model.close().catch(() => {});
      throw err;
    }
  };
  try {
    return await within(setup(), timeoutMs, 'connecting', (s) => void s.model.close().catch(() => {}));
  } catch (err) {
    throw new Error(
      `cannot connect to RabbitMQ at ${redactUrl(url)} (${reason(err)}): ${START_HINT}, ` +
        'or point TIDEMARK_RABBITMQ_PORT / TIDEMARK_RABBITMQ_URL at a running server',
    );
  }
}
