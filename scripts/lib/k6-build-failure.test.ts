import { describe, expect, it } from 'vitest';
import { k6BuildFailure } from './k6-build.ts';

const tail = (lines: string[]): string => `k6 build failed (\`go build -trimpath -o .tools/bin/k6 .\` in k6/ exited 1). Last output:\n${lines.map((l) => `  ${l}`).join('\n')}\nFix the error above`;

describe('k6BuildFailure', () => {
  it('names a module proxy refusal with its first line, and how to go on with TIDEMARK_K6', () => {
    const text = k6BuildFailure(tail(['go: downloading go.k6.io/k6 v1.8.1', 'main.go:8:2: go.k6.io/k6@v1.8.1: reading https://proxy.example/go.k6.io/k6/@v/v1.8.1.zip: 403 Forbidden', 'main.go:9:2: same']), '/r/.tools/k6-build.log');
    expect(text).toContain('the Go module proxy did not serve the pinned modules (main.go:8:2: go.k6.io/k6@v1.8.1: reading https://proxy.example/go.k6.io/k6/@v/v1.8.1.zip: 403 Forbidden)');
    expect(text).toContain('install k6 v1.x');
    expect(text).toContain('TIDEMARK_K6=/path/to/k6');
    expect(text).toContain("Go's whole output: /r/.tools/k6-build.log");
    expect(text.split('\n')).toHaveLength(1);
  });

  it('names a compile error by its first line, not a download line', () => {
    const text = k6BuildFailure(tail(['go: downloading github.com/tmaxmax/go-sse v0.11.0', 'sse/open.go:12:5: undefined: openStream']), '/log');
    expect(text).toContain('`go build` failed (sse/open.go:12:5: undefined: openStream)');
  });

  it('says when Go is missing', () => {
    const text = k6BuildFailure('Go 1.25+ is needed to build the pinned k6 (.tools/bin/k6) but `go` was not found. Install Go 1.25 or newer', '/log');
    expect(text).toContain('failed: Go 1.25+ is not installed.');
  });
});
