// Every bad input is refused with one of the library's error classes, before anything changes.
// A table of bad calls (each with the class it must throw), then the state checks: a refused
// constructor leaves the optimizer as it was, a refused loadStateDict leaves the module, the
// optimizer and the scheduler as they were, and load() of a checkpoint applies all or nothing.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ArgumentError,
  CheckpointError,
  Generator,
  GraphError,
  RuleError,
  ShapeError,
  SurrogradError,
  arange,
  eye,
  full,
  grad,
  linspace,
  nn,
  ones,
  optim,
  rand,
  randn,
  rules,
  stack,
  tensor,
  valueAndGrad,
  withExactRules,
  gradcheck,
  data,
  snn,
  zeros,
  type Tensor,
} from '../src';
import { load, save } from '../src/node';
import { decodeCheckpoint, encodeCheckpoint, crc32 } from '../src/checkpoint';
import * as ops from '../src/ops';

type ErrorCtor = new (...args: never[]) => Error;

const sgd = (lr = 0.1): optim.SGD => new optim.SGD([zeros([2], { requiresGrad: true })], { lr });
const t2 = (): Tensor => tensor([[1, 2], [3, 4]], { requiresGrad: true });
const BAD_NUMBERS: unknown[] = [Number.NaN, Infinity, -Infinity, '1', null, {}, [1], true];

// ---- the table: [what, call, class] ----
const cases: [string, () => unknown, ErrorCtor][] = [];
const bad = (what: string, call: () => unknown, cls: ErrorCtor = ArgumentError): void => {
  cases.push([what, call, cls]);
};

// issue #12, item 3: raw TypeErrors from deep inside
bad('grad(f)(5)', () => grad((x: Tensor) => x.sum())(5 as unknown as Tensor));
bad('valueAndGrad(f)("a")', () => valueAndGrad((x: Tensor) => x.sum())('a' as unknown as Tensor));
bad('grad(5)', () => grad(5 as never));
bad('grad(f, [0, 0])', () => grad((x: Tensor) => x.sum(), [0, 0]));
bad('SGD([{ params: 5 }])', () => new optim.SGD([{ params: 5 as never }], { lr: 0.1 }));
bad('SGD([{ params: null }])', () => new optim.SGD([{ params: null as never }], { lr: 0.1 }));
bad('SGD([null])', () => new optim.SGD([null as never], { lr: 0.1 }));
bad('SGD(5)', () => new optim.SGD(5 as never, { lr: 0.1 }));
bad('tensor([1, 2], null)', () => tensor([1, 2], null as never));
bad('tensor("abc")', () => tensor('abc' as never));
bad('tensor({})', () => tensor({} as never));
bad('new nn.Linear(2, 3, null)', () => new nn.Linear(2, 3, null as never));

// item 4: non-finite or wrong-type arguments
bad('arange(NaN)', () => arange(Number.NaN));
bad('arange(0, Infinity)', () => arange(0, Infinity));
bad('arange(0, 1, 0)', () => arange(0, 1, 0));
bad('arange("3")', () => arange('3' as never));
bad('rand high Infinity', () => rand([3], { high: Infinity }));
bad('rand low NaN', () => rand([3], { low: Number.NaN }));
bad('randn std -1', () => randn([3], { std: -1 }));
bad('randn mean Infinity', () => randn([3], { mean: Infinity }));
bad('full([2], "a")', () => full([2], 'a' as never));
bad('full([2], null)', () => full([2], null as never));
bad('linspace steps 1.5', () => linspace(0, 1, 1.5));
bad('linspace start NaN', () => linspace(Number.NaN, 1, 3));
bad('eye(-1)', () => eye(-1));
bad('eye(2.5)', () => eye(2.5));
bad('zeros([-1])', () => zeros([-1]), ShapeError);
bad('zeros("3")', () => zeros('3' as never), ShapeError);
bad('ones([1.5])', () => ones([1.5]), ShapeError);
bad('rand requiresGrad "yes"', () => rand([2], { requiresGrad: 'yes' as never }));
bad('randn generator {}', () => randn([2], { generator: {} as never }));

