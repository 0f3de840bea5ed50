// Binary arithmetic with NumPy broadcasting. Each op: forward, then its exact backward right
// below it. Gradients of broadcast inputs are summed back with `unbroadcast`.
import * as nd from '../nd';
import type { Tensor, TensorLike } from '../tensor';
import { defineOp, operands, record } from './record';

interface Pair {
  a: nd.Nd;
  b: nd.Nd;
}

const plus = (x: number, y: number): number => x + y;
const minus = (x: number, y: number): number => x - y;
const times = (x: number, y: number): number => x * y;
const over = (x: number, y: number): number => x / y;

// ---- add: d(a+b) = da + db ----
const addOp = defineOp<Pair>('add', (g, { a, b }, needs) => [
  needs[0] ? nd.unbroadcast(g, a.shape) : null,
  needs[1] ? nd.unbroadcast(g, b.shape) : null,
]);
/** Elementwise a + b with broadcasting, as `torch.add`. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('add', a, b);
  return record(addOp, [x, y], nd.zip(x.data, y.data, plus), { a: x.data, b: y.data });
}

// ---- sub: d(a-b) = da - db ----
const subOp = defineOp<Pair>('sub', (g, { a, b }, needs) => [
  needs[0] ? nd.unbroadcast(g, a.shape) : null,
  needs[1] ? nd.unbroadcast(nd.map(g, (v) => -v), b.shape) : null,
]);
/** Elementwise a − b with broadcasting, as `torch.sub`. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('sub', a, b);
  return record(subOp, [x, y], nd.zip(x.data, y.data, minus), { a: x.data, b: y.data });
}

// ---- mul: d(ab) = b da + a db ----
const mulOp = defineOp<Pair>('mul', (g, { a, b }, needs) => [
  needs[0] ? nd.unbroadcast(nd.zip(g, b, times), a.shape) : null,
  needs[1] ? nd.unbroadcast(nd.zip(g, a, times), b.shape) : null,
]);
/** Elementwise a · b with broadcasting, as `torch.mul`. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('mul', a, b);
  return record(mulOp, [x, y], nd.zip(x.data, y.data, times), { a: x.data, b: y.data });
}

// ---- div: d(a/b) = da / b - a db / b² ----
const divOp = defineOp<Pair>('div', (g, { a, b }, needs) => [
  needs[0] ? nd.unbroadcast(nd.zip(g, b, over), a.shape) : null,
  needs[1] ? nd.unbroadcast(nd.zip(nd.zip(g, a, times), b, (ga, bv) => -ga / (bv * bv)), b.shape) : null,
]);
/** Elementwise a / b with broadcasting, as `torch.div`. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('div', a, b);
  return record(divOp, [x, y], nd.zip(x.data, y.data, over), { a: x.data, b: y.data });
}

// ---- pow: d(a^b) = b a^(b-1) da + a^b ln(a) db ----
interface PowSaved extends Pair {
  out: nd.Nd;
}
const powOp = defineOp<PowSaved>('pow', (g, { a, b, out }, needs) => [
  needs[0]
    ? nd.unbroadcast(nd.zip(g, nd.zip(a, b, (x, p) => (p === 0 ? 0 : p * x ** (p - 1))), times), a.shape)
    : null,
  // a^b ln a; where a = 0 the limit of a^b ln a is 0 for b > 0 (PyTorch uses the same convention)
  needs[1]
    ? nd.unbroadcast(nd.zip(g, nd.zip(out, nd.broadcastTo(a, out.shape), (y, x) => (x === 0 ? 0 : y * Math.log(x))), times), b.shape)
    : null,
]);
/** Elementwise power; the exponent may be a number or a tensor (broadcast). */
export function pow(a: TensorLike, exponent: TensorLike): Tensor {
  const [x, y] = operands('pow', a, exponent);
  const out = nd.zip(x.data, y.data, (p, q) => p ** q);
  return record(powOp, [x, y], out, { a: x.data, b: y.data, out });
}

// ---- maximum / minimum: the gradient goes to the larger (smaller) input; ties split evenly ----
const maximumOp = defineOp<Pair>('maximum', (g, { a, b }, needs) => selectGrads(g, a, b, needs, 1));
/** Elementwise maximum with broadcasting; the gradient goes to the larger input, ties split evenly. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('maximum', a, b);
  return record(maximumOp, [x, y], nd.zip(x.data, y.data, (p, q) => (p >= q || p !== p ? p : q)), { a: x.data, b: y.data });
}

const minimumOp = defineOp<Pair>('minimum', (g, { a, b }, needs) => selectGrads(g, a, b, needs, -1));
/** Elementwise minimum with broadcasting; the gradient goes to the smaller input, ties split evenly. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands('minimum', a, b);
  return record(minimumOp, [x, y], nd.zip(x.data, y.data, (p, q) => (p <= q || p !== p ? p : q)), { a: x.data, b: y.data });
}

/** sign = 1 for maximum, -1 for minimum: the share of g that goes to `a` (1, ½ on ties, 0). */
function selectGrads(g: nd.Nd, a: nd.Nd, b: nd.Nd, needs: readonly boolean[], sign: 1 | -1): (nd.Nd | null)[] {
  const shareA = nd.zip(a, b, (x, y) => (x === y ? 0.5 : (x - y) * sign > 0 ? 1 : 0), nd.dtypeOf(g));
  return [
    needs[0] ? nd.unbroadcast(nd.zip(g, shareA, times), a.shape) : null,
    needs[1] ? nd.unbroadcast(nd.zip(g, shareA, (v, s) => v * (1 - s)), b.shape) : null,
  ];
}
