/** Nesting depth of decoded JSON values, bounded: guards against values that would overflow the stack. */

/**
 * True when `value` nests arrays/objects more than `max` levels deep (a lone object or array is 1
 * level; strings, numbers and null are 0). Walks values, not text: a long string costs one check
 * whatever its length, and recursion stops at `max` levels, so even a value 100000 levels deep is
 * answered without a stack overflow.
 *
 * Why: JSON.parse builds such values without recursion, but JSON.stringify (echoing an id, showing
 * a value in an error message) and any recursive walk overflow the stack on them.
 * @param max deepest nesting allowed (0: any array or object is too deep)
 */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (typeof v === 'object' && v !== null && nestedDeeperThan(v, max - 1)) return true;
  } else {
    for (const k in value) {
      const v = (value as Record<string, unknown>)[k];
      if (typeof v === 'object' && v !== null && nestedDeeperThan(v, max - 1)) return true;
    }
  }
  return false;
}
