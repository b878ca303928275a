import { TenantformError } from '../errors.js';

/** The values a numeric flag accepts. */
export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
  /** What the number counts, for the message ("seconds"). */
  unit?: string;
}

/**
 * A numeric flag. Deliberately untyped for yargs: `type: 'number'` turns `--timeout abc` into NaN and loses
 * what the user typed, so the value is checked (numberArg) when the command runs, and the error can quote it.
 */
export function numberOption(describe: string, range: NumberRange, def?: number) {
  return { requiresArg: true, describe: `${describe} (${rangeText(range)})`, ...(def !== undefined ? { default: def } : {}) } as const;
}

/** The flag's value as a number in its range, or a USAGE error that names the flag, the value and the range. */
export function numberArg(flag: string, value: unknown, range: NumberRange): number;
export function numberArg(flag: string, value: unknown, range: NumberRange, opts: { optional: true }): number | undefined;
export function numberArg(flag: string, value: unknown, range: NumberRange, opts: { optional?: boolean } = {}): number | undefined {
  if (value === undefined && opts.optional) return undefined;
  if (Array.isArray(value)) throw new TenantformError('USAGE', `${flag} is given ${value.length} times; give it once (${rangeText(range)}).`, { flag });
  // yargs already turned numeric text into a number; anything else arrives as the text the user typed.
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  const ok = Number.isFinite(n) && n >= range.min && n <= range.max && (!range.integer || Number.isInteger(n));
  if (!ok) throw new TenantformError('USAGE', `${flag} must be ${rangeText(range)}; got "${String(value)}".`, { flag, value: String(value), range });
  return n;
}

function rangeText(r: NumberRange): string {
  return `${r.integer ? 'a whole number' : 'a number'}${r.unit ? ` of ${r.unit}` : ''} from ${r.min} to ${r.max}`;
}
