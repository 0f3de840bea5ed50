// Reading an activation's numeric parameters from its options, with the checks that make a bad
// value fail at the call that wrote it (ArgumentError naming the activation and the parameter).
import { type Range, describeValue, validator } from '../validate';

type Check = 'finite' | 'positive' | 'notNaN';

const RANGES: Record<Check, Range> = {
  finite: {},
  positive: { min: 0, minOpen: true },
  notNaN: { allowInfinity: true },
};

/** options[key] (or `fallback`), checked. */
export function numberParam(op: string, options: object, key: string, fallback: number, check: Check = 'finite'): number {
  const raw = (options as Record<string, unknown>)[key];
  return validator(op).number(key, raw === undefined ? fallback : raw, RANGES[check]);
}

/** The library's value formatter (src/validate.ts), under the name the activation files use. */
export const describe = describeValue;