// item 5: misspelt option keys
const misspelt: [string, () => unknown, ErrorCtor][] = [
  ['tensor dtyp', () => tensor([1], { dtyp: 'float64' } as never), ArgumentError],
  ['zeros dtpye', () => zeros([1], { dtpye: 'float64' } as never), ArgumentError],
  ['ones requiresgrad', () => ones([1], { requiresgrad: true } as never), ArgumentError],
  ['randn sdt', () => randn([1], { sdt: 2 } as never), ArgumentError],
  ['rand hi', () => rand([1], { hi: 2 } as never), ArgumentError],
  ['arange dtyp', () => arange(3, undefined, 1, { dtyp: 'float64' } as never), ArgumentError],
  ['Linear bais', () => new nn.Linear(2, 3, { bais: false } as never), ArgumentError],
  ['mlp activaton', () => nn.mlp([2, 3, 1], { activaton: 'tanh' } as never), ArgumentError],
  ['BatchNorm1d momentun', () => new nn.BatchNorm1d(3, { momentun: 0.2 } as never), ArgumentError],
  ['LayerNorm epsilon', () => new nn.LayerNorm(3, { epsilon: 1e-3 } as never), ArgumentError],
  ['Dropout generater', () => new nn.Dropout(0.5, { generater: new Generator(0) } as never), ArgumentError],
  ['MSELoss reduce', () => new nn.MSELoss({ reduce: 'sum' } as never), ArgumentError],
  ['StepLR gama', () => new optim.StepLR(sgd(), { stepSize: 2, gama: 0.5 } as never), ArgumentError],
  ['MultiStepLR milestone', () => new optim.MultiStepLR(sgd(), { milestone: [2] } as never), ArgumentError],
  ['ExponentialLR gama', () => new optim.ExponentialLR(sgd(), { gama: 0.5 } as never), ArgumentError],
  ['CosineAnnealingLR Tmax', () => new optim.CosineAnnealingLR(sgd(), { Tmax: 10 } as never), ArgumentError],
  ['LinearLR totalIter', () => new optim.LinearLR(sgd(), { totalIter: 3 } as never), ArgumentError],
  ['LinearWarmup warmup', () => new optim.LinearWarmup(sgd(), { warmup: 3 } as never), ArgumentError],
  ['ReduceLROnPlateau paitence', () => new optim.ReduceLROnPlateau(sgd(), { paitence: 3 } as never), ArgumentError],
  ['clipGradNorm normtype', () => optim.clipGradNorm([zeros([1])], 1, { normtype: 1 } as never), ArgumentError],
  ['backward retainGrpah', () => t2().sum().backward({ retainGrpah: true } as never), ArgumentError],
  ['rules.fastSigmoid slop', () => rules.fastSigmoid({ slop: 2 } as never), RuleError],
  ['rules.sigmoidShaped K', () => rules.sigmoidShaped({ K: 2 } as never), RuleError],
  ['rules.atan alfa', () => rules.atan({ alfa: 2 } as never), RuleError],
  ['rules.triangle width', () => rules.triangle({ width: 2 } as never), RuleError],
  ['rules.clippedStraightThrough lo', () => rules.clippedStraightThrough({ lo: -1 } as never), RuleError],
  ['init.kaimingUniform mod', () => nn.init.kaimingUniform(zeros([3, 2]), { mod: 'fanOut' } as never), ArgumentError],
  ['init.xavierNormal gian', () => nn.init.xavierNormal(zeros([3, 2]), { gian: 2 } as never), ArgumentError],
  ['init.uniform seed', () => nn.init.uniform(zeros([3, 2]), 0, 1, { seed: 1 } as never), ArgumentError],
];
cases.push(...misspelt);

