// Every differentiable op against central finite differences in float64. The table is keyed by
// `OpName`, so an op added to the op table without cases here is a compile error. Inputs are
// seeded; non-contiguous inputs are made inside the checked function (gradcheck copies its
// inputs into fresh contiguous leaves, so a transposed input must be transposed in `fn`).
import { describe, expect, it } from 'vitest';
import * as ops from '../../src/ops';
import { DIFFERENTIABLE_OPS, type OpName } from '../../src/ops';
import { defineOp, record } from '../../src/ops/record';
import * as nd from '../../src/nd';
import { gradcheck, type GradcheckOptions } from '../../src/autograd/gradcheck';
import { rand, randn, tensor } from '../../src/creation';
import { Generator } from '../../src/random';
import type { Tensor } from '../../src/tensor';

interface GradCase {
  name: string;
  /** The inputs, drawn from a generator seeded per case. */
  inputs: (gen: Generator) => Tensor[];
  fn: (...xs: Tensor[]) => Tensor;
  /** Which inputs to check (default: all). */
  check?: number[];
  options?: GradcheckOptions;
}

// ---- seeded float64 inputs ----
const f64 = (gen: Generator) => ({ dtype: 'float64' as const, generator: gen });
const normal = (gen: Generator, shape: number[], std = 1): Tensor => randn(shape, { ...f64(gen), std });
/** Positive values in [0.5, 2): for log, sqrt, pow bases and divisors. */
const positive = (gen: Generator, shape: number[]): Tensor => rand(shape, { ...f64(gen), low: 0.5, high: 2 });
/** Values in [0, 1]: targets of binary cross-entropy. */
const unit = (gen: Generator, shape: number[]): Tensor => rand(shape, { ...f64(gen) });
/**
 * Distinct values 0.3 apart in random order, shifted by `offset`: no ties and no near-ties
 * within a tensor, and with offsets 0 and 0.15 none between two tensors either (for max, min,
 * maximum, minimum, abs, clamp, l1Loss: kinks stay ≥ 0.075 away from every input).
 */
