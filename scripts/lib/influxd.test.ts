import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findInfluxd, influxdConfig, influxdPaths, influxStatus, pingInflux, startInflux, stopInflux } from './influxd.ts';
import { useTestInflux } from './influxd-testing.ts';

describe('influxdConfig', () => {
  it('binds loopback only, turns reporting off and puts everything in the data folder', () => {
    const conf = influxdConfig({ port: 18086, rpcPort: 18088, dataDir: '/d' });
    expect(conf).toContain('reporting-disabled = true');
    expect(conf).toContain('bind-address = "127.0.0.1:18088"');
    expect(conf).toMatch(/\[http\][^[]*bind-address = "127\.0\.0\.1:18086"/);
    expect(conf).toContain('dir = "/d/meta"');
    expect(conf).toContain('wal-dir = "/d/wal"');
    expect(conf).toMatch(/\[monitor\]\s+store-enabled = false/);
  });
});

describe('findInfluxd', () => {
  it('says how to install influxd when it is missing', () => {
    expect(() => findInfluxd('/nonexistent/influxd')).toThrow(/npm run setup.*apt-get install influxdb/);
  });
});

describe('real influxd lifecycle', () => {
  const influx = useTestInflux(18096);

  it('is running after start, with pid file, config and version', async () => {
    const s = await influxStatus(influx.opts);
    expect(s).toMatchObject({ running: true, managed: true, url: 'http://127.0.0.1:18096' });
    expect(s.version).toMatch(/^1\./);
    const paths = influxdPaths(influx.opts.dataDir ?? '');
    expect(Number(readFileSync(paths.pid, 'utf8'))).toBe(s.pid);
    expect(readFileSync(paths.config, 'utf8')).toContain('127.0.0.1:18096');
    expect(existsSync(paths.log)).toBe(true);
  });

  it('is idempotent: a second start reports the running server', async () => {
    const before = await influxStatus(influx.opts);
    const again = await startInflux(influx.opts);
    expect(again).toMatchObject({ alreadyRunning: true, pid: before.pid, running: true });
  });

  it('stops, then reports stopped; stopping again is a no-op; starts again', async () => {
    const stopped = await stopInflux(influx.opts);
    expect(stopped.stopped).toBe(true);
    expect(await pingInflux(influx.url, 300)).toBeNull();
    expect(await influxStatus(influx.opts)).toMatchObject({ running: false, pid: null });
    expect((await stopInflux(influx.opts)).stopped).toBe(false);
    expect((await startInflux(influx.opts)).alreadyRunning).toBe(false);
  });
});
