// Property-based tests (fast-check, seeded, bounded runs so the whole file takes a few seconds):
//  1. every differentiable op's gradient at random shapes and broadcast pairs equals float64
//     central finite differences (the table is keyed by OpName: a new op without a case here is
//     a compile error);
//  2. random bad inputs to public functions throw a library error and change no state;
//  3. random byte mutations of a saved checkpoint give a CheckpointError or an identical load,
//     never a different model and never another kind of error.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as ops from '../src/ops';
import { DIFFERENTIABLE_OPS, type OpName } from '../src/ops';
import { gradcheck } from '../src/autograd/gradcheck';
import { CheckpointError, decodeCheckpoint, applyCheckpoint, encodeCheckpoint, crc32 } from '../src/checkpoint';
import { Generator, SurrogradError, nn, optim, rand, randn, tensor, zeros, type Tensor } from '../src';

const SEED = 20261130;
const RUNS = 12;
const params = (numRuns = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns, endOnFailure: true });

// ---- arbitraries ----

const dim = fc.integer({ min: 1, max: 3 });
const shapeArb = (minRank = 0, maxRank = 3): fc.Arbitrary<number[]> => fc.array(dim, { minLength: minRank, maxLength: maxRank });

/** A shape and a partner it broadcasts with (leading dims dropped, some dims set to 1), in either order. */
const broadcastPair: fc.Arbitrary<[number[], number[]]> = shapeArb()
  .chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.integer({ min: 0, max: s.length }),
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
      fc.boolean(),
    ),
  )
  .map(([s, drop, ones, swap]) => {
    const partner = s.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
    return swap ? [partner, s] : [s, partner];
  });

const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);
const f64 = (gen: Generator) => ({ dtype: 'float64' as const, generator: gen });
const normal = (gen: Generator, shape: number[]): Tensor => randn(shape, f64(gen));
const positive = (gen: Generator, shape: number[]): Tensor => rand(shape, { ...f64(gen), low: 0.5, high: 2 });
/** Distinct values 0.3 apart in random order, shifted by offset: kinks (abs, max, clamp) stay ≥ 0.075 away. */
function grid(gen: Generator, shape: number[], offset = 0): Tensor {
  const n = size(shape);
  const order = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(gen.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tensor(new Float64Array(order.map((k) => (k - Math.floor(n / 2)) * 0.3 + offset + 0.05)), { shape });
}
const ints = (gen: Generator, shape: number[], bound: number): Tensor =>
  tensor(new Float64Array(Array.from({ length: size(shape) }, () => Math.floor(gen.uniform() * bound))), { shape });

/** One property case: draws (from fast-check values and a seeded generator) inputs and the function to check. */
interface Drawn {
  inputs: Tensor[];
  fn: (...xs: Tensor[]) => Tensor;
  check?: number[];
}
type Case = fc.Arbitrary<(gen: Generator) => Drawn>;

const unaryCase = (make: (gen: Generator, s: number[]) => Tensor, f: (x: Tensor) => Tensor): Case =>
  shapeArb().map((s) => (gen) => ({ inputs: [make(gen, s)], fn: f }));

const binaryCase = (
  makeA: (gen: Generator, s: number[]) => Tensor,
  makeB: (gen: Generator, s: number[]) => Tensor,
  f: (a: Tensor, b: Tensor) => Tensor,
): Case => broadcastPair.map(([sa, sb]) => (gen) => ({ inputs: [makeA(gen, sa), makeB(gen, sb)], fn: f }));

/** A shape of rank ≥ 1 and a subset of its axes (as a list or one number), with keepDims. */
const reduceArgs = shapeArb(1).chain((s) =>
  fc.tuple(fc.constant(s), fc.subarray([...s.keys()], { minLength: 1 }), fc.boolean(), fc.boolean()),
);

const reduceCase = (make: (gen: Generator, s: number[]) => Tensor, f: (x: Tensor, axis: number | number[], keep: boolean) => Tensor): Case =>
  reduceArgs.map(([s, axes, single, keep]) => (gen) => ({
    inputs: [make(gen, s)],
    fn: (x) => f(x, single ? axes[0] : axes, keep),
  }));

const axisCase = (make: (gen: Generator, s: number[]) => Tensor, f: (x: Tensor, axis: number) => Tensor, extra = 0): Case =>
  shapeArb(1).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length - extra, max: s.length - 1 + extra })))
    .map(([s, axis]) => (gen) => ({ inputs: [make(gen, s)], fn: (x) => f(x, axis) }));

