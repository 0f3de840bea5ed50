// Checking the options of the dataset functions, through the library's one validation module
// (src/validate.ts). Every message names the function, the option, the value it got and the
// range it accepts, because these options are typed by hand on the command line and in
// notebooks as often as they are checked by the compiler.
import { ArgumentError } from '../errors';
import { Generator, getDefaultGenerator } from '../random';
import type { Dtype } from '../tensor';
import { describeValue, validator } from '../validate';

/** Where the randomness of a dataset function comes from: a seed, a generator, or neither. */
export interface RandomSource {
  /** Seed a fresh Generator for this call: the same seed gives the same data bit for bit. */
  seed?: number;
  /** Draw from this generator (advancing it). Without `seed` or `generator`, the default one. */
  generator?: Generator;
}

/** Reject option names the function does not know (a typo would otherwise be ignored silently). */
export function checkKeys(fn: string, options: object | undefined, allowed: readonly string[]): void {
  validator(fn).options(options, allowed);
}

/** An integer option in [min, max] (max may be Infinity). */
export function intOption(fn: string, name: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
  return validator(fn).integer(name, value, max === Number.POSITIVE_INFINITY ? { min } : { min, max });
}

/**
 * A finite number option in a range; `lowOpen`/`highOpen` exclude the ends.
 * For example numberOption('loadIris', 'testFraction', v, 0, 1, { highOpen: true }) is [0, 1).
 */
export function numberOption(
  fn: string,
  name: string,
  value: unknown,
  min: number,
  max: number,
  { lowOpen = false, highOpen = false }: { lowOpen?: boolean; highOpen?: boolean } = {},
): number {
  const range = max === Number.POSITIVE_INFINITY ? { min, minOpen: lowOpen } : { min, max, minOpen: lowOpen, maxOpen: highOpen };
  return validator(fn).number(name, value, range);
}

export function choiceOption<T extends string>(fn: string, name: string, value: unknown, choices: readonly T[]): T {
  return validator(fn).oneOf(name, value, choices);
}

export function booleanOption(fn: string, name: string, value: unknown): boolean {
  return validator(fn).boolean(name, value);
}

export function dtypeOption(fn: string, value: unknown): Dtype {
  return choiceOption<Dtype>(fn, 'dtype', value ?? 'float32', ['float32', 'float64']);
}

/** The generator a call draws from: a fresh one for `seed`, the given one, or the default. */
export function resolveGenerator(fn: string, source: RandomSource): Generator {
  if (source.seed !== undefined && source.generator !== undefined) {
    throw new ArgumentError(`${fn}: pass either seed or generator, not both`);
  }
  if (source.seed !== undefined) {
    if (typeof source.seed !== 'number' || !Number.isInteger(source.seed)) {
      throw new ArgumentError(`${fn}: seed must be an integer, got ${describeValue(source.seed)}`);
    }
    return new Generator(source.seed);
  }
  if (source.generator !== undefined) {
    if (!(source.generator instanceof Generator)) {
      throw new ArgumentError(`${fn}: generator must be a Generator (new Generator(seed)), got ${describeValue(source.generator)}`);
    }
    return source.generator;
  }
  return getDefaultGenerator();
}