// found by probing the public API with bad values (see test/property.test.ts for the random version)
bad('mseLoss reduce key', () => ops.mseLoss(t2(), t2(), { reduce: 'sum' } as never));
bad('crossEntropy reduction avg', () => ops.crossEntropy(t2(), [0, 1], { reduction: 'avg' as 'mean' }));
bad('clamp(t, "a")', () => ops.clamp(t2(), 'a' as never));
bad('clamp(t, NaN)', () => ops.clamp(t2(), Number.NaN));
bad('withExactRules(5)', () => withExactRules(5 as never));
bad('optimizer.step(5)', () => sgd().step(5 as never));
bad('loadStateDict strickt', () => new nn.Linear(2, 2).loadStateDict(new nn.Linear(2, 2).stateDict(), { strickt: false } as never));
bad('new nn.ModuleList(5)', () => new nn.ModuleList(5 as never));
bad('new nn.MSELoss(null)', () => new nn.MSELoss(null as never));
bad('gradcheck epss', () => gradcheck((x: Tensor) => x.sum(), [tensor([1], { dtype: 'float64' })], { epss: 1 } as never));
bad('gradcheck(f, 5)', () => gradcheck((x: Tensor) => x.sum(), 5 as never));
bad('exp(undefined)', () => ops.exp(undefined as never));
bad('t.sum(null)', () => t2().sum(null as never));
bad('t.squeeze(1.5)', () => t2().squeeze(1.5));
bad('data.subset(5, [0])', () => data.subset(5 as never, [0]));
bad('data.trainTestSplit({})', () => data.trainTestSplit({} as never));
bad('snn.ceMembraneLoss options null', () => snn.ceMembraneLoss([zeros([2, 3])], [0, 1], null as never));
bad('snn.ceMembraneLoss oevr', () => snn.ceMembraneLoss([zeros([2, 3])], [0, 1], { oevr: 'sum' } as never));
bad('nn.BinaryLinear options null', () => new nn.BinaryLinear(2, 3, null as never));
bad('nn.Conv2d strid', () => new nn.Conv2d(1, 1, 3, { strid: 2 } as never));
bad('load options modle', () => load('/nonexistent-but-options-first', { modle: nn.mlp([2, 1]) } as never), CheckpointError);
bad('save contents optimzer', () => save(path.join(os.tmpdir(), 'never-written.ckpt'), { model: nn.mlp([2, 1]), optimzer: sgd() } as never), CheckpointError);
bad('data.createDataset()', () => (data.createDataset as (o?: unknown) => unknown)());

// item 6: messages that mislead (the class here; the wording is checked below)
bad('unsqueeze(3) of 1-D', () => tensor([1, 2]).unsqueeze(3));
bad('stack at axis -4 of 2-D', () => stack([zeros([2, 2]), zeros([2, 2])], -4));

