/** The `k6 run` argv every harness run uses: variables, tags, output flags and the script. */

/**
 * k6's default system tags without `scenario`: k6 would stamp its own scenario name (`sustained`) on every
 * per-VU sample, overwriting the harness's `scenario=<target>/<profile>` tag in InfluxDB.
 */
export const SYSTEM_TAGS = [
  'proto', 'subproto', 'status', 'method', 'url', 'name', 'group', 'check',
  'error', 'error_code', 'tls_version', 'service', 'expected_response',
].join(',');

export interface K6RunArgs {
  /** `-e` variables for the script. */
  vars: Record<string, string>;
  /** `--tag` values on every sample. */
  tags: Record<string, string>;
  /** More flags (outputs, execution segments), placed before the script (default none). */
  extra?: string[];
  script: string;
}

export function k6RunArgs(opts: K6RunArgs): string[] {
  return [
    'run',
    '--no-color',
    '--system-tags',
    SYSTEM_TAGS,
    ...Object.entries(opts.vars).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    ...Object.entries(opts.tags).flatMap(([k, v]) => ['--tag', `${k}=${v}`]),
    ...(opts.extra ?? []),
    opts.script,
  ];
}
