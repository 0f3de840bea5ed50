// The one place where arguments are checked and values are written into messages.
//
// Every public entry point validates all of its arguments — option keys against the documented
// set included — before it changes anything, and throws one of the library's error classes with
// the op or class name, the argument, the value and what is accepted. The shape a constructor or
// a `loadStateDict` takes is therefore always the same:
//
//   const v = validator('StepLR');
//   const o = v.options(options, ['stepSize', 'gamma', 'lastEpoch'], { required: true });
//   const stepSize = v.integer('stepSize', o.stepSize, { min: 1 });   // 1. validate everything
//   const gamma = v.number('gamma', o.gamma ?? 0.1, { min: 0 });
//   this.stepSize = stepSize; ...                                       // 2. then mutate
//
// This module imports nothing but the error classes, so any layer may use it.
import { ArgumentError, RuleError, ShapeError, type SurrogradError } from './errors';

/** A constructor of one of the library's error classes. */
export type ErrorClass = new (message: string) => SurrogradError;

/**
 * A value as it should appear in a message: strings quoted, arrays and plain objects as JSON
 * (shortened), functions and class instances by kind, numbers as they print (NaN, Infinity).
 * The one value formatter of the library.
 */
export function describeValue(value: unknown, maxLength = 60): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > maxLength ? `${value.slice(0, maxLength)}…` : value).replace(/^"|"$/g, "'");
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function':
      return `a function${value.name ? ` (${value.name})` : ''}`;
    default:
      break;
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => (typeof v === 'object' && v !== null ? describeValue(v, 20) : describeValue(v)));
    return shorten(`[${items.join(', ')}]`, maxLength);
  }
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const length = (value as unknown as { length?: number }).length;
    return length === undefined ? `a ${name}` : `a ${name} of length ${length}`;
  }
  const proto = Object.getPrototypeOf(value) as object | null;
  if (proto !== null && proto !== Object.prototype) {
    const ctor = (proto as { constructor?: { name?: string } }).constructor?.name;
    const shape = (value as { shape?: unknown }).shape;
    if (ctor === 'Tensor' && Array.isArray(shape)) return `a Tensor of shape [${shape.join(', ')}]`;
    return `a ${ctor ?? 'object'}`;
  }
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'an object';
  } catch {
    text = `an object with keys ${Object.keys(value as object).join(', ')}`;
  }
  return shorten(text, maxLength);
}

