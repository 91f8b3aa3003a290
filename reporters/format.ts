/** Number formatting shared by the terminal table and other human-facing reports. */

/** Placeholder for a figure that is not known. */
export const MISSING = '-';

/**
 * A number with precision that fits its size: 3 decimals below 1, 2 below 10, 1 below 100,
 * none above; `-` for null or non-finite. A `unit` is appended after a space.
 */
export function fmtNumber(value: number | null | undefined, unit = ''): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  const abs = Math.abs(value);
  const digits = abs === 0 || Number.isInteger(value) ? 0 : abs < 1 ? 3 : abs < 10 ? 2 : abs < 100 ? 1 : 0;
  return `${value.toFixed(digits)}${unit ? ` ${unit}` : ''}`;
}

/** A share (0..1) as a percentage with 2 decimals: `0.1067` → `10.67 %`; `-` for null. */
export function fmtPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return MISSING;
  return `${(share * 100).toFixed(2)} %`;
}

/** A relative change as a signed percentage with 1 decimal: `0.1` → `+10.0%`; `-` for null. */
export function fmtChange(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return MISSING;
  return `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%`;
}