// numeric arguments and options, each bad value
for (const v of BAD_NUMBERS) {
  const shown = String(typeof v === 'object' ? JSON.stringify(v) : v);
  bad(`Linear(${shown}, 3)`, () => new nn.Linear(v as number, 3));
  bad(`BatchNorm1d eps ${shown}`, () => new nn.BatchNorm1d(3, { eps: v as number }));
  bad(`LayerNorm eps ${shown}`, () => new nn.LayerNorm(3, { eps: v as number }));
  bad(`Dropout(${shown})`, () => new nn.Dropout(v as number));
  bad(`StepLR stepSize ${shown}`, () => new optim.StepLR(sgd(), { stepSize: v as number }));
  bad(`StepLR gamma ${shown}`, () => new optim.StepLR(sgd(), { stepSize: 1, gamma: v as number }));
  bad(`ExponentialLR gamma ${shown}`, () => new optim.ExponentialLR(sgd(), { gamma: v as number }));
  bad(`CosineAnnealingLR tMax ${shown}`, () => new optim.CosineAnnealingLR(sgd(), { tMax: v as number }));
  bad(`LinearWarmup warmupSteps ${shown}`, () => new optim.LinearWarmup(sgd(), { warmupSteps: v as number }));
  bad(`ReduceLROnPlateau factor ${shown}`, () => new optim.ReduceLROnPlateau(sgd(), { factor: v as number }));
  bad(`SGD lr ${shown}`, () => new optim.SGD([zeros([1])], { lr: v as number }));
  bad(`Adam eps ${shown}`, () => new optim.Adam([zeros([1])], { eps: v as number }));
  if (v !== Infinity) bad(`clipGradNorm maxNorm ${shown}`, () => optim.clipGradNorm([zeros([1])], v as number)); // Infinity: no clipping
  bad(`rand high ${shown}`, () => rand([1], { high: v as number }));
  bad(`randn std ${shown}`, () => randn([1], { std: v as number }));
  bad(`rules.fastSigmoid slope ${shown}`, () => rules.fastSigmoid({ slope: v as number }), RuleError);
  bad(`rules.gaussian sigma ${shown}`, () => rules.gaussian({ sigma: v as number }), RuleError);
  bad(`init.normal std ${shown}`, () => nn.init.normal(zeros([2, 2]), 0, v as number));
  bad(`leakyRelu slope ${shown}`, () => t2().leakyRelu({ slope: v as number }));
}

// non-tensors where a tensor is expected, and bad axes
const notTensors: unknown[] = [5, [1, 2], null, 'x', {}];
for (const v of notTensors) {
  const shown = JSON.stringify(v);
  bad(`exp(${shown})`, () => (ops.exp as (a: unknown) => Tensor)(v));
  bad(`sum(${shown})`, () => (ops.sum as (a: unknown) => Tensor)(v));
  bad(`softmax(${shown})`, () => (ops.softmax as (a: unknown) => Tensor)(v));
  bad(`reshape(${shown}, [1])`, () => (ops.reshape as (a: unknown, s: number[]) => Tensor)(v, [1]));
  bad(`matmul(t, ${shown})`, () => (ops.matmul as (a: Tensor, b: unknown) => Tensor)(t2(), v));
  bad(`init.uniform(${shown})`, () => nn.init.uniform(v as Tensor));
  bad(`t.sum(axis ${shown})`, () => t2().sum(v as number));
}

