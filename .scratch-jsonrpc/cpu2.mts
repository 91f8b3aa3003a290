import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
const [url, path, nRaw, pid] = process.argv.slice(2);
const n = Number(nRaw);
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const cpuMs = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const one = (id: number) => new Promise<void>((resolve, reject) => {
  const body = `{"jsonrpc":"2.0","method":"echo","params":{"message":"hello"},"id":${id}}`;
  const req = request(url + path, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject); req.end(body);
});
for (let i = 0; i < 3000; i++) await one(i);
const b = cpuMs(); const t0 = performance.now();
let next = 0; await Promise.all(Array.from({ length: 8 }, async () => { while (next < n) await one(next++); }));
const ms = performance.now() - t0; const cpu = cpuMs() - b;
console.log(path, 'req/s', (n / ms * 1000).toFixed(0), 'server cpu us/req', (cpu * 1000 / n).toFixed(1));
