/**
 * The files of a scenario as a flat ConfigMap. k6-operator mounts a ConfigMap at /test with one file per
 * key, and keys cannot hold `/`, so each file's path under scenarios/ is kept in its key with `__` for `/`
 * (`scenarios/lib/env.ts` → `lib__env.ts`), and relative imports are rewritten to those flat names
 * (`'../lib/env.ts'` → `'./lib__env.ts'`). Imports keep their `.ts` extension: k6 runs the TypeScript as is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { repoPath } from './repo.ts';
import { scenarioFile } from './scenario-name.ts';

/** Separator that stands for `/` in a ConfigMap key. */
export const KEY_SEPARATOR = '__';

/** Relative specifiers in static imports, re-exports and dynamic imports: `from './x.ts'`, `import('./x.ts')`. */
const IMPORT = /(\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.\.?\/[^'"]+)\2/g;

/** ConfigMap keys: what Kubernetes accepts (`[-._a-zA-Z0-9]+`, at most 253 characters). */
export const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/**
 * The ConfigMap key of a file under `root`: its relative path with `/` written as `__`.
 * @throws Error when the file is outside root or its name already holds `__` or a character keys cannot hold
 */
export function flatKey(file: string, root: string): string {
  const rel = relative(root, file).split(sep).join('/');
  if (rel.startsWith('../') || rel === '..') throw new Error(`${file} is outside ${root}: scenario imports must stay under scenarios/`);
  const parts = rel.split('/');
  if (parts.some((p) => p.includes(KEY_SEPARATOR))) throw new Error(`${rel}: a name with "${KEY_SEPARATOR}" cannot be flattened into a ConfigMap key; rename it`);
  const key = parts.join(KEY_SEPARATOR);
  if (!CONFIGMAP_KEY.test(key)) throw new Error(`${rel}: "${key}" is not a valid ConfigMap key ([-._a-zA-Z0-9], at most 253 characters)`);
  return key;
}

/** The relative import specifiers of a file's source, in order of appearance. */
export function relativeImports(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m[3] as string);
}

/** The source with every relative import pointing at the flat key of its file, from the same folder. */
export function rewriteImports(source: string, file: string, root: string): string {
  return source.replace(IMPORT, (_all, lead: string, quote: string, spec: string) => {
    const target = resolve(dirname(file), spec);
    return `${lead}${quote}./${flatKey(target, root)}${quote}`;
  });
}

/** A scenario and everything it imports, ready for a ConfigMap. */
export interface ScenarioBundle {
  /** Key of the scenario itself (`spec.script.configMap.file`). */
  entry: string;
  /** ConfigMap data: flat key → rewritten source, keys sorted. */
  files: Record<string, string>;
}

/**
 * Collects `<target>/<profile>` and every file it imports (transitively, type-only imports too) under
 * scenarios/, with imports rewritten to the flat keys.
 * @param root folder the keys are relative to (default scenarios/)
 * @throws Error naming the importing file when an import does not exist or leaves root
 */
export function bundleScenario(scenario: string, root: string = repoPath('scenarios')): ScenarioBundle {
  const entryFile = scenarioFile(scenario);
  const files = new Map<string, string>();
  const queue = [entryFile];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const key = flatKey(file, root);
    if (files.has(key)) continue;
    const source = readFileSync(file, 'utf8');
    for (const spec of relativeImports(source)) {
      const target = resolve(dirname(file), spec);
      if (!existsSync(target)) throw new Error(`${relative(root, file)} imports ${spec}, which does not exist`);
      queue.push(target);
    }
    files.set(key, rewriteImports(source, file, root));
  }
  const sorted: Record<string, string> = {};
  for (const key of [...files.keys()].sort()) sorted[key] = files.get(key) as string;
  return { entry: flatKey(entryFile, root), files: sorted };
}
