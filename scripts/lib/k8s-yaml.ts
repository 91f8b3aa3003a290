/**
 * A small YAML writer for Kubernetes manifests (what JSON can hold; undefined properties are left out, as
 * JSON.stringify does): block mappings and sequences,
 * scripts as literal blocks (`|`), and every string that YAML 1.1 or 1.2 could read as anything other than
 * that string (true, no, 1e3, 0x1f, 1:20, ~, ...) double-quoted in JSON syntax, which YAML reads verbatim.
 */

/** Plain (unquoted) strings: a conservative set that no YAML version reads as a number, bool or null. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./=@+-]*(?:[ :][A-Za-z0-9_./=@+-]+)*$/;
const AMBIGUOUS = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;

/** True when `s` can be written without quotes and reads back as the same string. */
export function isPlainSafe(s: string): boolean {
  return PLAIN.test(s) && !AMBIGUOUS.test(s) && !s.includes(': ') && !s.endsWith(':');
}

/** A string that fits a literal block: several lines, no control characters other than tab and newline. */
function isBlockable(s: string): boolean {
  return s.includes('\n') && !/[\u0000-\u0008\u000b-\u001f\u007f\ufeff]/.test(s);
}

function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`YAML: ${v} is not a finite number`);
    return String(v);
  }
  return isPlainSafe(v) ? v : JSON.stringify(v);
}

/** `s` as a literal block at `indent` spaces: indentation indicator 2, chomping chosen to keep `s` exact. */
function literal(s: string, indent: number): string {
  const chomp = !s.endsWith('\n') ? '-' : s.endsWith('\n\n') ? '+' : '';
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  const pad = ' '.repeat(indent + 2);
  return `|2${chomp}\n${body
    .split('\n')
    .map((line) => (line === '' ? '' : pad + line))
    .join('\n')}`;
}

type YamlMap = { [key: string]: unknown };

function isMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The defined entries of a mapping, in insertion order. */
function entries(m: YamlMap): Array<[string, unknown]> {
  return Object.entries(m).filter(([, v]) => v !== undefined);
}

/** The text after `key:` or `- ` for `v` at nesting `indent` (a leading space or newline included). */
function inline(v: unknown, indent: number): string {
  if (Array.isArray(v)) return v.length === 0 ? ' []' : `\n${seq(v, indent + 2)}`;
  if (isMap(v)) return entries(v).length === 0 ? ' {}' : `\n${map(v, indent + 2)}`;
  if (typeof v === 'string' && isBlockable(v)) return ` ${literal(v, indent)}`;
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return ` ${scalar(v)}`;
  throw new Error(`YAML: cannot write a ${typeof v}`);
}

function map(m: YamlMap, indent: number): string {
  const pad = ' '.repeat(indent);
  return entries(m)
    .map(([k, v]) => `${pad}${scalar(k)}:${inline(v, indent)}`)
    .join('\n');
}

function seq(items: unknown[], indent: number): string {
  const pad = ' '.repeat(indent);
  return items
    .map((item) => {
      if (isMap(item) && entries(item).length > 0) {
        // The first key shares the dash's line; the others line up with it.
        return `${pad}- ${map(item, indent + 2).slice(indent + 2)}`;
      }
      return `${pad}-${inline(item, indent)}`;
    })
    .join('\n');
}

/**
 * One YAML document for a mapping (a manifest), ending in a newline.
 * @throws Error for values JSON cannot hold (functions, bigint, non-finite numbers)
 */
export function toYaml(doc: object): string {
  if (!isMap(doc)) throw new Error('YAML: a document must be a mapping');
  return `${map(doc, 0)}\n`;
}
