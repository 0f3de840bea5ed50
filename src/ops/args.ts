// Argument checks shared by the op functions (through the one validation module): a tensor
// argument must be a Tensor, an axis argument an integer or a list of integers. The range of an
// axis is checked by normalizeAxis/normalizeAxes in record.ts, which know the tensor's rank.
import { Tensor } from '../tensor';
import { describeValue, validator } from '../validate';
import type { Axis } from './record';

/** `value` as a Tensor, or an ArgumentError naming the op and the argument. */
export function tensorArg(op: string, name: string, value: unknown): Tensor {
  if (value instanceof Tensor) return value;
  const hint = typeof value === 'number' || Array.isArray(value) ? ` (wrap it: tensor(${describeValue(value)}))` : '';
  throw validator(op).error(`${name} must be a Tensor, got ${describeValue(value)}${hint}`);
}

/** An axis argument: undefined (all axes), an integer, or a list of integers. */
export function axisArg(op: string, axis: unknown): Axis | undefined {
  if (axis === undefined) return undefined;
  if (typeof axis === 'number' && Number.isInteger(axis)) return axis;
  if (Array.isArray(axis) && axis.every((a) => typeof a === 'number' && Number.isInteger(a))) return axis as number[];
  throw validator(op).invalid('axis', axis, 'an integer, a list of integers, or undefined for all axes');
}
