// Checking the options of the dataset functions. Every message names the function, the option,
// the value it got and the range it accepts, because these options are typed by hand on the
// command line and in notebooks as often as they are checked by the compiler.
import { ArgumentError } from '../errors';
import { Generator, getDefaultGenerator } from '../random';
import type { Dtype } from '../tensor';

/** Where the randomness of a dataset function comes from: a seed, a generator, or neither. */
export interface RandomSource {
  /** Seed a fresh Generator for this call: the same seed gives the same data bit for bit. */
  seed?: number;
  /** Draw from this generator (advancing it). Without `seed` or `generator`, the default one. */
  generator?: Generator;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** Reject option names the function does not know (a typo would otherwise be ignored silently). */
export function checkKeys(fn: string, options: object | undefined, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError(`${fn}: options must be an object, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new ArgumentError(`${fn}: unknown option '${key}'; the options are ${allowed.join(', ')}`);
    }
  }
}

/** An integer option in [min, max] (max may be Infinity). */
export function intOption(fn: string, name: string, value: unknown, min: number, max = Number.POSITIVE_INFINITY): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    throw new ArgumentError(`${fn}: ${name} must be ${range}, got ${show(value)}`);
  }
  return value;
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
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (lowOpen ? value > min : value >= min) &&
    (highOpen ? value < max : value <= max);
  if (!ok) {
    const lo = `${lowOpen ? '(' : '['}${min}`;
    const hi = `${max === Number.POSITIVE_INFINITY ? 'Infinity' : max}${highOpen || max === Number.POSITIVE_INFINITY ? ')' : ']'}`;
    throw new ArgumentError(`${fn}: ${name} must be a finite number in ${lo}, ${hi}, got ${show(value)}`);
  }
  return value as number;
}

export function choiceOption<T extends string>(fn: string, name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ArgumentError(`${fn}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

export function booleanOption(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ArgumentError(`${fn}: ${name} must be true or false, got ${show(value)}`);
  return value;
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
      throw new ArgumentError(`${fn}: seed must be an integer, got ${show(source.seed)}`);
    }
    return new Generator(source.seed);
  }
  if (source.generator !== undefined) {
    if (!(source.generator instanceof Generator)) {
      throw new ArgumentError(`${fn}: generator must be a Generator (new Generator(seed)), got ${show(source.generator)}`);
    }
    return source.generator;
  }
  return getDefaultGenerator();
}
