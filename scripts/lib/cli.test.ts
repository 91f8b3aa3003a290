/** The `-e, --env KEY=VALUE` parser every harness CLI shares (scenario, gate, k8s). */
import { describe, expect, it } from 'vitest';
import { isSecretEnvName, parseEnvPairs, UsageError } from './cli.ts';

describe('parseEnvPairs', () => {
  it('keeps KEY=VALUE as before: values may hold "=" or be empty, a later key wins, none gives {}', () => {
    expect(parseEnvPairs(undefined)).toEqual({});
    expect(parseEnvPairs([])).toEqual({});
    expect(parseEnvPairs(['SSE_CONNECTIONS=200', 'A=b=c', 'EMPTY=', 'SSE_CONNECTIONS=300'])).toEqual({ SSE_CONNECTIONS: '300', A: 'b=c', EMPTY: '' });
  });

  it.each(['NOEQUALS', '=value', ''])('refuses %j: expected KEY=VALUE', (pair) => {
    expect(() => parseEnvPairs([pair])).toThrow(UsageError);
    expect(() => parseEnvPairs([pair])).toThrow('expected KEY=VALUE');
  });

  it.each(['TIDEMARK_AUTH_TOKEN', 'tidemark_auth_token', 'K6_INFLUXDB_PASSWORD', 'TIDEMARK_INFLUX_PASSWORD', 'MY_SECRET', 'apiToken'])(
    'refuses the secret-looking %s, naming it, saying to export it, never echoing the value',
    (name) => {
      const value = 'sup3r-s3cret-value-0123456789';
      let err: unknown;
      try {
        parseEnvPairs(['SSE_CONNECTIONS=5', `${name}=${value}`]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      const message = (err as Error).message;
      expect(message).toContain(`--env ${name}=...`);
      expect(message).toContain('not taken on the command line');
      expect(message).toContain(`export ${name} in the environment`);
      expect(message).not.toContain(value);
    },
  );

  it('takes a per-CLI hint for where a secret comes from instead', () => {
    expect(() => parseEnvPairs(['TIDEMARK_AUTH_TOKEN=x'], (name) => `use the Secret for ${name}`)).toThrow(/ps and in shell history\); use the Secret for TIDEMARK_AUTH_TOKEN$/);
  });

  it('isSecretEnvName matches TOKEN, PASSWORD, SECRET in any case and position, nothing else', () => {
    for (const name of ['TIDEMARK_AUTH_TOKEN', 'TOKEN', 'password', 'DB_Secret_KEY']) expect(isSecretEnvName(name), name).toBe(true);
    for (const name of ['SSE_CONNECTIONS', 'TIDEMARK_FAULT_DELAY_MS', 'TARGET_URL', 'K6_INFLUXDB_USERNAME', 'PE_TRANSPORT']) expect(isSecretEnvName(name), name).toBe(false);
  });
});
