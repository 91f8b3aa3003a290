/**
 * Integer settings of a target read from `TIDEMARK_<TARGET>_*` environment variables: one table per target
 * names each variable and its bounds, so every target reports a bad value the same way.
 */

/** One integer setting: variable name, smallest and largest accepted value. */
export interface EnvOptionSpec {
  /** Environment variable, e.g. `TIDEMARK_PE_MAX_SYMBOLS`. */
  name: string;
  min: number;
  max: number;
}

/**
 * Reads every setting of `specs` from `env`; an unset or empty variable keeps its value in `defaults`.
 * @param env default `process.env`
 * @returns a copy of `defaults` with the variables that were set
 * @throws Error naming the variable, the accepted range and the default when a value is not an integer in range
 */
export function readIntOptions<K extends string>(
  defaults: Readonly<Record<K, number>>,
  specs: Record<K, EnvOptionSpec>,
  env: NodeJS.ProcessEnv = process.env,
): Record<K, number> {
  const values = { ...defaults } as Record<K, number>;
  for (const key of Object.keys(specs) as K[]) {
    const { name, min, max } = specs[key];
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`${name}=${JSON.stringify(raw)} is invalid: expected an integer from ${min} to ${max} (default ${defaults[key]}).`);
    }
    values[key] = value;
  }
  return values;
}