describe('bad calls throw one of the library error classes', () => {
  it(`the table has a few hundred cases (${cases.length})`, () => {
    expect(cases.length).toBeGreaterThan(200);
  });
  it.each(cases)('%s', (_what, call, cls) => {
    let thrown: unknown;
    try {
      call();
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(cls);
    expect(thrown).toBeInstanceOf(SurrogradError);
  });
});

describe('messages name the function, the argument, the value and what is accepted', () => {
  it('a misspelt option names itself, suggests the right key and lists the options', () => {
    expect(() => tensor([1], { dtyp: 'float64' } as never)).toThrow(
      "tensor: unknown option 'dtyp' (did you mean 'dtype'?); the options are dtype, requiresGrad, shape",
    );
    expect(() => new nn.Linear(2, 3, { bais: false } as never)).toThrow(/Linear: unknown option 'bais' \(did you mean 'bias'\?\)/);
    expect(() => rules.sigmoidShaped({ K: 2 } as never)).toThrow(/rules.sigmoidShaped: unknown option 'K' \(did you mean 'k'\?\)/);
  });
  it('unsqueeze and stack speak of the input’s dimensions', () => {
    expect(() => tensor([1, 2]).unsqueeze(3)).toThrow(
      'unsqueeze: axis 3 is out of range for a tensor with 1 dimension; a new axis goes at -2..1',
    );
    expect(() => stack([zeros([2, 2]), zeros([2, 2])], -4)).toThrow(
      'stack: axis -4 is out of range for tensors with 2 dimensions (the result has 3); a new axis goes at -3..2',
    );
  });
  it('non-finite values are named as they are', () => {
    expect(() => arange(Number.NaN)).toThrow('arange: end must be a finite number, got NaN');
    expect(() => rand([3], { high: Infinity })).toThrow('rand: high must be a finite number, got Infinity');
    expect(() => full([2], 'a' as never)).toThrow("full: value must be a number, got 'a'");
  });
  it('load and save name a misspelt option before touching the disk', () => {
    expect(() => load('/nonexistent.ckpt', { modle: nn.mlp([2, 1]) } as never)).toThrow(/unknown option 'modle' \(did you mean 'model'\?\)/);
    expect(() => save('/nonexistent-dir/x.ckpt', { model: nn.mlp([2, 1]), optimzer: sgd() } as never)).toThrow(/unknown option 'optimzer'/);
  });
  it('StepLR without options says what to pass', () => {
    expect(() => new (optim.StepLR as unknown as new (o: optim.SGD) => unknown)(sgd())).toThrow(
      'StepLR: options must be an object such as { stepSize: 30, gamma: 0.1 }, got undefined',
    );
  });
});

// ---- state unchanged ----

function groupsOf(opt: optim.SGD): unknown {
  return JSON.parse(JSON.stringify(opt.paramGroups.map(({ params, ...rest }) => ({ ...rest, n: params.length }))));
}

function schedulerFields(s: object): unknown {
  return JSON.parse(JSON.stringify(s, (k, v) => (k === 'optimizer' || k === 'schedulers' ? undefined : v)));
}

describe('a refused scheduler constructor leaves the optimizer as it was (issue item 1)', () => {
  const makers: [string, (o: optim.SGD) => unknown][] = [
    ['StepLR stepSize 0', (o) => new optim.StepLR(o, { stepSize: 0 })],
    ['StepLR gamma -1', (o) => new optim.StepLR(o, { stepSize: 2, gamma: -1 })],
    ['StepLR without options', (o) => new (optim.StepLR as unknown as new (x: optim.SGD) => unknown)(o)],
    ['MultiStepLR milestones [3, 2]', (o) => new optim.MultiStepLR(o, { milestones: [3, 2] })],
    ['CosineAnnealingLR tMax 0', (o) => new optim.CosineAnnealingLR(o, { tMax: 0 })],
    ['LinearWarmup warmupSteps 0', (o) => new optim.LinearWarmup(o, { warmupSteps: 0 })],
    ['LinearLR startFactor 2', (o) => new optim.LinearLR(o, { startFactor: 2 })],
    ['ExponentialLR gamma NaN', (o) => new optim.ExponentialLR(o, { gamma: Number.NaN })],
    ['SequentialLR over another optimizer', (o) => new optim.SequentialLR(o, { schedulers: [new optim.StepLR(sgd(0.5), { stepSize: 1 })], milestones: [] })],
    ['SequentialLR milestones wrong length', (o) => new optim.SequentialLR(o, { schedulers: [], milestones: [1] })],
    ['lastEpoch 1.5', (o) => new optim.StepLR(o, { stepSize: 1, lastEpoch: 1.5 })],
    ['lastEpoch 3 without initialLr', (o) => new optim.StepLR(o, { stepSize: 1, lastEpoch: 3 })],
  ];
  it.each(makers)('%s', (_what, make) => {
    const opt = sgd(0.3);
    const before = groupsOf(opt);
    expect(() => make(opt)).toThrow(ArgumentError);
    expect(groupsOf(opt)).toEqual(before);
    expect(opt.paramGroups[0].initialLr).toBeUndefined();
    // a valid scheduler made afterwards starts from the real learning rate
    const s = new optim.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    expect(s.baseLrs).toEqual([0.3]);
    s.step();
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.15, 12);
  });
});