function grid(gen: Generator, shape: number[], offset = 0): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const order = [...Array(size).keys()];
  for (let i = size - 1; i > 0; i--) {
    const j = Math.floor(gen.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const values = order.map((k) => (k - Math.floor(size / 2)) * 0.3 + offset + 0.05);
  return tensor(new Float64Array(values), { shape });
}
/** Integer-valued index tensor with entries in [0, bound). */
function indices(gen: Generator, shape: number[], bound: number): Tensor {
  const size = shape.reduce((p, d) => p * d, 1);
  const values = Array.from({ length: size }, () => Math.floor(gen.uniform() * bound));
  return tensor(new Float64Array(values), { shape });
}
/** A fixed 0/1 mask, with a float64 dtype. */
const mask = (gen: Generator, shape: number[]): Tensor => ops.gt(unit(gen, shape), 0.5);

const T = (x: Tensor): Tensor => ops.transpose(x);

// ---- binary ops: one battery of shapes for each ----
type BinaryInput = (gen: Generator, shape: number[], second: boolean) => Tensor;

/** Same shape, broadcasting both ways, size-1 dims, scalars, a number, transposed operands. */
function binaryCases(op: (a: Tensor, b: Tensor | number) => Tensor, input: BinaryInput, constant = 1.7): GradCase[] {
  const pair = (name: string, sa: number[], sb: number[]): GradCase => ({
    name,
    inputs: (gen) => [input(gen, sa, false), input(gen, sb, true)],
    fn: (a, b) => op(a, b),
  });
  return [
    pair('same shape [3, 4]', [3, 4], [3, 4]),
    pair('[3, 1] with [1, 4]', [3, 1], [1, 4]),
    pair('[4] with [2, 3, 4]', [4], [2, 3, 4]),
    pair('[2, 3, 4] with [4]', [2, 3, 4], [4]),
    pair('[1, 3, 1] with [2, 1, 4]', [1, 3, 1], [2, 1, 4]),
    pair('0-d with [3, 4]', [], [3, 4]),
    pair('[3, 4] with 0-d', [3, 4], []),
    {
      name: 'a number as the second operand',
      inputs: (gen) => [input(gen, [2, 3], false)],
      fn: (a) => op(a, constant),
    },
    {
      name: 'transposed first operand [4, 3]ᵀ with [3, 4]',
      inputs: (gen) => [input(gen, [4, 3], false), input(gen, [3, 4], true)],
      fn: (a, b) => op(T(a), b),
    },
    {
      name: 'transposed second operand, broadcast: [3, 1] with [4, 3]ᵀ',
      inputs: (gen) => [input(gen, [3, 1], false), input(gen, [4, 3], true)],
      fn: (a, b) => op(a, T(b)),
    },
    {
      name: 'both operands transposed',
      inputs: (gen) => [input(gen, [4, 3], false), input(gen, [4, 3], true)],
      fn: (a, b) => op(T(a), T(b)),
    },
  ];
}

const anyValues: BinaryInput = (gen, shape) => normal(gen, shape);
const numerators: BinaryInput = (gen, shape, second) => (second ? positive(gen, shape) : normal(gen, shape));
const powInputs: BinaryInput = (gen, shape, second) => (second ? normal(gen, shape) : positive(gen, shape));
const separated: BinaryInput = (gen, shape, second) => grid(gen, shape, second ? 0.15 : 0);

// ---- unary elementwise ops ----
function unaryCases(op: (a: Tensor) => Tensor, input: (gen: Generator, shape: number[]) => Tensor): GradCase[] {
  return [
    { name: '[3, 4]', inputs: (gen) => [input(gen, [3, 4])], fn: op },
    { name: '0-d', inputs: (gen) => [input(gen, [])], fn: op },
    { name: '[2, 1, 3]', inputs: (gen) => [input(gen, [2, 1, 3])], fn: op },
    { name: 'transposed [4, 3]ᵀ', inputs: (gen) => [input(gen, [4, 3])], fn: (a) => op(T(a)) },
  ];
}
const awayFromZero = (gen: Generator, shape: number[]): Tensor => grid(gen, shape, 0.1);

// ---- reductions: all axes, one axis, keepDims, several axes, transposed, 0-d ----
function reductionCases(
  op: (a: Tensor, axis?: number | number[], keepDims?: boolean) => Tensor,
  input: (gen: Generator, shape: number[]) => Tensor,
): GradCase[] {
  const one = (name: string, shape: number[], fn: (a: Tensor) => Tensor): GradCase => ({
    name,
    inputs: (gen) => [input(gen, shape)],
    fn,
  });
  return [
    one('all axes of [3, 4]', [3, 4], (a) => op(a)),
    one('axis 0 of [3, 4]', [3, 4], (a) => op(a, 0)),
    one('axis -1 of [2, 3, 4], keepDims', [2, 3, 4], (a) => op(a, -1, true)),
    one('axes [0, 2] of [2, 3, 4]', [2, 3, 4], (a) => op(a, [0, 2])),
    one('axis 1 of a size-1 axis [3, 1, 2]', [3, 1, 2], (a) => op(a, 1)),
    one('axis 0 of transposed [4, 3]ᵀ', [4, 3], (a) => op(T(a), 0)),
    one('a 0-d tensor', [], (a) => op(a)),
  ];
}

function lossCases(
  loss: (p: Tensor, t: Tensor, o?: ops.LossOptions) => Tensor,
  pred: (gen: Generator, shape: number[]) => Tensor,
  target: (gen: Generator, shape: number[]) => Tensor,
): GradCase[] {
  const inputs = (shape: number[]) => (gen: Generator) => [pred(gen, shape), target(gen, shape)];
  return [
    { name: 'mean, prediction only', inputs: inputs([4, 3]), fn: (p, t) => loss(p, t), check: [0] },
    { name: 'sum, both require grad', inputs: inputs([5]), fn: (p, t) => loss(p, t, { reduction: 'sum' }) },
    { name: 'none', inputs: inputs([2, 3]), fn: (p, t) => loss(p, t, { reduction: 'none' }) },
    { name: 'transposed prediction', inputs: inputs([3, 4]), fn: (p, t) => loss(T(p), T(t)) },
    { name: '0-d', inputs: inputs([]), fn: (p, t) => loss(p, t) },
  ];
}

const cases: Record<OpName, GradCase[]> = {
  add: binaryCases(ops.add, anyValues),
  sub: binaryCases(ops.sub, anyValues),
  mul: binaryCases(ops.mul, anyValues),
  div: binaryCases(ops.div, numerators),
  pow: [
    ...binaryCases(ops.pow, powInputs, 2.5),
    { name: 'integer exponent of a negative base', inputs: (gen) => [normal(gen, [3, 4])], fn: (a) => ops.pow(a, 3) },
  ],
  maximum: binaryCases(ops.maximum, separated, 0.2),
  minimum: binaryCases(ops.minimum, separated, 0.2),

  neg: unaryCases(ops.neg, normal),
  exp: unaryCases(ops.exp, normal),
  log: unaryCases(ops.log, positive),
  sqrt: unaryCases(ops.sqrt, positive),
  abs: unaryCases(ops.abs, awayFromZero),
  square: unaryCases(ops.square, normal),
  clamp: [
    ...unaryCases((a) => ops.clamp(a, -0.5, 0.6), awayFromZero),
    { name: 'min only', inputs: (gen) => [grid(gen, [3, 4], 0.1)], fn: (a) => ops.clamp(a, 0) },
    { name: 'max only', inputs: (gen) => [grid(gen, [3, 4], 0.1)], fn: (a) => ops.clamp(a, null, 0.3) },
  ],
  clone: unaryCases(ops.clone, normal),
  cast: [
    ...unaryCases((a) => ops.cast(a, 'float64'), normal),
    {
      // float32 rounding limits the precision of finite differences: a larger step on a linear map
      name: 'to float32 and back',
      inputs: (gen) => [normal(gen, [3, 4])],
      fn: (a) => ops.cast(ops.cast(a, 'float32'), 'float64'),
      options: { eps: 1e-2, atol: 1e-4, rtol: 1e-3 },
    },
  ],

  linear: [
    { name: '[3, 4] · W[5, 4]ᵀ + b[5]', inputs: (gen) => [normal(gen, [3, 4]), normal(gen, [5, 4]), normal(gen, [5])], fn: (x, w, b) => ops.linear(x, w, b) },
    { name: 'no bias', inputs: (gen) => [normal(gen, [3, 4]), normal(gen, [5, 4])], fn: (x, w) => ops.linear(x, w) },
    { name: 'batched input [2, 3, 4]', inputs: (gen) => [normal(gen, [2, 3, 4]), normal(gen, [5, 4]), normal(gen, [5])], fn: (x, w, b) => ops.linear(x, w, b) },
    { name: 'transposed input and weight', inputs: (gen) => [normal(gen, [4, 3]), normal(gen, [4, 5]), normal(gen, [5])], fn: (x, w, b) => ops.linear(T(x), T(w), b) },
  ],
  matmul: [
    { name: '[3, 4] @ [4, 5]', inputs: (gen) => [normal(gen, [3, 4]), normal(gen, [4, 5])], fn: ops.matmul },
    { name: 'Aᵀ @ B', inputs: (gen) => [normal(gen, [4, 3]), normal(gen, [4, 5])], fn: (a, b) => ops.matmul(T(a), b) },
    { name: 'A @ Bᵀ', inputs: (gen) => [normal(gen, [3, 4]), normal(gen, [5, 4])], fn: (a, b) => ops.matmul(a, T(b)) },
    { name: 'Aᵀ @ Bᵀ', inputs: (gen) => [normal(gen, [4, 3]), normal(gen, [5, 4])], fn: (a, b) => ops.matmul(T(a), T(b)) },
    {
      name: 'a column slice (padded rows) @ B',
      inputs: (gen) => [normal(gen, [3, 6]), normal(gen, [4, 2])],
      fn: (a, b) => ops.matmul(ops.slice(a, [null, [1, 5]]), b),
    },
    {
      name: 'a strided view that needs a copy',
      inputs: (gen) => [normal(gen, [6, 8]), normal(gen, [4, 3])],
      fn: (a, b) => ops.matmul(ops.slice(a, [[0, 6, 2], [0, 8, 2]]), b),
    },
    { name: 'vector @ matrix', inputs: (gen) => [normal(gen, [4]), normal(gen, [4, 5])], fn: ops.matmul },
    { name: 'matrix @ vector', inputs: (gen) => [normal(gen, [3, 4]), normal(gen, [4])], fn: ops.matmul },
    { name: 'vector @ vector (dot)', inputs: (gen) => [normal(gen, [5]), normal(gen, [5])], fn: ops.matmul },
    {
      name: 'strided vectors',
      inputs: (gen) => [normal(gen, [4, 2]), normal(gen, [4, 3])],
      fn: (a, b) => ops.matmul(ops.slice(T(a), [[1, 2]]).reshape([4]), ops.slice(b, [null, [0, 1]]).reshape([4])),
    },
    { name: 'batched [2, 3, 4] @ [4, 5]', inputs: (gen) => [normal(gen, [2, 3, 4]), normal(gen, [4, 5])], fn: ops.matmul },
    { name: 'batched [3, 4] @ [2, 4, 5]', inputs: (gen) => [normal(gen, [3, 4]), normal(gen, [2, 4, 5])], fn: ops.matmul },
    { name: 'batched [1, 3, 4] @ [2, 4, 5]', inputs: (gen) => [normal(gen, [1, 3, 4]), normal(gen, [2, 4, 5])], fn: ops.matmul },
    { name: 'batched [2, 3, 4] @ [2, 4, 5]', inputs: (gen) => [normal(gen, [2, 3, 4]), normal(gen, [2, 4, 5])], fn: ops.matmul },
    {
      name: 'batched, both transposed: [2, 4, 3]ᵀ @ [2, 5, 4]ᵀ',
      inputs: (gen) => [normal(gen, [2, 4, 3]), normal(gen, [2, 5, 4])],
      fn: (a, b) => ops.matmul(T(a), T(b)),
    },
    {
      name: 'batched 4-D with broadcasting on both sides: [2, 1, 3, 4] @ [3, 4, 2]',
      inputs: (gen) => [normal(gen, [2, 1, 3, 4]), normal(gen, [3, 4, 2])],
      fn: ops.matmul,
    },
    {
      name: 'batched vector @ [2, 4, 3] and [2, 3, 4] @ vector',
      inputs: (gen) => [normal(gen, [4]), normal(gen, [2, 4, 3])],
      fn: (v, m) => ops.matmul(ops.matmul(v, m), T(m)),
    },
    {
      name: 'large enough for the packed gemm path: [34, 36]ᵀ @ [34, 33]',
      inputs: (gen) => [normal(gen, [34, 36]), normal(gen, [34, 33])],
      fn: (a, b) => ops.matmul(T(a), b),
    },
  ],

  sum: reductionCases(ops.sum, normal),
  mean: reductionCases(ops.mean, normal),
  max: reductionCases(ops.max, grid),
  min: reductionCases(ops.min, grid),
  logsumexp: [
    ...reductionCases(ops.logsumexp, normal),
    { name: 'large values (stability)', inputs: (gen) => [normal(gen, [3, 4], 30)], fn: (a) => ops.logsumexp(ops.add(a, 1000), 1) },
  ],

  reshape: [
    { name: '[2, 3, 4] to [6, 4]', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (a) => ops.reshape(a, [6, 4]) },
    { name: 'with -1', inputs: (gen) => [normal(gen, [24])], fn: (a) => ops.reshape(a, [2, -1, 3]) },
    { name: 'a transposed input', inputs: (gen) => [normal(gen, [4, 3])], fn: (a) => ops.reshape(T(a), [-1]) },
    { name: 'to 0-d', inputs: (gen) => [normal(gen, [1, 1])], fn: (a) => ops.reshape(a, []) },
  ],
  flatten: [
    { name: 'all axes', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (a) => ops.flatten(a) },
    { name: 'axes 1..2 of 4-D', inputs: (gen) => [normal(gen, [2, 3, 4, 2])], fn: (a) => ops.flatten(a, 1, 2) },
    { name: 'a transposed input', inputs: (gen) => [normal(gen, [2, 4, 3])], fn: (a) => ops.flatten(T(a), 1) },
    { name: '0-d', inputs: (gen) => [normal(gen, [])], fn: (a) => ops.flatten(a) },
  ],
  transpose: [
    { name: 'last two axes', inputs: (gen) => [normal(gen, [3, 4])], fn: (a) => ops.transpose(a) },
    { name: 'axes 0 and 2 of 3-D', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (a) => ops.transpose(a, 0, 2) },
    { name: 'then an elementwise op', inputs: (gen) => [normal(gen, [3, 4])], fn: (a) => ops.mul(T(a), T(a)) },
  ],
  permute: [
    { name: '[2, 0, 1]', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (a) => ops.permute(a, [2, 0, 1]) },
    { name: 'negative axes', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (a) => ops.permute(a, [-1, 0, -2]) },
    { name: 'of a transposed input', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (a) => ops.permute(T(a), [1, 2, 0]) },
  ],
  squeeze: [
    { name: 'all size-1 axes', inputs: (gen) => [normal(gen, [1, 3, 1, 2])], fn: (a) => ops.squeeze(a) },
    { name: 'axis 2', inputs: (gen) => [normal(gen, [1, 3, 1, 2])], fn: (a) => ops.squeeze(a, 2) },
    { name: 'of a transposed input', inputs: (gen) => [normal(gen, [3, 1])], fn: (a) => ops.squeeze(T(a)) },
  ],
  unsqueeze: [
    { name: 'axis 0', inputs: (gen) => [normal(gen, [3, 2])], fn: (a) => ops.unsqueeze(a, 0) },
    { name: 'axis -1', inputs: (gen) => [normal(gen, [3, 2])], fn: (a) => ops.unsqueeze(a, -1) },
    { name: 'of a 0-d tensor', inputs: (gen) => [normal(gen, [])], fn: (a) => ops.unsqueeze(a, 0) },
    { name: 'of a transposed input', inputs: (gen) => [normal(gen, [3, 2])], fn: (a) => ops.unsqueeze(T(a), 1) },
  ],
  slice: [
    { name: 'rows 1..3', inputs: (gen) => [normal(gen, [4, 3])], fn: (a) => ops.slice(a, [[1, 3]]) },
    { name: 'every second column', inputs: (gen) => [normal(gen, [3, 5])], fn: (a) => ops.slice(a, [null, [0, undefined, 2]]) },
    { name: 'negative indices', inputs: (gen) => [normal(gen, [4, 5])], fn: (a) => ops.slice(a, [[-2], [-4, -1]]) },
    { name: 'clamped out-of-range bounds', inputs: (gen) => [normal(gen, [3, 4])], fn: (a) => ops.slice(a, [[-10, 10], [1, 99, 3]]) },
    { name: 'of a transposed input', inputs: (gen) => [normal(gen, [5, 4])], fn: (a) => ops.slice(T(a), [[1], [0, 5, 2]]) },
    { name: 'slice of a slice', inputs: (gen) => [normal(gen, [6, 6])], fn: (a) => ops.slice(ops.slice(a, [[1, 6, 2]]), [null, [4, -1]]) },
  ],
  concat: [
    { name: 'axis 0, different lengths', inputs: (gen) => [normal(gen, [2, 3]), normal(gen, [4, 3])], fn: (a, b) => ops.concat([a, b]) },
    { name: 'axis 1 of three', inputs: (gen) => [normal(gen, [2, 1]), normal(gen, [2, 3]), normal(gen, [2, 2])], fn: (a, b, c) => ops.concat([a, b, c], 1) },
    { name: 'axis -1 with a transposed input', inputs: (gen) => [normal(gen, [3, 2]), normal(gen, [2, 4])], fn: (a, b) => ops.concat([T(a), b], -1) },
    { name: 'the same tensor twice', inputs: (gen) => [normal(gen, [2, 3])], fn: (a) => ops.concat([a, a], 0) },
    { name: 'a 1-D tensor with only one input requiring grad', inputs: (gen) => [normal(gen, [3]), normal(gen, [2])], fn: (a, b) => ops.concat([a, b]), check: [1] },
  ],
  stack: [
    { name: 'axis 0', inputs: (gen) => [normal(gen, [2, 3]), normal(gen, [2, 3])], fn: (a, b) => ops.stack([a, b]) },
    { name: 'axis -1 of three', inputs: (gen) => [normal(gen, [2, 3]), normal(gen, [2, 3]), normal(gen, [2, 3])], fn: (a, b, c) => ops.stack([a, b, c], -1) },
    { name: 'axis 1 with a transposed input', inputs: (gen) => [normal(gen, [3, 2]), normal(gen, [2, 3])], fn: (a, b) => ops.stack([T(a), b], 1) },
    { name: '0-d tensors', inputs: (gen) => [normal(gen, []), normal(gen, [])], fn: (a, b) => ops.stack([a, b]) },
  ],

  gather: [
    { name: 'axis 1 with repeated indices', inputs: (gen) => [normal(gen, [3, 4]), indices(gen, [3, 6], 4)], fn: (a, i) => ops.gather(a, 1, i), check: [0] },
    { name: 'axis 0, index smaller than the input', inputs: (gen) => [normal(gen, [4, 3]), indices(gen, [2, 2], 4)], fn: (a, i) => ops.gather(a, 0, i), check: [0] },
    { name: 'axis -1 of 3-D', inputs: (gen) => [normal(gen, [2, 3, 4]), indices(gen, [2, 3, 2], 4)], fn: (a, i) => ops.gather(a, -1, i), check: [0] },
    { name: 'of a transposed input', inputs: (gen) => [normal(gen, [4, 3]), indices(gen, [3, 5], 4)], fn: (a, i) => ops.gather(T(a), 1, i), check: [0] },
  ],
  where: [
    { name: 'same shapes', inputs: (gen) => [mask(gen, [3, 4]), normal(gen, [3, 4]), normal(gen, [3, 4])], fn: ops.where, check: [1, 2] },
    { name: 'all three broadcast', inputs: (gen) => [mask(gen, [3, 1]), normal(gen, [4]), normal(gen, [])], fn: ops.where, check: [1, 2] },
    { name: 'a broadcast mask with [2, 3, 4] and [3, 1]', inputs: (gen) => [mask(gen, [1, 4]), normal(gen, [2, 3, 4]), normal(gen, [3, 1])], fn: ops.where, check: [1, 2] },
    { name: 'a number for b', inputs: (gen) => [mask(gen, [3, 4]), normal(gen, [3, 4])], fn: (m, a) => ops.where(m, a, 0.5), check: [1] },
    { name: 'transposed a', inputs: (gen) => [mask(gen, [3, 4]), normal(gen, [4, 3]), normal(gen, [3, 4])], fn: (m, a, b) => ops.where(m, T(a), b), check: [1, 2] },
  ],

  softmax: [
    { name: 'last axis of [3, 5]', inputs: (gen) => [normal(gen, [3, 5])], fn: (a) => ops.softmax(a) },
    { name: 'axis 0 of [4, 3]', inputs: (gen) => [normal(gen, [4, 3])], fn: (a) => ops.softmax(a, 0) },
    { name: 'middle axis of [2, 3, 4]', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (a) => ops.softmax(a, 1) },
    { name: 'a transposed input', inputs: (gen) => [normal(gen, [4, 3])], fn: (a) => ops.softmax(T(a)) },
    { name: 'large logits', inputs: (gen) => [normal(gen, [2, 4], 20)], fn: (a) => ops.softmax(ops.add(a, 500)) },
  ],
  logSoftmax: [
    { name: 'last axis of [3, 5]', inputs: (gen) => [normal(gen, [3, 5])], fn: (a) => ops.logSoftmax(a) },
    { name: 'axis 0 of [4, 3]', inputs: (gen) => [normal(gen, [4, 3])], fn: (a) => ops.logSoftmax(a, 0) },
    { name: 'middle axis of [2, 3, 4]', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (a) => ops.logSoftmax(a, 1) },
    { name: 'a transposed input', inputs: (gen) => [normal(gen, [4, 3])], fn: (a) => ops.logSoftmax(T(a)) },
    { name: 'large logits', inputs: (gen) => [normal(gen, [2, 4], 20)], fn: (a) => ops.logSoftmax(ops.add(a, 500)) },
  ],

  mseLoss: lossCases(ops.mseLoss, normal, normal),
  l1Loss: lossCases(ops.l1Loss, (gen, shape) => grid(gen, shape), (gen, shape) => grid(gen, shape, 0.15)),
  binaryCrossEntropyWithLogits: [
    ...lossCases(ops.binaryCrossEntropyWithLogits, (gen, shape) => normal(gen, shape, 3), unit),
    { name: 'large logits', inputs: (gen) => [normal(gen, [6], 40), unit(gen, [6])], fn: (x, t) => ops.binaryCrossEntropyWithLogits(x, t) },
  ],
  crossEntropy: [
    { name: 'mean over [5, 4]', inputs: (gen) => [normal(gen, [5, 4])], fn: (x) => ops.crossEntropy(x, [0, 3, 1, 3, 2]) },
    { name: 'sum, labels as a tensor', inputs: (gen) => [normal(gen, [3, 6])], fn: (x) => ops.crossEntropy(x, tensor([5, 0, 2]), { reduction: 'sum' }) },
    { name: 'none', inputs: (gen) => [normal(gen, [4, 3])], fn: (x) => ops.crossEntropy(x, [2, 2, 0, 1], { reduction: 'none' }) },
    { name: '1-D logits and one label', inputs: (gen) => [normal(gen, [5])], fn: (x) => ops.crossEntropy(x, [4]) },
    { name: 'transposed logits', inputs: (gen) => [normal(gen, [4, 3])], fn: (x) => ops.crossEntropy(T(x), [1, 0, 3]) },
    { name: 'large logits', inputs: (gen) => [normal(gen, [3, 4], 50)], fn: (x) => ops.crossEntropy(x, [0, 1, 2]) },
  ],
  nllLoss: [
    { name: 'mean over raw inputs', inputs: (gen) => [normal(gen, [5, 4])], fn: (x) => ops.nllLoss(x, [0, 3, 1, 3, 2]) },
    { name: 'after logSoftmax, sum', inputs: (gen) => [normal(gen, [3, 6])], fn: (x) => ops.nllLoss(ops.logSoftmax(x), [5, 0, 2], { reduction: 'sum' }) },
    { name: 'none', inputs: (gen) => [normal(gen, [4, 3])], fn: (x) => ops.nllLoss(x, tensor([2, 2, 0, 1]), { reduction: 'none' }) },
    { name: '1-D input', inputs: (gen) => [normal(gen, [5])], fn: (x) => ops.nllLoss(x, [1]) },
    { name: 'transposed input', inputs: (gen) => [normal(gen, [4, 3])], fn: (x) => ops.nllLoss(T(x), [1, 0, 3]) },
  ],

  conv2d: [
    { name: '[2, 3, 5, 4] * W[4, 3, 3, 2] + b', inputs: (gen) => [normal(gen, [2, 3, 5, 4]), normal(gen, [4, 3, 3, 2]), normal(gen, [4])], fn: (x, w, b) => ops.conv2d(x, w, b) },
    { name: 'stride [2, 1], padding 1, odd sizes, batch 1', inputs: (gen) => [normal(gen, [1, 2, 7, 5]), normal(gen, [3, 2, 3, 3]), normal(gen, [3])], fn: (x, w, b) => ops.conv2d(x, w, b, { stride: [2, 1], padding: 1 }) },
    { name: 'stride 3, padding [2, 0], dilation 2', inputs: (gen) => [normal(gen, [2, 2, 8, 7]), normal(gen, [2, 2, 3, 2])], fn: (x, w) => ops.conv2d(x, w, null, { stride: 3, padding: [2, 0], dilation: 2 }) },
    { name: 'dilation [2, 3], no bias', inputs: (gen) => [normal(gen, [1, 2, 6, 7]), normal(gen, [2, 2, 2, 2])], fn: (x, w) => ops.conv2d(x, w, null, { dilation: [2, 3] }) },
    { name: 'groups 2', inputs: (gen) => [normal(gen, [2, 4, 5, 5]), normal(gen, [6, 2, 3, 3]), normal(gen, [6])], fn: (x, w, b) => ops.conv2d(x, w, b, { groups: 2, padding: 1 }) },
    { name: 'depthwise (groups = channels), stride 2', inputs: (gen) => [normal(gen, [2, 3, 6, 5]), normal(gen, [3, 1, 3, 3]), normal(gen, [3])], fn: (x, w, b) => ops.conv2d(x, w, b, { groups: 3, stride: 2, padding: 1 }) },
    { name: "padding 'same' with an even kernel and dilation", inputs: (gen) => [normal(gen, [1, 2, 5, 6]), normal(gen, [2, 2, 2, 4])], fn: (x, w) => ops.conv2d(x, w, null, { padding: 'same', dilation: [1, 2] }) },
    { name: "padding 'valid', 1×1 kernel", inputs: (gen) => [normal(gen, [2, 3, 3, 4]), normal(gen, [2, 3, 1, 1]), normal(gen, [2])], fn: (x, w, b) => ops.conv2d(x, w, b, { padding: 'valid' }) },
    { name: 'a non-contiguous (permuted) input', inputs: (gen) => [normal(gen, [2, 4, 5, 3]), normal(gen, [2, 3, 2, 2])], fn: (x, w) => ops.conv2d(ops.permute(x, [0, 3, 1, 2]), w) },
    { name: 'the same tensor as input and (part of) weight path', inputs: (gen) => [normal(gen, [1, 1, 4, 4])], fn: (x) => ops.conv2d(x, ops.slice(x, [null, null, [0, 2], [0, 2]])) },
  ],
  conv1d: [
    { name: '[2, 3, 7] * W[4, 3, 3] + b', inputs: (gen) => [normal(gen, [2, 3, 7]), normal(gen, [4, 3, 3]), normal(gen, [4])], fn: (x, w, b) => ops.conv1d(x, w, b) },
    { name: 'stride 2, padding 2, dilation 2, batch 1', inputs: (gen) => [normal(gen, [1, 2, 9]), normal(gen, [3, 2, 3])], fn: (x, w) => ops.conv1d(x, w, null, { stride: 2, padding: 2, dilation: 2 }) },
    { name: 'groups 2', inputs: (gen) => [normal(gen, [2, 4, 6]), normal(gen, [2, 2, 2]), normal(gen, [2])], fn: (x, w, b) => ops.conv1d(x, w, b, { groups: 2 }) },
    { name: "padding 'same', even kernel", inputs: (gen) => [normal(gen, [1, 2, 5]), normal(gen, [2, 2, 4])], fn: (x, w) => ops.conv1d(x, w, null, { padding: 'same' }) },
  ],
  convTranspose2d: [
    { name: '[2, 3, 3, 4] with W[3, 2, 3, 2] + b', inputs: (gen) => [normal(gen, [2, 3, 3, 4]), normal(gen, [3, 2, 3, 2]), normal(gen, [2])], fn: (x, w, b) => ops.convTranspose2d(x, w, b) },
    { name: 'stride 2, padding 1, outputPadding 1, batch 1', inputs: (gen) => [normal(gen, [1, 2, 3, 3]), normal(gen, [2, 3, 3, 3]), normal(gen, [3])], fn: (x, w, b) => ops.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }) },
    { name: 'groups 2, dilation [2, 1], stride [1, 3]', inputs: (gen) => [normal(gen, [2, 4, 3, 2]), normal(gen, [4, 1, 2, 3])], fn: (x, w) => ops.convTranspose2d(x, w, null, { groups: 2, dilation: [2, 1], stride: [1, 3] }) },
  ],
  maxPool2d: [
    { name: 'kernel 2', inputs: (gen) => [grid(gen, [2, 2, 4, 6])], fn: (x) => ops.maxPool2d(x, 2) },
    { name: 'kernel 3, stride 2, padding 1, ceilMode, odd sizes', inputs: (gen) => [grid(gen, [1, 2, 7, 6])], fn: (x) => ops.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }) },
    { name: 'dilation 2, overlapping windows (stride 1)', inputs: (gen) => [grid(gen, [1, 1, 6, 5])], fn: (x) => ops.maxPool2d(x, [2, 2], { stride: 1, dilation: 2 }) },
    { name: 'unbatched [C, H, W], kernel [2, 3], stride [1, 2]', inputs: (gen) => [grid(gen, [2, 4, 7])], fn: (x) => ops.maxPool2d(x, [2, 3], { stride: [1, 2] }) },
  ],
  maxPool1d: [
    { name: 'kernel 2', inputs: (gen) => [grid(gen, [2, 3, 8])], fn: (x) => ops.maxPool1d(x, 2) },
    { name: 'kernel 3, stride 2, padding 1, ceilMode', inputs: (gen) => [grid(gen, [1, 2, 8])], fn: (x) => ops.maxPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true }) },
    { name: 'unbatched, dilation 2', inputs: (gen) => [grid(gen, [3, 9])], fn: (x) => ops.maxPool1d(x, 3, { stride: 1, dilation: 2 }) },
  ],
  avgPool2d: [
    { name: 'kernel 2', inputs: (gen) => [normal(gen, [2, 2, 4, 6])], fn: (x) => ops.avgPool2d(x, 2) },
    { name: 'kernel 3, stride 2, padding 1, countIncludePad false, ceilMode', inputs: (gen) => [normal(gen, [1, 2, 7, 6])], fn: (x) => ops.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false, ceilMode: true }) },
    { name: 'padding counted, kernel [3, 2], stride 1', inputs: (gen) => [normal(gen, [1, 1, 5, 4])], fn: (x) => ops.avgPool2d(x, [3, 2], { stride: 1, padding: [1, 1] }) },
    { name: 'divisorOverride 3, unbatched', inputs: (gen) => [normal(gen, [2, 4, 4])], fn: (x) => ops.avgPool2d(x, 2, { divisorOverride: 3 }) },
  ],
  avgPool1d: [
    { name: 'kernel 2', inputs: (gen) => [normal(gen, [2, 3, 8])], fn: (x) => ops.avgPool1d(x, 2) },
    { name: 'kernel 3, stride 2, padding 1, countIncludePad false', inputs: (gen) => [normal(gen, [1, 2, 7])], fn: (x) => ops.avgPool1d(x, 3, { stride: 2, padding: 1, countIncludePad: false }) },
    { name: 'ceilMode, unbatched', inputs: (gen) => [normal(gen, [2, 7])], fn: (x) => ops.avgPool1d(x, 2, { ceilMode: true }) },
  ],
  adaptiveAvgPool2d: [
    { name: 'global (output 1)', inputs: (gen) => [normal(gen, [2, 3, 4, 5])], fn: (x) => ops.adaptiveAvgPool2d(x, 1) },
    { name: 'overlapping windows: 7×5 → 3×2', inputs: (gen) => [normal(gen, [1, 2, 7, 5])], fn: (x) => ops.adaptiveAvgPool2d(x, [3, 2]) },
    { name: 'upsampling 2×3 → 3×4, unbatched', inputs: (gen) => [normal(gen, [2, 2, 3])], fn: (x) => ops.adaptiveAvgPool2d(x, [3, 4]) },
    { name: 'null keeps the height', inputs: (gen) => [normal(gen, [1, 2, 3, 6])], fn: (x) => ops.adaptiveAvgPool2d(x, [null, 2]) },
  ],
  pad: [
    { name: 'constant 2-D [1, 2, 0, 3] with value 0.5', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (x) => ops.pad(x, [1, 2, 0, 3], { value: 0.5 }) },
    { name: 'reflect the last two axes', inputs: (gen) => [normal(gen, [1, 2, 4, 5])], fn: (x) => ops.pad(x, [2, 3, 3, 1], { mode: 'reflect' }) },
    { name: 'replicate, wider than the axis', inputs: (gen) => [normal(gen, [2, 3])], fn: (x) => ops.pad(x, [4, 1], { mode: 'replicate' }) },
    { name: 'circular the last two axes, padding up to the whole axis', inputs: (gen) => [normal(gen, [1, 2, 3, 4])], fn: (x) => ops.pad(x, [4, 1, 2, 3], { mode: 'circular' }) },
    { name: 'constant on three axes of a transposed input', inputs: (gen) => [normal(gen, [3, 2, 2])], fn: (x) => ops.pad(ops.transpose(x, 0, 2), [1, 0, 0, 1, 2, 0]) },
  ],
  interpolate: [
    { name: 'bilinear up 3×4 → 5×7', inputs: (gen) => [normal(gen, [2, 2, 3, 4])], fn: (x) => ops.interpolate(x, { size: [5, 7], mode: 'bilinear' }) },
    { name: 'bilinear down 5×6 → 2×4', inputs: (gen) => [normal(gen, [1, 2, 5, 6])], fn: (x) => ops.interpolate(x, { size: [2, 4], mode: 'bilinear' }) },
    { name: 'nearest, scaleFactor 2 and 1.5', inputs: (gen) => [normal(gen, [1, 2, 3, 4])], fn: (x) => ops.interpolate(x, { scaleFactor: [2, 1.5] }) },
    { name: 'linear 1-D, scaleFactor 2.5', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (x) => ops.interpolate(x, { scaleFactor: 2.5, mode: 'linear' }) },
    { name: 'bilinear alignCorners up 3×4 → 5×7', inputs: (gen) => [normal(gen, [2, 2, 3, 4])], fn: (x) => ops.interpolate(x, { size: [5, 7], mode: 'bilinear', alignCorners: true }) },
    { name: 'bilinear alignCorners down 5×6 → 1×4', inputs: (gen) => [normal(gen, [1, 2, 5, 6])], fn: (x) => ops.interpolate(x, { size: [1, 4], mode: 'bilinear', alignCorners: true }) },
    { name: 'linear 1-D alignCorners, scaleFactor 2.5', inputs: (gen) => [normal(gen, [2, 3, 4])], fn: (x) => ops.interpolate(x, { scaleFactor: 2.5, mode: 'linear', alignCorners: true }) },
  ],
};

