import { Agent, request } from 'node:http';
const url = process.argv[2]; const path = process.argv[3] ?? '/rpc'; const n = Number(process.argv[4] ?? 5000);
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const stats = async () => (await (await fetch(url + '/stats')).json()) as any;
const one = (id: number) => new Promise<void>((resolve, reject) => {
  const body = `{"jsonrpc":"2.0","method":"echo","params":{"message":"hello"},"id":${id}}`;
  const req = request(url + path, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject); req.end(body);
});
for (let i = 0; i < 2000; i++) await one(i); // warm-up
const b = await stats(); const t0 = performance.now();
let next = 0; await Promise.all(Array.from({ length: 8 }, async () => { while (next < n) await one(next++); }));
const a = await stats(); const ms = performance.now() - t0;
const cpu = (a.cpuUs.user + a.cpuUs.system - b.cpuUs.user - b.cpuUs.system);
console.log(path, 'req/s', (n / ms * 1000).toFixed(0), 'server cpu us/req', (cpu / n).toFixed(1));
