/**
 * A Transport between the MCP SDK's server and its Streamable HTTP transport that counts
 * answers and applies the fault knobs to them (see faults.ts): one place for every MCP
 * method, without touching the SDK.
 */
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage, MessageExtraInfo, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { preciseDelay } from '../common/delay.ts';
import type { Faults } from '../common/faults.ts';
import type { McpCounters } from './counters.ts';
import { injectedMessage } from './faults.ts';
import { ErrorCode } from './protocol.ts';

/** Cheap shape checks: the SDK's own guards run a zod parse per message. */
const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } => 'id' in m && ('result' in m || 'error' in m);
const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } => 'id' in m && 'method' in m;
const isProgress = (m: JSONRPCMessage): boolean => !('id' in m) && 'method' in m && m.method === 'notifications/progress';

/** Wraps `inner`; the MCP server connects to this object instead. */
export class FaultyTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;
  /** Method of each request in flight, so `initialize` is never faulted (a failed handshake would only leak a session). */
  private readonly inFlight = new Map<RequestId, string>();

  /**
   * @param inner the SDK transport that talks HTTP
   * @param faults the knobs
   * @param counters where answers, drops and injected errors are counted
   * @param onClosed called once the inner transport closed (DELETE, idle expiry, shutdown)
   */
  constructor(
    readonly inner: Transport,
    private readonly faults: Faults,
    private readonly counters: McpCounters,
    private readonly onClosed: () => void,
  ) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async start(): Promise<void> {
    this.inner.onmessage = (message, extra) => {
      if (isRequest(message)) this.inFlight.set(message.id, message.method);
      this.onmessage?.(message, extra);
    };
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onclose = () => {
      this.inFlight.clear();
      this.onclose?.();
      this.onClosed();
    };
    await this.inner.start();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (isProgress(message)) {
      if (this.faults.shouldDrop()) {
        this.counters.progressDropped++;
        return;
      }
      this.counters.progressSent++;
      return this.inner.send(message, options);
    }
    if (!isResponse(message)) return this.inner.send(message, options);
    const method = this.inFlight.get(message.id);
    this.inFlight.delete(message.id);
    this.counters.answered++;
    let out: JSONRPCMessage = message;
    if (method !== 'initialize') {
      this.faults.burn();
      if (this.faults.shouldFail()) {
        this.counters.errorsInjected++;
        out = { jsonrpc: '2.0', id: message.id, error: { code: ErrorCode.InjectedFault, message: injectedMessage(this.faults.config.errorRate) } };
      }
    }
    if (this.faults.config.delayMs > 0) await preciseDelay(this.faults.config.delayMs);
    return this.inner.send(out, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