const permutation = (n: number): fc.Arbitrary<number[]> =>
  fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }).map((keys) =>
    [...keys.keys()].sort((i, j) => keys[i] - keys[j] || i - j),
  );

const lossCase = (makeTarget: (gen: Generator, s: number[]) => Tensor, f: (p: Tensor, t: Tensor, r: ops.Reduction) => Tensor, makePred = grid): Case =>
  fc.tuple(shapeArb(1), fc.constantFrom<ops.Reduction>('mean', 'sum', 'none')).map(([s, reduction]) => (gen) => ({
    inputs: [makePred(gen, s), makeTarget(gen, s)],
    fn: (p, t) => f(p, t, reduction),
    check: [0],
  }));

const classCase = (f: (x: Tensor, labels: Tensor, r: ops.Reduction) => Tensor, logProbs: boolean): Case =>
  fc.tuple(dim, fc.integer({ min: 2, max: 4 }), fc.constantFrom<ops.Reduction>('mean', 'sum', 'none')).map(([n, c, reduction]) => (gen) => ({
    inputs: [logProbs ? ops.logSoftmax(normal(gen, [n, c]), -1) : normal(gen, [n, c]), ints(gen, [n], c)],
    fn: (x, labels) => f(x, labels, reduction),
    check: [0],
  }));

