// Forward values of every elementwise op on strided views (transposed, permuted, stepped slices)
// combined with scalars, 0-d tensors and broadcast operands, against a plain broadcasting loop
// written here. Gradient checks cannot see a forward bug, and the engine picks its fast paths
// by contiguity and size, so each path is reached with a view that must not take it.
import { describe, expect, it } from 'vitest';
import * as ops from '../../src/ops';
import * as act from '../../src/activations';
import { tensor } from '../../src/creation';
import type { Tensor } from '../../src/tensor';
import { noGrad } from '../../src/autograd/tape';
import { GraphError } from '../../src/errors';

type Dtype = 'float32' | 'float64';

/** A plain nested-array value with its shape: the oracle's representation. */
interface Plain {
  shape: number[];
  values: number[]; // C order
}

function plainOf(t: Tensor): Plain {
  return { shape: [...t.shape], values: Array.from(t.toTypedArray()) };
}

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
}

/** The NumPy broadcast shape, written out as the rule says. */
function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error('test bug: shapes do not broadcast');
    out.push(Math.max(da, db) === 0 ? 0 : da === 1 ? db : da);
  }
  return out;
}

/** Element of `p` at the output index `idx` (of a possibly longer broadcast shape). */
function at(p: Plain, idx: readonly number[]): number {
  const lead = idx.length - p.shape.length;
  const st = stridesOf(p.shape);
  let off = 0;
  for (let d = 0; d < p.shape.length; d++) off += (p.shape[d] === 1 ? 0 : idx[lead + d]) * st[d];
  return p.values[off];
}

function reference2(a: Plain, b: Plain, f: (x: number, y: number) => number, round: (v: number) => number): Plain {
  const shape = broadcastShape(a.shape, b.shape);
  const size = shape.reduce((p, q) => p * q, 1);
  const st = stridesOf(shape);
  const values: number[] = [];
  for (let k = 0; k < size; k++) {
    const idx = shape.map((_, d) => Math.floor(k / st[d]) % shape[d]);
    values.push(round(f(at(a, idx), at(b, idx))));
  }
  return { shape, values };
}

function expectValues(actual: Tensor, expected: Plain, tol: number, label: string): void {
  expect([...actual.shape], `${label}: shape`).toEqual(expected.shape);
  const got = Array.from(actual.toTypedArray());
  expect(got.length, `${label}: size`).toBe(expected.values.length);
  got.forEach((v, i) => {
    const e = expected.values[i];
    const ok = Object.is(v, e) || (Number.isNaN(v) && Number.isNaN(e)) || Math.abs(v - e) <= tol * Math.max(1, Math.abs(e));
    if (!ok) expect.fail(`${label}: element ${i}: got ${v}, expected ${e} (got [${got.join(', ')}], expected [${expected.values.join(', ')}])`);
  });
}

/** The values of a [rows, cols] matrix given as a function, C order. */
function grid(rows: number, cols: number, f: (i: number, j: number) => number): number[][] {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));
}

/** Operand makers: each returns a tensor (a view where named so) and the plain values it holds. */
interface Operand {
  name: string;
  make: (dtype: Dtype) => Tensor | number;
}

// Values: positive and negative, with exact ties against the other operands (2, 0.5, -1) so that
// maximum/minimum/comparisons meet equal elements on every path.
const BASE = grid(3, 4, (i, j) => [2, -1, 0.5, 3, -2.5, 2, 1.25, -1, 0.5, 4, -3, 2][i * 4 + j]);
const OTHER = grid(3, 4, (i, j) => [0.5, 2, -1, 1.5, 2, -0.75, 1.25, 3, -2, 0.5, 2.5, -1][i * 4 + j]);

function transposed(values: number[][], dtype: Dtype): Tensor {
  const t = tensor(values, { dtype }).transpose(); // [4, 3] view, strides [1, 4]
  expect(t.toNdarray().stride).toEqual([1, 4]);
  return t;
}

/** Left operands that are [4, 3] (or 1-D [6]) strided views. */
const VIEWS: Operand[] = [
  { name: 'transposed [4,3]', make: (d) => transposed(BASE, d) },
  {
    name: 'permuted [4,3,2]',
    make: (d) => tensor([BASE, OTHER], { dtype: d }).permute([2, 1, 0]), // [4, 3, 2]
  },
  {
    name: 'stepped slice [6]',
    make: (d) => tensor(BASE.flat(), { dtype: d }).slice([[0, 12, 2]]),
  },
  {
    name: 'offset column view [4,1]',
    make: (d) => tensor(BASE, { dtype: d }).transpose().slice([null, [2, 3]]), // column 2 of the transpose
  },
];