describe('loadStateDict is all or nothing (item 2)', () => {
  it('a scheduler state missing a field, or with a bad value, changes nothing', () => {
    const opt = sgd(1);
    const s = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    s.step();
    s.step();
    s.step();
    const good = s.stateDict();
    const bads: unknown[] = [
      { type: 'StepLR', lastEpoch: 7, baseLrs: [1] }, // no lastLrs
      { type: 'StepLR', lastEpoch: 7, baseLrs: ['x'], lastLrs: [0.5] },
      { type: 'StepLR', lastEpoch: 7, baseLrs: [Number.NaN], lastLrs: [0.5] },
      { type: 'StepLR', lastEpoch: 1.5, baseLrs: [1], lastLrs: [0.5] },
      { type: 'StepLR', lastEpoch: 7, baseLrs: [1, 2], lastLrs: [0.5] },
      { type: 'StepLR', lastEpoch: 7, baseLrs: [1], lastLrs: [0.5], extra: 1 },
      { type: 'ExponentialLR', lastEpoch: 7, baseLrs: [1], lastLrs: [0.5] },
      null,
      5,
    ];
    const before = schedulerFields(s);
    const groupsBefore = groupsOf(opt);
    for (const state of bads) {
      expect(() => s.loadStateDict(state as never)).toThrow(ArgumentError);
      expect(schedulerFields(s)).toEqual(before);
      expect(groupsOf(opt)).toEqual(groupsBefore);
    }
    s.loadStateDict(good);
    expect(schedulerFields(s)).toEqual(before);
  });

  it('ReduceLROnPlateau refuses a malformed state and keeps its counters', () => {
    const opt = sgd(1);
    const s = new optim.ReduceLROnPlateau(opt, { patience: 0 });
    s.step(3);
    s.step(4);
    const before = schedulerFields(s);
    for (const state of [
      { ...s.stateDict(), numBadEpochs: -1 },
      { ...s.stateDict(), best: 'x' },
      { ...s.stateDict(), lastLrs: [] },
      { ...s.stateDict(), cooldownCounter: 0.5 },
    ]) {
      expect(() => s.loadStateDict(state as never)).toThrow(ArgumentError);
      expect(schedulerFields(s)).toEqual(before);
    }
  });

  it('an optimizer state with a null group, a null entry or a NaN step changes nothing', () => {
    const p = zeros([2], { requiresGrad: true });
    const opt = new optim.Adam([p], { lr: 0.1 });
    p.grad = ones([2]);
    opt.step();
    const good = opt.stateDict();
    const snapshot = (): unknown => JSON.stringify(opt.stateDict(), (_k, v) => (v instanceof Float32Array ? [...v] : v));
    const before = snapshot();
    const bads: unknown[] = [
      { ...good, paramGroups: [null] },
      { ...good, state: { 0: null } },
      { ...good, state: { 0: { ...good.state[0], step: Number.NaN } } },
      { ...good, state: { 0: { ...good.state[0], expAvg: ['a', 'b'] } } },
      { ...good, paramGroups: [{ ...good.paramGroups[0], params: [0.5] }] },
      { ...good, paramGroups: [{ ...good.paramGroups[0], lr: -1 }] },
      { ...good, state: null },
    ];
    for (const state of bads) {
      expect(() => opt.loadStateDict(state as never)).toThrow(ArgumentError);
      expect(snapshot()).toEqual(before);
    }
  });

  it('a module state dict with one bad entry changes no parameter', () => {
    const model = nn.mlp([2, 3, 1], { generator: new Generator(1) });
    const before = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.toArray()]));
    const state = model.stateDict();
    state['0.weight'] = zeros([3, 2]).add(7);
    state['2.bias'] = zeros([5]); // wrong shape
    expect(() => model.loadStateDict(state)).toThrow(SurrogradError);
    const after = Object.fromEntries(Object.entries(model.stateDict()).map(([k, v]) => [k, v.toArray()]));
    expect(after).toEqual(before);
  });
});

