import { createMcpServer } from '/work/main/targets/jsonrpc/mcp-server.ts';
import { ToolBox } from '/work/main/targets/jsonrpc/tools.ts';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
const box = new ToolBox({ maxSleepMs: 1000, maxIterations: 1000, cacheEntries: 10 });
const gc = (globalThis as any).gc as () => void;
const used = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
const N = 1000;
const keep: unknown[] = [];
const mode = process.argv[2];
{ const s = createMcpServer(box); const t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => 'x' }); await s.connect(t); keep.push(s); }
let b = used();
for (let i = 0; i < N; i++) {
  const s = createMcpServer(box);
  if (mode === 'connect') { const t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => 'x' }); await s.connect(t); }
  keep.push(s);
}
console.log(mode, 'KB per session', ((used() - b) / 1024 / N).toFixed(1));
