// Reading an activation's numeric parameters from its options, with the checks that make a bad
// value fail at the call that wrote it (ArgumentError naming the activation and the parameter).
import { ArgumentError } from '../errors';

type Check = 'finite' | 'positive' | 'notNaN';

/** options[key] (or `fallback`), checked. */
export function numberParam(op: string, options: object, key: string, fallback: number, check: Check = 'finite'): number {
  const raw = (options as Record<string, unknown>)[key];
  const value = raw === undefined ? fallback : raw;
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new ArgumentError(`${op}: ${key} must be a number, got ${describe(value)}`);
  }
  if (check === 'finite' && !Number.isFinite(value)) throw new ArgumentError(`${op}: ${key} must be finite, got ${value}`);
  if (check === 'positive' && !(value > 0 && Number.isFinite(value))) {
    throw new ArgumentError(`${op}: ${key} must be a finite number > 0, got ${value}`);
  }
  return value;
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}
