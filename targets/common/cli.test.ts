import { describe, expect, it } from 'vitest';
import { parsePort, parseTargetCli, UsageError } from './cli.ts';

const spec = { name: 'sse', defaultPort: 8081, details: 'SSE details' };

describe('parseTargetCli', () => {
  it('defaults to the target port on loopback', () => {
    expect(parseTargetCli(spec, [])).toEqual({ kind: 'run', port: 8081, host: '127.0.0.1' });
  });

  it('reads --port and --host', () => {
    expect(parseTargetCli(spec, ['--port', '0', '--host', '::1'])).toEqual({ kind: 'run', port: 0, host: '::1' });
    expect(parseTargetCli(spec, ['--port=9000'])).toMatchObject({ port: 9000 });
  });

  it('prints help with the details', () => {
    const r = parseTargetCli(spec, ['--help']);
    expect(r.kind).toBe('help');
    expect(r.kind === 'help' && r.text).toContain('--port N');
    expect(r.kind === 'help' && r.text).toContain('SSE details');
  });

  it.each([['--port', 'abc'], ['--port', '70000'], ['--port', '-1'], ['--bogus'], ['--host', ' '], ['extra']])(
    'rejects %s %s with a UsageError',
    (...argv) => {
      expect(() => parseTargetCli(spec, argv)).toThrow(UsageError);
    },
  );

  it('names the bad port', () => {
    expect(() => parsePort('12a')).toThrow('--port "12a" is invalid: expected an integer from 0 to 65535');
  });
});