/** Right operands: scalars, 0-d tensors, rows, columns, other views and contiguous arrays. */
function partnersFor(view: Tensor): Operand[] {
  const shape = view.shape;
  const last = shape[shape.length - 1];
  const rowValues = Array.from({ length: last }, (_, j) => [2, -1, 0.5, 3, 1, -2][j % 6]);
  const full = Array.from({ length: view.size }, (_, k) => [0.5, 2, -1, 1.5, -2, 3, 2, -0.5][k % 8]);
  const partners: Operand[] = [
    { name: 'number 2', make: () => 2 },
    { name: 'number -1', make: () => -1 },
    { name: '0-d tensor 0.5', make: (d) => tensor(0.5, { dtype: d }) },
    { name: 'row', make: (d) => tensor(rowValues, { dtype: d }) },
    { name: 'contiguous same shape', make: (d) => tensor(full, { dtype: d }).reshape([...shape]) },
    { name: 'one-element [1]', make: (d) => tensor([2], { dtype: d }) },
  ];
  if (shape.length >= 2) {
    const rows = shape[shape.length - 2];
    partners.push({
      name: 'column [n,1]',
      make: (d) => tensor(Array.from({ length: rows }, (_, i) => [[1, -1, 2, 0.5][i % 4]]), { dtype: d }),
    });
  }
  if (shape.length === 2 && shape[0] === 4 && shape[1] === 3) {
    partners.push({ name: 'another transposed view', make: (d) => transposed(OTHER, d) });
    partners.push({
      name: 'strided row (every other element)',
      make: (d) => tensor([2, 9, -1, 9, 0.5], { dtype: d }).slice([[0, 5, 2]]),
    });
    partners.push({ name: '[1,3] row', make: (d) => tensor([[2, -1, 0.5]], { dtype: d }) });
  }
  return partners;
}

interface BinaryCase {
  name: string;
  op: (a: Tensor | number, b: Tensor | number) => Tensor;
  f: (x: number, y: number) => number;
}

const gtF = (x: number, y: number): number => (x > y ? 1 : 0);
const BINARY: BinaryCase[] = [
  { name: 'add', op: ops.add, f: (x, y) => x + y },
  { name: 'sub', op: ops.sub, f: (x, y) => x - y },
  { name: 'mul', op: ops.mul, f: (x, y) => x * y },
  { name: 'div', op: ops.div, f: (x, y) => x / y },
  { name: 'pow', op: ops.pow, f: (x, y) => Math.pow(x, y) },
  { name: 'maximum', op: ops.maximum, f: (x, y) => Math.max(x, y) },
  { name: 'minimum', op: ops.minimum, f: (x, y) => Math.min(x, y) },
  { name: 'gt', op: ops.gt, f: gtF },
  { name: 'ge', op: ops.ge, f: (x, y) => (x >= y ? 1 : 0) },
  { name: 'lt', op: ops.lt, f: (x, y) => (x < y ? 1 : 0) },
  { name: 'le', op: ops.le, f: (x, y) => (x <= y ? 1 : 0) },
  { name: 'eq', op: ops.eq, f: (x, y) => (x === y ? 1 : 0) },
];

function plainOfOperand(x: Tensor | number): Plain {
  return typeof x === 'number' ? { shape: [], values: [x] } : plainOf(x);
}

const ROUND: Record<Dtype, (v: number) => number> = { float64: (v) => v, float32: Math.fround };
// float32 inputs are exact in these tests; results are rounded once, so 1 ulp of slack suffices
const TOL: Record<Dtype, number> = { float64: 0, float32: 2 ** -23 };

