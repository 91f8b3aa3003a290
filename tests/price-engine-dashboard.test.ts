/**
 * The live dashboard in a real browser (Debian's Chromium through playwright-core): it loads, its figures
 * move while a k6 sustained run loads the engine, and its button runs the in-process test and shows a
 * verdict with the figures. A screenshot is left in /tmp for a person to look at.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { repoRoot } from '../scripts/lib/repo.ts';
import { runScenario } from '../scripts/lib/run-scenario.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = '/tmp/price-engine-dashboard.png';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'];

let target: ChildProcess | undefined;
let context: BrowserContext | undefined;
let profileDir = '';
let outDir = '';
let url = '';

/** Starts the real entry on a free port and resolves with its URL once it printed the ready line. */
function startTarget(): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'targets/price-engine/index.ts', '--port', '0'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    target = child;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no ready line within 20 s: ${out}`)), 20_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('exit', (code) => reject(new Error(`target exited (${code}): ${out}`)));
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
  outDir = await mkdtemp(join(tmpdir(), 'tidemark-pe-ui-'));
  profileDir = await mkdtemp(join(tmpdir(), 'tidemark-chromium-'));
  url = await startTarget();
  context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
});

afterAll(async () => {
  await context?.close();
  if (target && target.exitCode === null) {
    target.kill('SIGTERM');
    await new Promise((r) => target!.once('exit', r));
  }
  await rm(profileDir, { recursive: true, force: true });
  await rm(outDir, { recursive: true, force: true });
});

const text = (page: Page, id: string): Promise<string> => page.getByTestId(id).innerText();
const number = (s: string): number => Number(s.replace(/[^\d.]/g, ''));

describe('price-engine dashboard', () => {
  it('loads, shows live figures that move under a k6 sustained run, and runs the performance test', async () => {
    const page = await context!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(`${url}/`);
    await expect.poll(() => text(page, 'status'), { timeout: 5000 }).toBe('live');
    expect(await text(page, 'ticks')).toBe('0');
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0); // uPlot drew its chart

    // Load from k6 while the page is open.
    const run = runScenario({ scenario: 'price-engine/sustained', runId: 'ui-pe', outDir, url, duration: '6s', k6Vars: { PE_RATE: '3000' }, log: () => {} });
    await expect.poll(async () => number(await text(page, 'ticks')), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(async () => number(await text(page, 'throughput')), { timeout: 10_000 }).toBeGreaterThan(1000);
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) {
      seen.add(`${await text(page, 'ticks')}|${await text(page, 'p95')}`);
      await page.waitForTimeout(1100);
    }
    expect(seen.size).toBeGreaterThan(2); // the figures change from second to second
    expect(await text(page, 'p95')).toMatch(/^\d+(\.\d+)? ms$/);
    expect(await text(page, 'subscribers')).toBe('5');
    const result = await run;
    expect(result.invalidReasons).toEqual([]);

    await page.getByTestId('run-test').click();
    await expect.poll(() => page.getByTestId('verdict').count(), { timeout: 15_000 }).toBe(1);
    const verdict = await text(page, 'verdict');
    expect(['PASS', 'FAIL']).toContain(verdict);
    const detail = await text(page, 'test-result');
    expect(detail).toMatch(/p95 \d+\.\d+ ms [<≥] 1 ms/);
    expect(detail).toContain('10,000 of 10,000 accepted');
    expect(detail).toMatch(/p50 \d+\.\d+ ms · p95 \d+\.\d+ ms · p99 \d+\.\d+ ms/);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
