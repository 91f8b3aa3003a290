/** The weighted mix of operations a JSON-RPC scenario draws from: `echo=25,compute=10,...`. */

/** What an operation is. `mcp` is tools/call over an MCP session; `mcp-progress` a sleep with progress over MCP. */
export const OPERATIONS = ['echo', 'compute', 'sleep', 'tools/list', 'tools/call', 'mcp', 'mcp-progress'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface MixEntry {
  op: Operation;
  /** The JSON-RPC method the operation calls (the `method` tag of its latency). */
  method: string;
  /** Upper bound of this entry's share in [0, 1): pick the first entry whose bound exceeds a uniform draw. */
  upTo: number;
}

export interface Mix {
  entries: MixEntry[];
  /** The mix as given, for messages. */
  text: string;
}

const METHOD: Record<Operation, string> = {
  echo: 'echo',
  compute: 'compute',
  sleep: 'sleep',
  'tools/list': 'tools/list',
  'tools/call': 'tools/call',
  mcp: 'tools/call',
  'mcp-progress': 'tools/call',
};

/** Parses `op=weight,...`; an unknown operation or a bad weight throws naming it and the choices. */
export function parseMix(text: string): Mix {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  const weighted: [Operation, number][] = [];
  for (const part of parts) {
    const [name = '', raw = '1'] = part.split('=');
    if (!(OPERATIONS as readonly string[]).includes(name)) {
      throw new Error(`JSONRPC_MIX: unknown operation "${name}"; choose from ${OPERATIONS.join(', ')} (e.g. echo=3,tools/call=1)`);
    }
    const weight = Number(raw);
    if (!Number.isFinite(weight) || weight < 0) throw new Error(`JSONRPC_MIX: weight of ${name} must be a number >= 0, got "${raw}"`);
    if (weight > 0) weighted.push([name as Operation, weight]);
  }
  const total = weighted.reduce((sum, [, w]) => sum + w, 0);
  if (total <= 0) throw new Error(`JSONRPC_MIX="${text}" has no operation with a weight above 0`);
  let acc = 0;
  const entries = weighted.map(([op, w]) => {
    acc += w / total;
    return { op, method: METHOD[op], upTo: acc };
  });
  entries[entries.length - 1]!.upTo = 1.0000001; // rounding never leaves a gap at the top
  return { entries, text };
}

/** The operation for a uniform draw in [0, 1) (default `Math.random()`). */
export function pick(mix: Mix, draw: number = Math.random()): MixEntry {
  for (const entry of mix.entries) if (draw < entry.upTo) return entry;
  return mix.entries[mix.entries.length - 1]!;
}