describe('gradcheck: every differentiable op against finite differences (float64)', () => {
  it('the table covers exactly the differentiable ops, each with several cases', () => {
    expect(Object.keys(cases).sort()).toEqual([...DIFFERENTIABLE_OPS].sort());
    for (const op of DIFFERENTIABLE_OPS) expect(cases[op].length, op).toBeGreaterThanOrEqual(3);
  });

  let seed = 1;
  for (const op of DIFFERENTIABLE_OPS) {
    describe(op, () => {
      for (const c of cases[op]) {
        const caseSeed = seed++;
        it(c.name, () => {
          const inputs = c.inputs(new Generator(caseSeed));
          const check = c.check ?? inputs.map((_, i) => i);
          const result = gradcheck(c.fn, inputs, { ...c.options, check });
          expect(result.ok, result.message).toBe(true);
        });
      }
    });
  }
});

describe('gradcheck: the oracle catches wrong derivatives', () => {
  // y = x³ recorded with the derivative 3x² deliberately replaced by 3x
  const wrongCube = defineOp<nd.Nd>('wrongCube', (g, x) => [nd.zip(g, x, (gv, xv) => gv * 3 * xv)]);
  const cube = (a: Tensor): Tensor => record(wrongCube, [a], nd.map(a.data, (v) => v * v * v), a.data);

  it('reports a wrong elementwise derivative', () => {
    const x = randn([3, 2], { dtype: 'float64', generator: new Generator(7) });
    const result = gradcheck(cube, [x]);
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/gradcheck failed: input 0/);
  });

  it('reports a backward that forgets the transpose of a non-square operand', () => {
    // d(a @ b)/da computed as g @ b (wrong) would not even have the right shape; use a square
    // b so the shapes fit and only the values are wrong
    const wrongMatmul = defineOp<{ b: nd.Nd }>('wrongMatmul', (g, { b }) => {
      const out = nd.zeros(g.shape, 'float64');
      nd.matmulInto(out, g, false, b, false); // should be b transposed
      return [out];
    });
    const mm = (a: Tensor, b: Tensor): Tensor => {
      const out = nd.zeros([a.shape[0], b.shape[1]], 'float64');
      nd.matmulInto(out, a.data, false, b.data, false);
      return record(wrongMatmul, [a], out, { b: b.data });
    };
    const gen = new Generator(8);
    const result = gradcheck(mm, [randn([2, 3], f64(gen)), randn([3, 3], f64(gen))], { check: [0] });
    expect(result.ok).toBe(false);
  });
});
