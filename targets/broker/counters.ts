/** Counters of the WebSocket layer (the backend keeps its own): frames, refusals, slow clients. */
import type { ErrorCode } from './wire.ts';

export interface ServerCounters {
  /** Client frames received (any op, bad ones included). */
  framesIn: number;
  /** Frames sent (deliveries, confirms, replies, errors). */
  framesOut: number;
  /** Error frames sent, by code. */
  errors: Record<ErrorCode, number>;
  /** Connections cut because their unsent bytes passed 8x TIDEMARK_BROKER_MAX_BUFFERED_BYTES. */
  slowDisconnects: number;
  /** WebSocket upgrades refused: wrong path, or too many connections / shutting down. */
  upgradesRefused: { notFound: number; overload: number };
}

export function newServerCounters(): ServerCounters {
  return {
    framesIn: 0,
    framesOut: 0,
    errors: {
      bad_frame: 0,
      too_large: 0,
      backlog_full: 0,
      injected: 0,
      limit: 0,
      conflict: 0,
      not_subscribed: 0,
      shutting_down: 0,
      unsupported: 0,
      unavailable: 0,
    },
    slowDisconnects: 0,
    upgradesRefused: { notFound: 0, overload: 0 },
  };
}
