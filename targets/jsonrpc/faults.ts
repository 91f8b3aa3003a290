/**
 * How the blueprint's fault knobs apply to this target. An operation is one JSON-RPC
 * call answered (on /rpc and on /mcp):
 * - ERROR_RATE: that share of answered calls get a -32000 error instead of their result;
 * - CPU_US, CPU_LOOPS: burned once per answered call;
 * - DELAY_MS: every answer leaves that much later (a batch's answers together);
 * - MEM_KB: held per MCP session;
 * - DROP_RATE: that share of MCP progress notifications is never sent. They are the only
 *   messages this server sends that nothing else depends on; dropping a response instead
 *   would hang the caller until its timeout, which measures the client's timeout, not loss.
 * Notifications (calls without id) are run but never faulted: they are not answered.
 */
import type { Faults } from '../common/faults.ts';
import type { MethodTable, RpcMethod } from './dispatch.ts';
import { ErrorCode, RpcError } from './protocol.ts';

/** The message of an injected error: says it is injected, so nobody debugs the target for it. */
export function injectedMessage(errorRate: number): string {
  return `injected fault: TIDEMARK_FAULT_ERROR_RATE=${errorRate} answers this share of calls with an error (not a bug in the target)`;
}

/** The error an injected fault answers with. */
export function injectedError(errorRate: number): RpcError {
  return new RpcError(ErrorCode.InjectedFault, injectedMessage(errorRate));
}

/**
 * Wraps every method so calls burn CPU and fail at the configured rates (the injected errors are
 * counted from their code, like every other error). Returns `methods` itself when neither knob
 * is set, so the fast path pays nothing.
 */
export function withCallFaults(methods: MethodTable, faults: Faults): MethodTable {
  if (faults.config.errorRate <= 0 && faults.config.cpuUs <= 0 && faults.config.cpuLoops <= 0) return methods;
  const wrapped = new Map<string, RpcMethod>();
  for (const [name, method] of methods) {
    wrapped.set(name, (params, ctx) => {
      if (ctx.notification) return method(params, ctx);
      faults.burn();
      if (faults.shouldFail()) throw injectedError(faults.config.errorRate);
      return method(params, ctx);
    });
  }
  return wrapped;
}