describe.each(['float64', 'float32'] as const)('binary ops on strided views match a plain broadcasting loop (%s)', (dtype) => {
  for (const c of BINARY) {
    it(`${c.name}: every view with every partner, in both operand orders`, () => {
      for (const view of VIEWS) {
        const a = view.make(dtype) as Tensor;
        for (const partner of partnersFor(a)) {
          const b = partner.make(dtype);
          const pa = plainOfOperand(a);
          const pb = plainOfOperand(b);
          // the oracle reads the inputs' values at float precision, as the op does
          expectValues(c.op(a, b), reference2(pa, pb, c.f, ROUND[dtype]), TOL[dtype], `${c.name}(${view.name}, ${partner.name})`);
          expectValues(c.op(b, a), reference2(pb, pa, c.f, ROUND[dtype]), TOL[dtype], `${c.name}(${partner.name}, ${view.name})`);
        }
      }
    });
  }

  it('outer broadcasts [n,1] ⊕ [1,m] and [n,1] ⊕ [m] of transposed columns', () => {
    const col = tensor([[1, -2, 3], [9, 9, 9]], { dtype }).transpose().slice([null, [0, 1]]); // [3, 1] view, strides [1, 3]
    const row = tensor([[0.5, 2, -1, 4]], { dtype }); // [1, 4]
    const flat = tensor([0.5, 2, -1, 4], { dtype });
    for (const c of BINARY) {
      for (const r of [row, flat]) {
        expectValues(c.op(col, r), reference2(plainOf(col), plainOf(r), c.f, ROUND[dtype]), TOL[dtype], `${c.name} outer`);
        expectValues(c.op(r, col), reference2(plainOf(r), plainOf(col), c.f, ROUND[dtype]), TOL[dtype], `${c.name} outer reversed`);
      }
    }
  });

  it('0-d views into a larger buffer (a squeezed one-element slice) on both sides', () => {
    // neither operand is contiguous (offset ≠ 0), so no fast path applies: the general walk meets 0-d
    const p = tensor([9, 9, 3], { dtype }).slice([[2, 3]]).squeeze();
    const q = tensor([9, -2, 9], { dtype }).slice([[1, 2]]).squeeze();
    expect(p.shape).toEqual([]);
    expect(p.toNdarray().offset).toBe(2);
    for (const c of BINARY) {
      expectValues(c.op(p, q), { shape: [], values: [ROUND[dtype](c.f(3, -2))] }, TOL[dtype], `${c.name}(0-d view, 0-d view)`);
      expectValues(c.op(q, p), { shape: [], values: [ROUND[dtype](c.f(-2, 3))] }, TOL[dtype], `${c.name}(0-d view, 0-d view) reversed`);
      expectValues(c.op(p, tensor([1, 2], { dtype })), reference2(plainOf(p), { shape: [2], values: [1, 2] }, c.f, ROUND[dtype]), TOL[dtype], `${c.name}(0-d view, [2])`);
    }
  });

  it('[1]-shaped and 0-d operands against each other give the broadcast shape', () => {
    const one = tensor([3], { dtype });
    const zero = tensor(2, { dtype });
    for (const c of BINARY) {
      expectValues(c.op(one, zero), { shape: [1], values: [ROUND[dtype](c.f(3, 2))] }, TOL[dtype], `${c.name}([1], 0-d)`);
      expectValues(c.op(zero, zero), { shape: [], values: [ROUND[dtype](c.f(2, 2))] }, TOL[dtype], `${c.name}(0-d, 0-d)`);
    }
  });
});

interface UnaryCase {
  name: string;
  op: (a: Tensor) => Tensor;
  f: (x: number) => number;
}

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));
const UNARY: UnaryCase[] = [
  { name: 'neg', op: ops.neg, f: (x) => -x },
  { name: 'exp', op: ops.exp, f: Math.exp },
  { name: 'log', op: ops.log, f: Math.log },
  { name: 'sqrt', op: ops.sqrt, f: Math.sqrt },
  { name: 'abs', op: ops.abs, f: Math.abs },
  { name: 'square', op: ops.square, f: (x) => x * x },
  { name: 'clamp(-1, 2)', op: (a) => ops.clamp(a, -1, 2), f: (x) => Math.min(2, Math.max(-1, x)) },
  { name: 'clamp(null, 0.5)', op: (a) => ops.clamp(a, null, 0.5), f: (x) => Math.min(0.5, x) },
  { name: 'relu', op: (a) => act.relu(a), f: (x) => Math.max(0, x) },
  { name: 'leakyRelu', op: (a) => act.leakyRelu(a), f: (x) => (x > 0 ? x : 0.01 * x) },
  { name: 'sigmoid', op: (a) => act.sigmoid(a), f: sigma },
  { name: 'tanh', op: (a) => act.tanh(a), f: Math.tanh },
  { name: 'softplus', op: (a) => act.softplus(a), f: (x) => Math.log1p(Math.exp(x)) },
  { name: 'silu', op: (a) => act.silu(a), f: (x) => x * sigma(x) },
  { name: 'heaviside(threshold 0.5)', op: (a) => act.heaviside(a, { threshold: 0.5 }), f: (x) => (x > 0.5 ? 1 : 0) },
  { name: 'sign', op: (a) => act.sign(a), f: Math.sign },
  { name: 'hardtanh', op: (a) => act.hardtanh(a), f: (x) => Math.min(1, Math.max(-1, x)) },
];

