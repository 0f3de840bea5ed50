// Elementwise comparisons with broadcasting. They return masks of 0 and 1 (in the operands'
// dtype) and are not differentiable: their outputs never require grad, so a mask can feed
// `where` or `mul` without a gradient flowing through it.
import * as nd from '../nd';
import { Tensor, type TensorLike } from '../tensor';
import { operands } from './record';

function compare(op: string, a: TensorLike, b: TensorLike, test: (x: number, y: number) => boolean): Tensor {
  const [x, y] = operands(op, a, b);
  return new Tensor(nd.zip(x.data, y.data, (p, q) => (test(p, q) ? 1 : 0)));
}

/** 1 where a > b, else 0. */
export function gt(a: TensorLike, b: TensorLike): Tensor {
  return compare('gt', a, b, (x, y) => x > y);
}

/** 1 where a ≥ b, else 0. */
export function ge(a: TensorLike, b: TensorLike): Tensor {
  return compare('ge', a, b, (x, y) => x >= y);
}

/** 1 where a < b, else 0. */
export function lt(a: TensorLike, b: TensorLike): Tensor {
  return compare('lt', a, b, (x, y) => x < y);
}

/** 1 where a ≤ b, else 0. */
export function le(a: TensorLike, b: TensorLike): Tensor {
  return compare('le', a, b, (x, y) => x <= y);
}

/** 1 where a = b, else 0. */
export function eq(a: TensorLike, b: TensorLike): Tensor {
  return compare('eq', a, b, (x, y) => x === y);
}