function shorten(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** `[2, 3]` */
export function describeShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A numeric range: bounds (inclusive unless the matching `…Open` is set), and whether ±Infinity is allowed. */
export interface Range {
  /** The smallest value allowed (inclusive unless `minOpen`). */
  min?: number;
  /** The largest value allowed (inclusive unless `maxOpen`). */
  max?: number;
  /** Exclude `min` itself. */
  minOpen?: boolean;
  /** Exclude `max` itself. */
  maxOpen?: boolean;
  /** Accept ±Infinity (default false: every number must be finite). NaN is never accepted. */
  allowInfinity?: boolean;
}

function rangeText(kind: 'a number' | 'an integer', range: Range): string {
  const bounded = range.min !== undefined && range.max !== undefined;
  const finite = range.allowInfinity === true || kind === 'an integer' || bounded ? '' : 'finite ';
  const base = kind === 'a number' ? `a ${finite}number` : 'an integer';
  const { min, max } = range;
  if (min !== undefined && max !== undefined) {
    return `${kind === 'a number' ? '' : `${base} `}in ${range.minOpen ? '(' : '['}${min}, ${max}${range.maxOpen ? ')' : ']'}`;
  }
  if (min !== undefined) return `${base} ${range.minOpen ? '>' : '≥'} ${min}`;
  if (max !== undefined) return `${base} ${range.maxOpen ? '<' : '≤'} ${max}`;
  return base;
}

function inRange(value: number, range: Range): boolean {
  if (Number.isNaN(value)) return false;
  if (!range.allowInfinity && !Number.isFinite(value)) return false;
  const { min, max } = range;
  if (min !== undefined && (range.minOpen ? !(value > min) : !(value >= min))) return false;
  if (max !== undefined && (range.maxOpen ? !(value < max) : !(value <= max))) return false;
  return true;
}

/** Options for `Validator.options`. */
export interface OptionsCheck {
  /** The options object itself is required (undefined is refused). */
  required?: boolean;
  /** An example to show when the options are not an object, e.g. "{ stepSize: 10 }". */
  example?: string;
  /** Keys that may be null (a meaningful value, such as BatchNorm's momentum); any other null is refused. */
  nullable?: readonly string[];
}

/**
 * Checks for one entry point. Each method returns the value it checked (typed), or throws an
 * error of `errorClass` whose message starts with `where`.
 */
export class Validator {
  /** Creates a validator whose errors start with `where` and are of `errorClass` (default ArgumentError). */
  constructor(
    /** Who is checking: 'StepLR', 'tensor', 'rules.fastSigmoid', 'SGD (param group 1)'. */
    readonly where: string,
    /** The class of the errors it throws (default ArgumentError). */
    readonly errorClass: ErrorClass = ArgumentError,
  ) {}

  /** An error of this validator's class: `${where}: ${message}`. */
  error(message: string): SurrogradError {
    return new this.errorClass(`${this.where}: ${message}`);
  }

  /** `${where}: ${name} must be ${rule}, got ${value}`. */
  invalid(name: string, value: unknown, rule: string): SurrogradError {
    return this.error(`${name} must be ${rule}, got ${describeValue(value)}`);
  }

  /**
   * An options object (a plain object, or undefined for none) whose keys are all in `allowed`.
   * Returns it as a record to read; a key set to undefined counts as absent, a key set to null is
   * refused unless listed in `check.nullable`.
   */
  options(options: unknown, allowed: readonly string[], check: OptionsCheck = {}): Record<string, unknown> {
    if (options === undefined && !check.required) return {};
    if (options === null || typeof options !== 'object' || Array.isArray(options) || ArrayBuffer.isView(options)) {
      const example = check.example === undefined ? '' : ` such as ${check.example}`;
      throw this.error(`options must be an object${example}, got ${describeValue(options)}`);
    }
    const unknown = Object.keys(options).filter((k) => !allowed.includes(k) && (options as Record<string, unknown>)[k] !== undefined);
    if (unknown.length > 0) {
      const names = unknown.map((k) => `'${k}'`).join(', ');
      const suggestions = unknown.map((k) => closest(k, allowed)).filter((s): s is string => s !== null);
      const hint = suggestions.length > 0 ? ` (did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?)` : '';
      const valid = allowed.length > 0 ? `the options are ${allowed.join(', ')}` : 'it takes no options';
      throw this.error(`unknown option${unknown.length > 1 ? 's' : ''} ${names}${hint}; ${valid}`);
    }
    // null is not "the default": leave the key out (or set it to undefined) for that
    for (const [key, value] of Object.entries(options)) {
      if (value === null && !(check.nullable ?? []).includes(key)) {
        throw this.error(`option '${key}' is null; leave it out (or pass undefined) for its default`);
      }
    }
    return options as Record<string, unknown>;
  }

  /** A number (finite unless `range.allowInfinity`) in `range`. */
  number(name: string, value: unknown, range: Range = {}): number {
    if (typeof value !== 'number' || !inRange(value, range)) throw this.invalid(name, value, rangeText('a number', range));
    return value;
  }

  /** An integer in `range`. */
  integer(name: string, value: unknown, range: Range = {}): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || !inRange(value, range)) {
      throw this.invalid(name, value, rangeText('an integer', range));
    }
    return value;
  }

  /** true or false. */
  boolean(name: string, value: unknown): boolean {
    if (typeof value !== 'boolean') throw this.invalid(name, value, 'true or false');
    return value;
  }

  /** One of `choices`. */
  oneOf<T extends string | number | boolean | null>(name: string, value: unknown, choices: readonly T[]): T {
    if (!(choices as readonly unknown[]).includes(value)) {
      throw this.invalid(name, value, `one of ${choices.map((c) => describeValue(c)).join(', ')}`);
    }
    return value as T;
  }

  /** A non-empty string. */
  string(name: string, value: unknown): string {
    if (typeof value !== 'string' || value.length === 0) throw this.invalid(name, value, 'a non-empty string');
    return value;
  }

  /**
   * A function.
   * @typeParam F - The function type the value is returned as (not checked beyond being a function).
   */
  func<F extends (...args: never[]) => unknown>(name: string, value: unknown): F {
    if (typeof value !== 'function') throw this.invalid(name, value, 'a function');
    return value as F;
  }

  /** An instance of `cls` (`what` names it in the message, e.g. 'a Generator (new Generator(seed))'). */
  instance<T>(name: string, value: unknown, cls: abstract new (...args: never[]) => T, what: string): T {
    if (!(value instanceof cls)) throw this.invalid(name, value, what);
    return value;
  }

  /** An array of numbers (each checked against `range`), optionally of a given length. */
  numbers(name: string, value: unknown, range: Range = {}, length?: number): number[] {
    const rule = `${length === undefined ? 'an array of numbers' : `an array of ${length} numbers`}, each ${rangeText('a number', range)}`;
    if (!Array.isArray(value) || (length !== undefined && value.length !== length)) throw this.invalid(name, value, rule);
    value.forEach((v, i) => this.number(`${name}[${i}]`, v, range));
    return [...(value as number[])];
  }

  /** An array of integers in `range`; `increasing` requires each to exceed the one before. */
  integers(name: string, value: unknown, range: Range = {}, { increasing = false, length }: { increasing?: boolean; length?: number } = {}): number[] {
    const count = length === undefined ? 'an array of' : `an array of ${length}`;
    const rule = `${count} ${increasing ? 'increasing ' : ''}integers, each ${rangeText('an integer', range)}`;
    if (!Array.isArray(value) || (length !== undefined && value.length !== length)) throw this.invalid(name, value, rule);
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || !inRange(v, range) || (increasing && i > 0 && !(v > value[i - 1]))) {
        throw this.invalid(name, value, rule);
      }
    }
    return [...(value as number[])];
  }

  /** A shape: an array of non-negative integers (a ShapeError otherwise). */
  shape(name: string, value: unknown): number[] {
    if (!Array.isArray(value) || value.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0)) {
      throw new ShapeError(`${this.where}: ${name} must be an array of non-negative integers, got ${describeValue(value)}`);
    }
    return [...(value as number[])];
  }

  /** A plain object (not null, not an array). */
  record(name: string, value: unknown): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw this.invalid(name, value, 'an object');
    return value as Record<string, unknown>;
  }
}

/** A validator for `where` that throws `errorClass` (ArgumentError by default). */
export function validator(where: string, errorClass: ErrorClass = ArgumentError): Validator {
  return new Validator(where, errorClass);
}

/** A validator that throws RuleError: for rule factories and rule options. */
export function ruleValidator(where: string): Validator {
  return new Validator(where, RuleError);
}

/** The entry of `allowed` closest to `key` (edit distance ≤ 2, or a case-insensitive match), if any. */
export function closest(key: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= (key.length <= 3 ? 1 : 2) ? best : null;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
