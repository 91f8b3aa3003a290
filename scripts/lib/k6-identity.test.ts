import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from './repo.ts';
import { k6Capabilities, k6Refusal, parseK6Version, TIDEMARK_SSE_MODULE } from './k6-identity.ts';

const PINNED = 'k6 v1.8.1 (go1.26.8, linux/amd64)\nExtensions:\n  github.com/tidemark/tidemark/k6/sse , k6/x/sse [js]\n';
const WITH_XK6_SSE = 'k6 v1.2.0 (go1.24.1, linux/amd64)\nExtensions:\n  github.com/phymbert/xk6-sse v0.1.9, k6/x/sse [js]\n';
const STOCK = 'k6 v1.3.0 (commit/5870e99ae8, go1.24.6, linux/amd64)\n';
const OLD = 'k6 v0.54.0 (go1.23.1, linux/amd64)\n';

describe('k6 identity', () => {
  it("knows the in-repo extension's module path from k6/go.mod", () => {
    const module = /^module (\S+)$/m.exec(readFileSync(repoPath('k6', 'go.mod'), 'utf8'))?.[1];
    expect(`${module}/sse`).toBe(TIDEMARK_SSE_MODULE);
  });

  it('reads the version and the module behind k6/x/sse from `k6 version`', () => {
    expect(parseK6Version(PINNED)).toEqual({ version: 'v1.8.1', major: 1, sseModule: TIDEMARK_SSE_MODULE });
    expect(parseK6Version(WITH_XK6_SSE)).toEqual({ version: 'v1.2.0', major: 1, sseModule: 'github.com/phymbert/xk6-sse' });
    expect(parseK6Version(STOCK)).toEqual({ version: 'v1.3.0', major: 1, sseModule: null });
    expect(parseK6Version('not k6 at all')).toEqual({ version: null, major: null, sseModule: null });
  });

  it('refuses a k6 other than v1.x for every scenario, naming the version and what to do', () => {
    expect(k6Refusal(parseK6Version(OLD), 'jsonrpc', '/opt/k6')).toMatch(/^k6 at \/opt\/k6 is v0\.54\.0; .*k6 v1\.x: unset TIDEMARK_K6/);
    expect(k6Refusal(parseK6Version('k6 v2.0.0 (go1.27)'), 'broker', '/opt/k6')).toMatch(/is v2\.0\.0/);
    expect(k6Refusal(parseK6Version('garbage'), 'broker', '/opt/k6')).toMatch(/of an unknown version/);
  });

  it('refuses SSE and price-engine scenarios on a k6 without k6/x/sse, and lets the others run', () => {
    const stock = parseK6Version(STOCK);
    expect(k6Refusal(stock, 'sse', '/opt/k6')).toMatch(/has no k6\/x\/sse extension, which sse scenarios need/);
    expect(k6Refusal(stock, 'price-engine', '/opt/k6')).toMatch(/which price-engine scenarios need/);
    expect(k6Refusal(stock, 'jsonrpc', '/opt/k6')).toBeNull();
    expect(k6Refusal(stock, 'broker', '/opt/k6')).toBeNull();
    expect(k6Refusal(parseK6Version(WITH_XK6_SSE), 'sse', '/opt/k6')).toBeNull();
    expect(k6Refusal(parseK6Version(PINNED), 'sse', '/opt/k6')).toBeNull();
  });

  it('says what works with each kind of k6', () => {
    expect(k6Capabilities(parseK6Version(PINNED))).toMatch(/^every scenario/);
    expect(k6Capabilities(parseK6Version(WITH_XK6_SSE))).toMatch(/^every scenario; SSE and price-engine streams are measured in JavaScript with github\.com\/phymbert\/xk6-sse .*JavaScript clock/);
    expect(k6Capabilities(parseK6Version(STOCK))).toMatch(/^JSON-RPC and broker scenarios only/);
    expect(k6Capabilities(parseK6Version(OLD))).toBe('no scenario: they are written for k6 v1.x, and this k6 is v0.54.0');
  });
});