describe.each(['float64', 'float32'] as const)('unary ops and activations on strided views match a plain loop (%s)', (dtype) => {
  // float32 results of transcendental functions may differ from the rounded float64 value by an ulp
  const tol = dtype === 'float64' ? 1e-15 : 2 ** -22;
  for (const c of UNARY) {
    it(`${c.name}: every view`, () => {
      for (const view of VIEWS) {
        const a = view.make(dtype) as Tensor;
        const pa = plainOf(a);
        const expected = { shape: pa.shape, values: pa.values.map((v) => ROUND[dtype](c.f(v))) };
        expectValues(c.op(a), expected, tol, `${c.name}(${view.name})`);
      }
    });
  }
});

describe('no input requires grad: nothing is recorded', () => {
  const unaryOps: [string, (a: Tensor) => Tensor][] = [
    ...UNARY.map((c): [string, (a: Tensor) => Tensor] => [c.name, c.op]),
    ['sum', (a) => ops.sum(a)],
    ['mean(0)', (a) => ops.mean(a, 0)],
    ['max(1)', (a) => ops.max(a, 1)],
    ['min', (a) => ops.min(a)],
    ['logsumexp', (a) => ops.logsumexp(a, -1)],
    ['softmax', (a) => ops.softmax(a)],
    ['transpose', (a) => a.transpose()],
    ['reshape', (a) => a.reshape([12])],
    ['matmul', (a) => ops.matmul(a, a.transpose())],
    ['linear', (a) => ops.linear(a, tensor([[1, 2, 3, 4]]), tensor([1]))],
    ['mseLoss', (a) => ops.mseLoss(a, tensor(OTHER))],
    ['clone', (a) => ops.clone(a)],
    ['cast', (a) => ops.cast(a, 'float64')],
  ];

  it('elementwise binary ops: output does not require grad unless an input does', () => {
    for (const c of BINARY) {
      const a = tensor(BASE);
      const b = tensor(OTHER);
      expect(c.op(a, b).requiresGrad, c.name).toBe(false);
      expect(c.op(a, 2).requiresGrad, `${c.name} with a number`).toBe(false);
      const isComparison = ['gt', 'ge', 'lt', 'le', 'eq'].includes(c.name);
      const w = tensor(OTHER, { requiresGrad: true });
      // comparisons are never differentiable; the arithmetic ops record when one input requires grad
      expect(c.op(a, w).requiresGrad, `${c.name} with a grad input on the right`).toBe(!isComparison);
      expect(c.op(w, a).requiresGrad, `${c.name} with a grad input on the left`).toBe(!isComparison);
      expect(noGrad(() => c.op(w, a)).requiresGrad, `${c.name} under noGrad`).toBe(false);
    }
  });

  it('unary ops, activations, reductions, shape ops, matmul, linear and losses', () => {
    for (const [name, op] of unaryOps) {
      const plain = op(tensor(BASE, { dtype: 'float64' }).abs().add(0.5));
      expect(plain.requiresGrad, name).toBe(false);
      expect(plain.isLeaf, `${name}: an unrecorded output is a leaf`).toBe(true);
      const w = tensor(BASE, { dtype: 'float64', requiresGrad: true });
      const recorded = op(w.abs().add(0.5));
      expect(recorded.requiresGrad, `${name} with a grad input`).toBe(true);
      expect(recorded.isLeaf, `${name}: a recorded output is not a leaf`).toBe(false);
      expect(noGrad(() => op(w.abs().add(0.5))).requiresGrad, `${name} under noGrad`).toBe(false);
    }
  });

  it('an unrecorded output cannot be differentiated: backward throws GraphError', () => {
    const y = ops.mul(tensor([1, 2]), 3).sum();
    expect(() => y.backward()).toThrow(GraphError);
  });
});