describe('load() of a checkpoint is all or nothing, schedulers included (item 2)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-validate-'));

  function setup(seed: number) {
    const model = nn.mlp([2, 3, 1], { generator: new Generator(seed) });
    const opt = new optim.SGD(model.parameters(), { lr: 0.5, momentum: 0.9 });
    const sched = new optim.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    return { model, opt, sched };
  }
  function snapshot(s: ReturnType<typeof setup>): unknown {
    return {
      model: Object.fromEntries(Object.entries(s.model.stateDict()).map(([k, v]) => [k, v.toArray()])),
      opt: groupsOf(s.opt),
      sched: schedulerFields(s.sched),
    };
  }

  it('a scheduler section that does not fit moves nothing, not even lastEpoch', () => {
    const a = setup(1);
    a.sched.step();
    a.sched.step();
    a.sched.step();
    const file = path.join(dir, 'a.ckpt');
    save(file, { model: a.model, optimizer: a.opt, scheduler: a.sched });
    // rewrite the scheduler section: lastLrs missing (valid checksums: a crafted file)
    const bytes = fs.readFileSync(file);
    const header = readHeader(bytes);
    delete (header.scheduler as Record<string, unknown>).lastLrs;
    fs.writeFileSync(file, withHeader(bytes, header));

    const b = setup(2);
    const before = snapshot(b);
    expect(() => load(file, { model: b.model, optimizer: b.opt, scheduler: b.sched })).toThrow(CheckpointError);
    expect(snapshot(b)).toEqual(before);
  });

  it('a tensor list holding null (valid checksum) is a CheckpointError', () => {
    const a = setup(1);
    const bytes = encodeCheckpoint({ model: a.model });
    const header = readHeader(bytes);
    (header.model as { tensors: unknown[] }).tensors[1] = null;
    expect(() => decodeCheckpoint(withHeader(bytes, header))).toThrow(CheckpointError);
    (header.model as { tensors: unknown[] }).tensors[1] = 5;
    expect(() => decodeCheckpoint(withHeader(bytes, header))).toThrow(CheckpointError);
  });

  it('an optimizer state entry that is null or a scheduler section that is a number is a CheckpointError', () => {
    const a = setup(1);
    for (const p of a.model.parameters()) p.grad = ones(p.shape as number[]);
    a.opt.step();
    const bytes = encodeCheckpoint({ model: a.model, optimizer: a.opt, scheduler: a.sched });
    const h1 = readHeader(bytes);
    (h1.optimizer as { state: Record<string, unknown> }).state['0'] = null;
    expect(() => decodeCheckpoint(withHeader(bytes, h1))).toThrow(CheckpointError);
    const h2 = readHeader(bytes);
    h2.scheduler = 5;
    expect(() => decodeCheckpoint(withHeader(bytes, h2))).toThrow(CheckpointError);
  });
});

// ---- crafting checkpoints: replace the JSON header and fix both checksums ----

export function readHeader(bytes: Uint8Array): Record<string, unknown> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(12, true);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(32, 32 + length))) as Record<string, unknown>;
}

export function withHeader(bytes: Uint8Array, header: unknown): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const oldLength = view.getUint32(12, true);
  const data = bytes.subarray(32 + Math.ceil(oldLength / 8) * 8);
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const start = 32 + Math.ceil(headerBytes.length / 8) * 8;
  const out = new Uint8Array(start + data.length);
  out.set(bytes.subarray(0, 32));
  out.set(headerBytes, 32);
  out.set(data, start);
  const v = new DataView(out.buffer);
  v.setUint32(12, headerBytes.length, true);
  v.setUint32(16, crc32(headerBytes), true);
  v.setUint32(20, crc32(data), true);
  return out;
}

describe('GraphError, ShapeError and RuleError stay what they were', () => {
  it('a non-scalar backward is a GraphError, a bad reshape a ShapeError, an unknown rule a RuleError', () => {
    expect(() => t2().mul(2).backward()).toThrow(GraphError);
    expect(() => t2().reshape([3])).toThrow(ShapeError);
    expect(() => t2().relu({ backward: 'nope' })).toThrow(RuleError);
  });
});