// ---- the table, keyed by OpName ----
const CASES: Record<OpName, Case> = {
  add: binaryCase(normal, normal, ops.add),
  sub: binaryCase(normal, normal, ops.sub),
  mul: binaryCase(normal, normal, ops.mul),
  div: binaryCase(normal, positive, ops.div),
  pow: binaryCase(positive, normal, ops.pow),
  maximum: binaryCase(grid, (g, s) => grid(g, s, 0.15), ops.maximum),
  minimum: binaryCase(grid, (g, s) => grid(g, s, 0.15), ops.minimum),
  neg: unaryCase(normal, ops.neg),
  exp: unaryCase(normal, ops.exp),
  log: unaryCase(positive, ops.log),
  sqrt: unaryCase(positive, ops.sqrt),
  abs: unaryCase(grid, ops.abs),
  square: unaryCase(normal, ops.square),
  clamp: unaryCase(grid, (x) => ops.clamp(x, -0.4, 0.5)),
  clone: unaryCase(normal, ops.clone),
  cast: unaryCase(normal, (x) => ops.cast(x, 'float64')),
  matmul: fc.tuple(shapeArb(0, 1), dim, dim, dim).map(([batch, n, k, m]) => (gen) => ({
    inputs: [normal(gen, [...batch, n, k]), normal(gen, [k, m])],
    fn: ops.matmul,
  })),
  linear: fc.tuple(dim, dim, dim, fc.boolean()).map(([b, i, o, bias]) => (gen) => ({
    inputs: bias ? [normal(gen, [b, i]), normal(gen, [o, i]), normal(gen, [o])] : [normal(gen, [b, i]), normal(gen, [o, i])],
    fn: (x, w, c) => ops.linear(x, w, c ?? null),
  })),
  sum: reduceCase(normal, ops.sum),
  mean: reduceCase(normal, ops.mean),
  max: reduceCase(grid, ops.max),
  min: reduceCase(grid, ops.min),
  logsumexp: reduceCase(normal, ops.logsumexp),
  reshape: shapeArb().map((s) => (gen) => ({ inputs: [normal(gen, s)], fn: (x) => ops.reshape(x, [size(s)]) })),
  flatten: shapeArb(1).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }))).map(([s, start]) => (gen) => ({
    inputs: [normal(gen, s)],
    fn: (x) => ops.flatten(x, start, -1),
  })),
  transpose: shapeArb(2).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 0, max: s.length - 1 })))
    .map(([s, d0, d1]) => (gen) => ({ inputs: [normal(gen, s)], fn: (x) => ops.transpose(x, d0, d1) })),
  permute: shapeArb(1).chain((s) => fc.tuple(fc.constant(s), permutation(s.length))).map(([s, p]) => (gen) => ({
    inputs: [normal(gen, s)],
    fn: (x) => ops.permute(x, p),
  })),
  squeeze: fc.array(fc.integer({ min: 1, max: 2 }), { maxLength: 4 }).map((s) => (gen) => ({ inputs: [normal(gen, s)], fn: (x) => ops.squeeze(x) })),
  unsqueeze: axisCase(normal, ops.unsqueeze, 1),
  slice: shapeArb(1).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s[0] - 1 }))).map(([s, start]) => (gen) => ({
    inputs: [normal(gen, s)],
    fn: (x) => ops.slice(x, [[start, s[0]]]),
  })),
  concat: shapeArb(1).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), dim)).map(([s, axis, other]) => (gen) => {
    const s2 = s.map((d, i) => (i === axis ? other : d));
    return { inputs: [normal(gen, s), normal(gen, s2)], fn: (a, b) => ops.concat([a, b], axis) };
  }),
  stack: shapeArb().chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: -s.length - 1, max: s.length }))).map(([s, axis]) => (gen) => ({
    inputs: [normal(gen, s), normal(gen, s)],
    fn: (a, b) => ops.stack([a, b], axis),
  })),
  gather: shapeArb(1).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }))).map(([s, axis]) => (gen) => ({
    inputs: [normal(gen, s), ints(gen, s, s[axis])],
    fn: (a, index) => ops.gather(a, axis, index),
    check: [0],
  })),
  where: broadcastPair.map(([sa, sb]) => (gen) => ({
    inputs: [normal(gen, sa), normal(gen, sb)],
    fn: (a, b) => ops.where(ops.gt(ops.add(a, b), 0), a, b),
  })),
  softmax: axisCase(normal, ops.softmax),
  logSoftmax: axisCase(normal, ops.logSoftmax),
  mseLoss: lossCase(normal, (p, t, reduction) => ops.mseLoss(p, t, { reduction }), normal),
  l1Loss: lossCase((g, s) => grid(g, s, 0.15), (p, t, reduction) => ops.l1Loss(p, t, { reduction })),
  binaryCrossEntropyWithLogits: lossCase((g, s) => rand(s, f64(g)), (p, t, reduction) => ops.binaryCrossEntropyWithLogits(p, t, { reduction }), normal),
  crossEntropy: classCase((x, labels, reduction) => ops.crossEntropy(x, labels, { reduction }), false),
  nllLoss: classCase((x, labels, reduction) => ops.nllLoss(x, labels, { reduction }), true),
  conv1d: fc.tuple(dim, dim, dim, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.boolean())
    .map(([n, cin, cout, k, extra, stride, bias]) => (gen) => ({
      inputs: [normal(gen, [n, cin, k + extra]), normal(gen, [cout, cin, k]), ...(bias ? [normal(gen, [cout])] : [])],
      fn: (x, w, b) => ops.conv1d(x, w, b ?? null, { stride }),
    })),
  conv2d: fc.tuple(dim, dim, dim, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1 }))
    .map(([n, cin, cout, k, extra, stride, padding]) => (gen) => ({
      inputs: [normal(gen, [n, cin, k + extra, k + 1]), normal(gen, [cout, cin, k, k]), normal(gen, [cout])],
      fn: (x, w, b) => ops.conv2d(x, w, b, { stride, padding }),
    })),
  convTranspose2d: fc.tuple(dim, dim, dim, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }))
    .map(([n, cin, cout, k, stride]) => (gen) => ({
      inputs: [normal(gen, [n, cin, 2, 2]), normal(gen, [cin, cout, k, k]), normal(gen, [cout])],
      fn: (x, w, b) => ops.convTranspose2d(x, w, b, { stride }),
    })),
  maxPool1d: fc.tuple(dim, dim, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }))
    .map(([n, c, k, extra]) => (gen) => ({ inputs: [grid(gen, [n, c, k + extra + 1])], fn: (x) => ops.maxPool1d(x, k) })),
  maxPool2d: fc.tuple(dim, dim, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }))
    .map(([n, c, k, extra]) => (gen) => ({ inputs: [grid(gen, [n, c, k + extra, k + 1])], fn: (x) => ops.maxPool2d(x, k) })),
  avgPool1d: fc.tuple(dim, dim, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }))
    .map(([n, c, k, extra]) => (gen) => ({ inputs: [normal(gen, [n, c, k + extra])], fn: (x) => ops.avgPool1d(x, k) })),
  avgPool2d: fc.tuple(dim, dim, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 2 }))
    .map(([n, c, k, extra, stride]) => (gen) => ({ inputs: [normal(gen, [n, c, k + extra, k + 1])], fn: (x) => ops.avgPool2d(x, k, { stride }) })),
  adaptiveAvgPool2d: fc.tuple(dim, dim, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), dim, dim)
    .map(([n, c, h, w, oh, ow]) => (gen) => ({ inputs: [normal(gen, [n, c, h, w])], fn: (x) => ops.adaptiveAvgPool2d(x, [oh, ow]) })),
  pad: fc.tuple(dim, fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.constantFrom<'constant' | 'reflect' | 'replicate'>('constant', 'reflect', 'replicate'))
    .map(([n, l, before, after, mode]) => (gen) => ({ inputs: [normal(gen, [n, 2, l])], fn: (x) => ops.pad(x, [before, after], { mode }) })),
  interpolate: fc.tuple(dim, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom<'nearest' | 'bilinear'>('nearest', 'bilinear'))
    .map(([n, h, out, mode]) => (gen) => ({ inputs: [normal(gen, [n, 1, h, h + 1])], fn: (x) => ops.interpolate(x, { size: [out, out + 1], mode }) })),
};

