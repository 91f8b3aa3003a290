/**
 * What a k6 binary is, from its `k6 version` text: the version, and which Go module provides `k6/x/sse`. The
 * harness runs the pinned build or the user's own k6 (`TIDEMARK_K6`), and says plainly what works with it.
 */

/** The module path of the in-repo extension (k6/go.mod's module + `/sse`). */
export const TIDEMARK_SSE_MODULE = 'github.com/tidemark/tidemark/k6/sse';

/** The major version every scenario is written for. */
export const SUPPORTED_K6_MAJOR = 1;

export interface K6Identity {
  /** e.g. `v1.8.1`; null when the text has no version. */
  version: string | null;
  /** The major version, e.g. 1; null when the text has no version. */
  major: number | null;
  /** The Go module providing `k6/x/sse`, e.g. {@link TIDEMARK_SSE_MODULE}; null when the binary has none. */
  sseModule: string | null;
}

/**
 * Reads `k6 version` output. k6 v1.x prints `k6 v1.8.1 (go1.26.8, linux/amd64)` and, for a binary with
 * extensions, an `Extensions:` list of `<module> <version>, <import path> [js]` lines.
 */
export function parseK6Version(text: string): K6Identity {
  const version = /\bk6 (v\d+\.\d+\.\d+[\w.+-]*)/.exec(text)?.[1] ?? null;
  const major = version === null ? null : Number(/^v(\d+)/.exec(version)?.[1]);
  const sseLine = text.split('\n').find((line) => /,\s*k6\/x\/sse\b/.test(line));
  const sseModule = sseLine === undefined ? null : (sseLine.trim().split(/[\s,]+/)[0] ?? null);
  return { version, major, sseModule };
}

/** Which scenarios a k6 can run, in one sentence. */
export function k6Capabilities(id: K6Identity): string {
  if (id.major !== SUPPORTED_K6_MAJOR) return `no scenario: they are written for k6 v${SUPPORTED_K6_MAJOR}.x, and this k6 is ${id.version ?? 'of an unknown version'}`;
  if (id.sseModule === TIDEMARK_SSE_MODULE) return "every scenario; SSE streams are measured in Go by Tidemark's k6/x/sse";
  if (id.sseModule !== null) {
    return (
      `every scenario; SSE and price-engine streams are measured in JavaScript with ${id.sseModule} (SSE_MEASURE=js), ` +
      'receive times from the JavaScript clock in whole milliseconds (scenarios/lib/sse-received-at.ts); Tidemark tests that fallback on ' +
      'its own build (SSE_CLOCK=js), not on this extension'
    );
  }
  return 'JSON-RPC and broker scenarios only: this k6 has no k6/x/sse, which SSE and price-engine scenarios need; build the pinned k6 with `npm run setup`';
}

/** Targets whose scenarios open SSE streams, so need a `k6/x/sse`. */
const SSE_TARGETS = new Set(['sse', 'price-engine']);

/**
 * Why the k6 at `bin` cannot run `target`'s scenarios, or null when it can: a k6 other than v1.x, or no
 * `k6/x/sse` where the scenarios need one. (An extension other than Tidemark's runs, and the run records which
 * one measured.)
 */
export function k6Refusal(id: K6Identity, target: string, bin: string): string | null {
  if (id.major !== SUPPORTED_K6_MAJOR) {
    return `k6 at ${bin} is ${id.version ?? 'of an unknown version'}; Tidemark's scenarios are written for k6 v${SUPPORTED_K6_MAJOR}.x: unset TIDEMARK_K6 to use the pinned build (\`npm run setup\`), or point it at a k6 v${SUPPORTED_K6_MAJOR}.x`;
  }
  if (SSE_TARGETS.has(target) && id.sseModule === null) {
    return `k6 at ${bin} (${id.version}) has no k6/x/sse extension, which ${target} scenarios need: unset TIDEMARK_K6 to use the pinned build (\`npm run setup\`), or use a k6 built with an SSE extension`;
  }
  return null;
}