describe('property: gradients at random shapes and broadcast pairs match float64 finite differences', () => {
  it('the table covers every differentiable op', () => {
    expect(Object.keys(CASES).sort()).toEqual([...DIFFERENTIABLE_OPS].sort());
  });
  it.each([...DIFFERENTIABLE_OPS])('%s', (name) => {
    fc.assert(
      fc.property(CASES[name], fc.integer({ min: 0, max: 2 ** 31 - 1 }), (draw, seed) => {
        const { inputs, fn, check } = draw(new Generator(seed));
        const result = gradcheck(fn, inputs, { check, atol: 1e-5, rtol: 1e-4 });
        if (!result.ok) throw new Error(`${name} at shapes ${inputs.map((t) => `[${t.shape}]`).join(', ')}: ${result.message}`);
      }),
      params(),
    );
  });
});

// ---- 2. bad inputs: a library error, and the state unchanged ----

const badValue = fc.oneof(
  fc.constantFrom<unknown>(Number.NaN, Infinity, -Infinity, -1, -0.5, 1.5, 0, 1e308, null, '', 'x', true, [], {}, [Number.NaN], () => 1),
  fc.string({ maxLength: 4 }),
  fc.double(),
  fc.integer({ min: -5, max: -1 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.constantFrom<unknown>(1, 'a', null)),
);

interface World {
  model: nn.Sequential;
  opt: optim.Adam;
  sched: optim.StepLR;
}

function world(): World {
  const model = nn.mlp([3, 4, 2], { generator: new Generator(7) });
  const opt = new optim.Adam(model.parameters(), { lr: 0.01 });
  for (const p of model.parameters()) p.grad = zeros(p.shape as number[]).add(0.1);
  opt.step();
  const sched = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
  sched.step();
  return { model, opt, sched };
}

function stateOf(w: World): string {
  const floats = (_k: string, v: unknown): unknown => (v instanceof Float32Array || v instanceof Float64Array ? [...v] : v);
  return JSON.stringify({
    params: w.model.parameters().map((p) => p.toArray()),
    opt: w.opt.stateDict(),
    groups: w.opt.paramGroups.map(({ params: ps, ...rest }) => ({ ...rest, n: ps.length })),
    sched: { lastEpoch: w.sched.lastEpoch, baseLrs: w.sched.baseLrs, lastLrs: w.sched.getLastLr() },
  }, floats);
}

/** Public calls that take one bad value somewhere; each either succeeds (the value was valid) or throws a library error. */
const CALLS: [string, (w: World, v: unknown) => unknown][] = [
  ['StepLR stepSize', (w, v) => new optim.StepLR(w.opt, { stepSize: v as number })],
  ['StepLR gamma', (w, v) => new optim.StepLR(w.opt, { stepSize: 1, gamma: v as number })],
  ['StepLR options', (w, v) => new optim.StepLR(w.opt, v as never)],
  ['MultiStepLR milestones', (w, v) => new optim.MultiStepLR(w.opt, { milestones: v as number[] })],
  ['CosineAnnealingLR options', (w, v) => new optim.CosineAnnealingLR(w.opt, v as never)],
  ['LinearWarmup warmupSteps', (w, v) => new optim.LinearWarmup(w.opt, { warmupSteps: v as number })],
  ['ReduceLROnPlateau options', (w, v) => new optim.ReduceLROnPlateau(w.opt, v as never)],
  ['scheduler.loadStateDict field', (w, v) => w.sched.loadStateDict({ ...w.sched.stateDict(), lastEpoch: 5, baseLrs: [0.5], lastLrs: v as number[] })],
  ['scheduler.loadStateDict whole', (w, v) => w.sched.loadStateDict(v as never)],
  ['optimizer.loadStateDict group', (w, v) => w.opt.loadStateDict({ ...w.opt.stateDict(), paramGroups: [v as never] })],
  ['optimizer.loadStateDict state', (w, v) => w.opt.loadStateDict({ ...w.opt.stateDict(), state: { 0: v as never } })],
  ['optimizer.loadStateDict whole', (w, v) => w.opt.loadStateDict(v as never)],
  ['optimizer.addParamGroup', (w, v) => w.opt.addParamGroup(v as never)],
  ['model.loadStateDict entry', (w, v) => w.model.loadStateDict({ ...w.model.stateDict(), '0.weight': v as Tensor })],
  ['model.loadStateDict whole', (w, v) => w.model.loadStateDict(v as never)],
  ['clipGradNorm maxNorm', (w, v) => optim.clipGradNorm(w.model.parameters(), v as number, { errorIfNonfinite: true })],
  ['clipGradNorm options', (w, v) => optim.clipGradNorm(w.model.parameters(), 1, v as never)],
  ['tensor options', (_w, v) => tensor([1, 2], v as never)],
  ['tensor values', (_w, v) => tensor(v as never)],
  ['randn options', (_w, v) => randn([2], v as never)],
  ['rand high', (_w, v) => rand([2], { high: v as number })],
  ['zeros shape', (_w, v) => zeros(v as number[])],
  ['Linear options', (_w, v) => new nn.Linear(2, 3, v as never)],
  ['BatchNorm1d momentum', (_w, v) => new nn.BatchNorm1d(3, { momentum: v as number })],
  ['mlp sizes', (_w, v) => nn.mlp(v as number[])],
  ['sum axis', (w, v) => w.model.parameters()[0].sum(v as number)],
  ['unsqueeze axis', (w, v) => w.model.parameters()[0].unsqueeze(v as number)],
  ['backward options', (_w, v) => tensor([1], { requiresGrad: true }).mul(2).sum().backward(v as never)],
];

describe('property: a bad input is a library error and changes nothing', () => {
  it.each(CALLS)('%s', (_name, call) => {
    const w = world();
    fc.assert(
      fc.property(badValue, (v) => {
        const before = stateOf(w);
        try {
          call(w, v);
        } catch (e) {
          if (!(e instanceof SurrogradError)) throw new Error(`not a library error for ${String(v)}: ${(e as Error).stack}`);
          if (stateOf(w) !== before) throw new Error(`state changed by a refused call with ${String(v)}`);
          return;
        }
        // accepted: put the world back for the next run
        Object.assign(w, world());
      }),
      params(25),
    );
  });
});

// ---- 3. checkpoint byte mutations ----

function modelValues(m: nn.Sequential): number[][] {
  return m.parameters().map((p) => Array.from(p.toTypedArray()));
}

describe('property: a mutated checkpoint is a CheckpointError or an identical load', () => {
  const source = world();
  const bytes = encodeCheckpoint({ model: source.model, optimizer: source.opt, scheduler: source.sched, meta: { epoch: 3 } });
  const expected = modelValues(source.model);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true);

  function tryLoad(mutated: Uint8Array): void {
    const target = world();
    const before = stateOf(target);
    try {
      const checkpoint = decodeCheckpoint(mutated);
      applyCheckpoint(checkpoint, { model: target.model, optimizer: target.opt, scheduler: target.sched });
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw new Error(`not a CheckpointError: ${(e as Error).stack}`);
      if (stateOf(target) !== before) throw new Error('a refused load changed the model, optimizer or scheduler');
      return;
    }
    // loaded: it must be exactly the saved model
    expect(modelValues(target.model)).toEqual(expected);
  }

  it('random bytes flipped anywhere in the file', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const mutated = bytes.slice();
        for (const [at, xor] of edits) mutated[at] ^= xor;
        tryLoad(mutated);
      }),
      params(60),
    );
  });

  it('truncated or extended files', () => {
    fc.assert(
      fc.property(fc.integer({ min: -bytes.length, max: 16 }), (delta) => {
        const mutated = delta <= 0 ? bytes.slice(0, bytes.length + delta) : new Uint8Array([...bytes, ...new Uint8Array(delta)]);
        if (delta === 0) return;
        tryLoad(mutated);
      }),
      params(30),
    );
  });

  it('header bytes changed with both checksums fixed (crafted files)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: headerLength - 1 }), fc.integer({ min: 32, max: 126 })), { minLength: 1, maxLength: 3 }), (edits) => {
        const mutated = bytes.slice();
        for (const [at, code] of edits) mutated[32 + at] = code;
        const view = new DataView(mutated.buffer);
        const dataStart = 32 + Math.ceil(headerLength / 8) * 8;
        view.setUint32(16, crc32(mutated.subarray(32, 32 + headerLength)), true);
        view.setUint32(20, crc32(mutated.subarray(dataStart)), true);
        tryLoad(mutated);
      }),
      params(150),
    );
  });
});
