// Checkpoints: round trips that continue training bit for bit, activation rules restored, bad
// files refused with the model untouched, and writes that are atomic.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Generator, type Tensor, load, nn, noGrad, optim, registerRule, rules, save, tensor } from '../src/index';
import {
  CHECKPOINT_MAGIC,
  CheckpointError,
  applyCheckpoint,
  crc32,
  decodeCheckpoint,
  encodeCheckpoint,
} from '../src/checkpoint';
import { gradTensor } from './grad';

// writeSync can be made to fail part-way, to simulate a full disk during a save
const hooks = vi.hoisted(() => ({ failAfterBytes: -1 }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, buffer: Uint8Array, offset?: number, length?: number) => {
    if (hooks.failAfterBytes >= 0) {
      const part = Math.min(length ?? buffer.length, hooks.failAfterBytes);
      actual.writeSync(fd, buffer, offset ?? 0, part);
      const error = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
      error.code = 'ENOSPC';
      throw error;
    }
    return actual.writeSync(fd, buffer, offset, length);
  }) as typeof actual.writeSync;
  return { ...actual, writeSync, default: { ...actual, writeSync } };
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-ckpt-'));
  hooks.failAfterBytes = -1;
});
afterEach(() => {
  hooks.failAfterBytes = -1;
  fs.rmSync(dir, { recursive: true, force: true });
});

class Net extends nn.Module {
  fc1: nn.Linear;
  act1 = new nn.ReLU({ backward: 'sigmoid' });
  bn: nn.BatchNorm1d;
  act2 = new nn.LeakyReLU({ slope: 0.2, backward: rules.sigmoidShaped({ k: 2 }) });
  drop: nn.Dropout;
  fc2: nn.Linear;
  act3 = new nn.Tanh();

  constructor(seed: number, dropoutGenerator = new Generator(99)) {
    super();
    const gen = new Generator(seed);
    this.fc1 = new nn.Linear(3, 8, { generator: gen });
    this.bn = new nn.BatchNorm1d(8);
    this.drop = new nn.Dropout(0.2, { generator: dropoutGenerator });
    this.fc2 = new nn.Linear(8, 2, { generator: gen });
  }

  override forward(x: Tensor): Tensor {
    const h = this.drop.forward(this.act2.forward(this.bn.forward(this.act1.forward(this.fc1.forward(x)))));
    return this.act3.forward(this.fc2.forward(h));
  }
}

/** A model with every activation rule left at its default, to load rules into. */
function plainNet(seed: number, dropoutGenerator?: Generator): Net {
  const net = new Net(seed, dropoutGenerator);
  net.act1.backward = undefined;
  net.act2.configure({});
  return net;
}

const x = tensor([[0.1, -0.4, 1.2], [2, 0.3, -1], [-0.7, 0.8, 0.5], [1.5, -2, 0.25]]);
const target = tensor([[0.5, -0.5], [0.2, 0.1], [-0.3, 0.9], [0, 0]]);

function trainSteps(model: nn.Module, opt: optim.Adam, sched: optim.StepLR, steps: number): void {
  const criterion = new nn.MSELoss();
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    criterion.forward(model.forward(x), target).backward();
    opt.step();
    sched.step();
  }
}

function flatParams(model: nn.Module): number[] {
  return Object.values(model.stateDict()).flatMap((t) => Array.from(t.toTypedArray()));
}

function bytesOf(file: string): Buffer {
  return fs.readFileSync(file);
}

describe('save → load', () => {
  it('gives identical outputs', () => {
    const a = new Net(1);
    trainSteps(a, new optim.Adam(a.parameters()), new optim.StepLR(new optim.SGD([tensor([1], { requiresGrad: true })]), { stepSize: 1 }), 2);
    const file = path.join(dir, 'model.ckpt');
    save(file, { model: a });
    const b = plainNet(2);
    load(file, { model: b });
    a.eval();
    b.eval();
    const ya = noGrad(() => a.forward(x)).toTypedArray();
    const yb = noGrad(() => b.forward(x)).toTypedArray();
    expect(Array.from(yb)).toEqual(Array.from(ya));
  });

  it('continues training identically, bit for bit (model, optimizer, scheduler, generator state in meta)', () => {
    const genA = new Generator(5);
    const a = new Net(1, genA);
    const optA = new optim.Adam(a.parameters(), { lr: 0.01, amsgrad: true });
    const schedA = new optim.StepLR(optA, { stepSize: 2, gamma: 0.5 });
    trainSteps(a, optA, schedA, 3);
    const file = path.join(dir, 'run.ckpt');
    save(file, { model: a, optimizer: optA, scheduler: schedA, meta: { epoch: 3, rng: genA.getState() } });
    trainSteps(a, optA, schedA, 4);

    const genB = new Generator(123);
    const b = plainNet(7, genB);
    const optB = new optim.Adam(b.parameters(), { lr: 0.5 });
    const schedB = new optim.StepLR(optB, { stepSize: 2, gamma: 0.5 });
    const checkpoint = load(file, { model: b, optimizer: optB, scheduler: schedB });
    const meta = checkpoint.meta as { epoch: number; rng: number[] };
    expect(meta.epoch).toBe(3);
    genB.setState(meta.rng);
    trainSteps(b, optB, schedB, 4);

    expect(flatParams(b)).toEqual(flatParams(a));
    expect(optB.paramGroups[0].lr).toBe(optA.paramGroups[0].lr);
  });

  it('restores every activation layer\'s backward rule and parameters', () => {
    const a = new Net(1);
    const file = path.join(dir, 'rules.ckpt');
    save(file, { model: a });
    const b = plainNet(1);
    expect(b.act1.backward).toBeUndefined();
    load(file, { model: b });
    expect(b.act1.backward).toBe('sigmoid');
    expect(b.act2.params).toEqual({ slope: 0.2 });
    const rule = b.act2.backward as { name: string; params: Record<string, number> };
    expect(rule.name).toBe('sigmoidShaped');
    expect(rule.params).toEqual({ k: 2 });
    expect(b.act3.backward).toBeUndefined();
    // and the reloaded model computes the same gradients
    for (const m of [a, b]) {
      m.zeroGrad();
      m.eval();
      m.forward(x).sum().backward();
    }
    expect(Array.from(gradTensor(b.fc1.weight).toTypedArray())).toEqual(Array.from(gradTensor(a.fc1.weight).toTypedArray()));
  });

  it('load without a model just reads the file', () => {
    const file = path.join(dir, 'read.ckpt');
    save(file, { model: nn.mlp([2, 3, 1]), meta: { note: 'hello', values: [1, 2.5, null] } });
    const ck = load(file);
    expect(Object.keys(ck.stateDict)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
    expect(ck.stateDict['0.weight'].shape).toEqual([3, 2]);
    expect(ck.activations).toEqual([{ path: '1', activation: 'relu', params: {}, backward: { kind: 'inherit' } }]);
    expect(ck.meta).toEqual({ note: 'hello', values: [1, 2.5, null] });
    expect(ck.optimizer).toBeNull();
    expect(ck.version).toBe(1);
  });

  it('float64 models round trip exactly', () => {
    const a = nn.mlp([3, 4, 2], { dtype: 'float64', generator: new Generator(3) });
    const file = path.join(dir, 'f64.ckpt');
    save(file, { model: a });
    const b = nn.mlp([3, 4, 2], { dtype: 'float64', generator: new Generator(4) });
    load(file, { model: b });
    expect(flatParams(b)).toEqual(flatParams(a));
  });
});

describe('activation rules that are data round-trip; rules that are functions are refused at save', () => {
  /** Every kind of rule a file can hold, one per layer. */
  function ruleNet(seed: number, backward: (string | object | undefined)[]): nn.Sequential {
    const gen = new Generator(seed);
    return new nn.Sequential(
      new nn.Linear(3, 6, { generator: gen }),
      new nn.Sigmoid({ backward: backward[0] as never }),
      new nn.Linear(6, 6, { generator: gen }),
      new nn.ReLU({ backward: backward[1] as never }),
      new nn.Linear(6, 6, { generator: gen }),
      new nn.Tanh({ backward: backward[2] as never }),
      new nn.Linear(6, 6, { generator: gen }),
      new nn.LeakyReLU({ slope: 0.1, backward: backward[3] as never }),
      new nn.Linear(6, 2, { generator: gen }),
      new nn.Heaviside({ backward: backward[4] as never }),
    );
  }

  function gradients(model: nn.Module): number[][] {
    model.zeroGrad();
    new nn.MSELoss().forward(model.forward(x), target).backward();
    return model.parameters().map((p) => Array.from(gradTensor(p).toTypedArray()));
  }

  it('a registered name, factory rules with parameters and numeric-λ blends reload into a fresh model: the same gradients, bit for bit', () => {
    const a = ruleNet(1, [
      rules.blend('exact', 'floorAdded', 0.5), // the reviewer's case: two registered names, numeric λ
      rules.blend(rules.sigmoidShaped({ k: 2 }), rules.leakyBackward({ c: 0.2 }), 0.25), // two factory rules
      rules.blend(rules.blend('exact', rules.widened({ w: 3 }), 0.75), 'peakNormalised', 0.3), // a blend in a blend
      rules.bSilu({ alpha: 1.25 }), // a factory rule with a parameter
      'atan', // a registered name
    ]);
    const file = path.join(dir, 'rules.ckpt');
    save(file, { model: a });
    const b = ruleNet(2, [undefined, undefined, undefined, undefined, undefined]);
    load(file, { model: b });
    const before = gradients(a);
    const after = gradients(b);
    expect(after).toEqual(before);
    expect(before.flat().some((g) => g !== 0)).toBe(true);
    // the rebuilt rules are the same rules, by name and parameters
    for (const i of [1, 3, 5, 7]) {
      const [ra, rb] = [a, b].map((m) => (m.at(i) as nn.Activation).backward as { name: string; params: object });
      expect(rb.name).toBe(ra.name);
      expect(rb.params).toEqual(ra.params);
    }
    expect((b.at(9) as nn.Activation).backward).toBe('atan');
  });

  it('a blend part made by a factory stays that factory rule even where a registered name equals its label', () => {
    // tanh gets a rule *named* 'approxSign' whose derivative is 5; the blend's part is the factory rule
    registerRule('tanh', 'approxSign', { derivative: () => 5 });
    const blended = rules.blend(rules.approxSign(), 'exact', 0.5);
    const gradAt = (layer: nn.Activation): number => {
      const x = tensor([0.3], { dtype: 'float64', requiresGrad: true });
      layer.forward(x).sum().backward();
      return (x.grad as Tensor).item();
    };
    // by the formulas: ½·approxSign'(0.3) + ½·tanh'(0.3) = ½·(2 − 2·0.3) + ½·(1 − tanh²(0.3))
    const expected = 0.5 * (2 - 2 * 0.3) + 0.5 * (1 - Math.tanh(0.3) ** 2);
    expect(gradAt(new nn.Tanh({ backward: blended }))).toBeCloseTo(expected, 6);
    const file = path.join(dir, 'blend-factory.ckpt');
    save(file, { model: new nn.Sequential(new nn.Tanh({ backward: blended })) });
    const fresh = new nn.Sequential(new nn.Tanh());
    load(file, { model: fresh });
    expect(gradAt(fresh.at(0) as nn.Activation)).toBeCloseTo(expected, 6);
  });

  it('the blend is stored as its parts, not as a label', () => {
    const model = new nn.Sequential(new nn.Sigmoid({ backward: rules.blend('exact', rules.floorAdded({ c: 0.05 }), 0.5) }));
    const ck = decodeCheckpoint(encodeCheckpoint({ model }));
    expect(ck.activations[0].backward).toEqual({
      kind: 'blend',
      a: { kind: 'name', name: 'exact' },
      b: { kind: 'factory', factory: 'floorAdded', params: { c: 0.05 } },
      lambda: 0.5,
    });
  });

  const functions: [string, () => unknown, RegExp][] = [
    ['an inline rule', () => ({ derivative: (v: number) => (v > 0 ? 1 : 0.3) }), /an inline rule/],
    ['a blend whose λ is a function', () => rules.blend('exact', 'floorAdded', () => 0.5), /a blend whose λ is a function/],
    ['a blend with an inline rule in it', () => rules.blend('exact', { derivative: () => 1 }, 0.5), /an inline rule/],
    [
      'a hand-made rule object',
      () => ({ name: 'mine', exact: false, description: 'mine', params: {}, derivative: () => 1 }),
      /the rule object 'mine'/,
    ],
    [
      'a copy of a factory rule with its function replaced',
      () => ({ ...rules.floorAdded({ c: 0.2 }), bind: () => ({ derivative: () => 1 }) }),
      /the rule object 'floorAdded\(c=0\.2\)'/,
    ],
  ];
  for (const [name, make, why] of functions) {
    it(`${name} is refused at save time, naming the layer and suggesting registerRule; nothing is written`, () => {
      const model = new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh({ backward: make() as never }));
      const file = path.join(dir, 'function.ckpt');
      const attempt = (): void => save(file, { model });
      expect(attempt).toThrow(CheckpointError);
      expect(attempt).toThrowWith(CheckpointError, why);
      expect(attempt).toThrowWith(CheckpointError, /activation layer '1' \(tanh\)/);
      expect(attempt).toThrowWith(CheckpointError, /registerRule\('tanh', /);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  }

  it('a rule registered by name is saved by name; a program that has not registered it is told to, and nothing changes', () => {
    registerRule('relu', 'checkpointTestRule', (v) => (v > 0 ? 1 : 0.25));
    const model = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU({ backward: 'checkpointTestRule' }));
    const bytes = encodeCheckpoint({ model });
    const ck = decodeCheckpoint(bytes);
    expect(ck.activations[0].backward).toEqual({ kind: 'name', name: 'checkpointTestRule' });
    // the same file as another program, which never registered the rule, would see it
    ck.activations[0].backward = { kind: 'name', name: 'notRegisteredHere' };
    const fresh = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
    const before = flatParams(fresh);
    expect(() => applyCheckpoint(ck, { model: fresh })).toThrowWith(CheckpointError, 
      /activation layer '1'.*'notRegisteredHere'.*registerRule\('relu', 'notRegisteredHere', \.\.\.\) before loading/,
    );
    expect(flatParams(fresh)).toEqual(before);
    expect((fresh.at(1) as nn.ReLU).backward).toBeUndefined();
  });

  it('a file from an earlier version holding a function rule by label loads into a model that sets the same rule', () => {
    const inline = { derivative: (v: number) => (v > 0 ? 1 : 0.3) };
    const ck = decodeCheckpoint(encodeCheckpoint({ model: new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU()) }));
    ck.activations[0].backward = { kind: 'unsaved', label: 'inline' };
    const plain = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
    expect(() => applyCheckpoint(ck, { model: plain })).toThrowWith(CheckpointError, /a rule given as a function/);
    const withRule = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU({ backward: inline }));
    applyCheckpoint(ck, { model: withRule });
    expect((withRule.at(1) as nn.ReLU).backward).toBe(inline);
  });
});

describe('the file format', () => {
  it('starts with the magic, the version, the header length and checksums, then the JSON header', () => {
    const linear = new nn.Linear(2, 1);
    linear.weight.toNdarray().data.set([0.25, -1.5]);
    linear.bias?.toNdarray().data.set([3]);
    const bytes = encodeCheckpoint({ model: linear });
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(String.fromCharCode(...bytes.subarray(0, 8))).toBe(CHECKPOINT_MAGIC);
    expect(view.getUint32(8, true)).toBe(1);
    const headerLength = view.getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(32, 32 + headerLength)));
    expect(header.format).toBe('surrograd-checkpoint');
    expect(header.model.tensors.map((t: { key: string }) => t.key)).toEqual(['weight', 'bias']);
    expect(view.getUint32(16, true)).toBe(crc32(bytes.subarray(32, 32 + headerLength)));
    const dataStart = 32 + Math.ceil(headerLength / 8) * 8;
    expect(Number(view.getBigUint64(24, true))).toBe(bytes.length - dataStart);
    // the data is the raw little-endian float32 values, each array at an 8-byte aligned offset
    expect(header.arrays).toEqual([
      { dtype: 'float32', shape: [1, 2], offset: 0 },
      { dtype: 'float32', shape: [1], offset: 8 },
    ]);
    expect([view.getFloat32(dataStart, true), view.getFloat32(dataStart + 4, true), view.getFloat32(dataStart + 8, true)]).toEqual([0.25, -1.5, 3]);
  });

  it('crc32 is the standard one', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('bad files are refused and the model is left untouched', () => {
  function setup(): { file: string; model: Net; before: number[]; rulesBefore: unknown[] } {
    const file = path.join(dir, 'good.ckpt');
    save(file, { model: new Net(1) });
    const model = plainNet(2);
    return { file, model, before: flatParams(model), rulesBefore: [model.act1.backward, model.act2.backward] };
  }

  function expectUntouched(model: Net, before: number[], rulesBefore: unknown[]): void {
    expect(flatParams(model)).toEqual(before);
    expect([model.act1.backward, model.act2.backward]).toEqual(rulesBefore);
    expect(model.act2.params).toEqual({});
  }

  const corruptions: [string, (b: Buffer) => Buffer, RegExp][] = [
    ['truncated', (b) => b.subarray(0, b.length - 10), /truncated/],
    ['truncated inside the preamble', (b) => b.subarray(0, 20), /truncated/],
    ['a flipped bit in the data', (b) => {
      const c = Buffer.from(b);
      c[c.length - 5] ^= 0x10;
      return c;
    }, /data is corrupted/],
    ['a flipped bit in the header', (b) => {
      const c = Buffer.from(b);
      c[40] ^= 0x01;
      return c;
    }, /header is corrupted/],
    ['a wrong version', (b) => {
      const c = Buffer.from(b);
      c.writeUInt32LE(2, 8);
      return c;
    }, /format version 2; this version of surrograd reads version 1/],
    ['not a checkpoint', () => Buffer.from('{"weight": [1, 2, 3]} and some more text to be long enough'), /not a surrograd checkpoint/],
    ['bytes appended', (b) => Buffer.concat([b, Buffer.from([1, 2, 3])]), /bytes after the end/],
  ];
  for (const [name, corrupt, message] of corruptions) {
    it(name, () => {
      const { file, model, before, rulesBefore } = setup();
      fs.writeFileSync(file, corrupt(bytesOf(file)));
      expect(() => load(file, { model })).toThrow(CheckpointError);
      expect(() => load(file, { model })).toThrowWith(CheckpointError, message);
      expectUntouched(model, before, rulesBefore);
    });
  }

  it('a missing file', () => {
    expect(() => load(path.join(dir, 'nope.ckpt'))).toThrowWith(CheckpointError, /cannot read the file/);
  });

  it('a model of another architecture: every difference reported, nothing changed', () => {
    const file = path.join(dir, 'mlp.ckpt');
    save(file, { model: nn.mlp([3, 8, 2], { activation: 'relu', backward: 'sigmoid' }) });
    const other = nn.mlp([3, 5, 2], { activation: 'tanh' });
    const before = flatParams(other);
    let message = '';
    try {
      load(file, { model: other });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/activation layer '1' applies tanh in the model but relu in the checkpoint/);
    expect(flatParams(other)).toEqual(before);
    const sameActs = nn.mlp([3, 5, 2], { activation: 'relu' });
    const beforeSame = flatParams(sameActs);
    expect(() => load(file, { model: sameActs })).toThrowWith(CheckpointError, /shape mismatch for '0\.weight'.*\n.*shape mismatch for '0\.bias'/s);
    expect(flatParams(sameActs)).toEqual(beforeSame);
    expect((sameActs.at(1) as nn.ReLU).backward).toBeUndefined();
  });

  it('an optimizer that does not fit: the model is put back and nothing changes', () => {
    const a = nn.mlp([3, 4, 2]);
    const optA = new optim.Adam(a.parameters());
    trainSteps(a, optA, new optim.StepLR(new optim.SGD([tensor([1], { requiresGrad: true })]), { stepSize: 1 }), 1);
    const file = path.join(dir, 'opt.ckpt');
    save(file, { model: a, optimizer: optA });
    const b = nn.mlp([3, 4, 2]);
    const optB = new optim.SGD(b.parameters(), { lr: 0.3 });
    const before = flatParams(b);
    expect(() => load(file, { model: b, optimizer: optB })).toThrowWith(CheckpointError, /Adam optimizer, not SGD/);
    expect(flatParams(b)).toEqual(before);
    expect(optB.paramGroups[0].lr).toBe(0.3);
    expect(() => load(file, { model: b, scheduler: new optim.StepLR(optB, { stepSize: 1 }) })).toThrowWith(CheckpointError, /no scheduler state/);
  });
});

describe('writes are atomic', () => {
  it('a write that fails part-way leaves the previous checkpoint intact and no temporary file', () => {
    const file = path.join(dir, 'model.ckpt');
    save(file, { model: nn.mlp([2, 3, 1]), meta: 'first' });
    const good = bytesOf(file);
    hooks.failAfterBytes = 100;
    expect(() => save(file, { model: nn.mlp([2, 30, 1]), meta: 'second' })).toThrowWith(CheckpointError, /ENOSPC.*left as it was|left as it was.*ENOSPC/s);
    hooks.failAfterBytes = -1;
    expect(bytesOf(file).equals(good)).toBe(true);
    expect(load(file).meta).toBe('first');
    expect(fs.readdirSync(dir)).toEqual(['model.ckpt']);
  });

  it('what cannot be written is refused before the disk is touched', () => {
    const file = path.join(dir, 'model.ckpt');
    save(file, { model: nn.mlp([2, 3, 1]), meta: 'first' });
    expect(() => save(file, { model: nn.mlp([2, 3, 1]), meta: { n: 10n } as never })).toThrowWith(CheckpointError, /meta cannot be written as JSON/);
    expect(load(file).meta).toBe('first');
    expect(fs.readdirSync(dir)).toEqual(['model.ckpt']);
  });

  it('a save into a directory that does not exist fails cleanly', () => {
    expect(() => save(path.join(dir, 'missing', 'model.ckpt'), { model: new nn.Linear(1, 1) })).toThrow(CheckpointError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a save replaces an older checkpoint', () => {
    const file = path.join(dir, 'model.ckpt');
    save(file, { model: new nn.Linear(1, 1), meta: 1 });
    save(file, { model: new nn.Linear(1, 1), meta: 2 });
    expect(load(file).meta).toBe(2);
    expect(fs.readdirSync(dir)).toEqual(['model.ckpt']);
  });

  it('decodeCheckpoint reads what encodeCheckpoint wrote', () => {
    const model = nn.mlp([2, 2]);
    const ck = decodeCheckpoint(encodeCheckpoint({ model, meta: [1, 'a'] }));
    expect(ck.meta).toEqual([1, 'a']);
    expect(Array.from(ck.stateDict['0.weight'].toTypedArray())).toEqual(Array.from((model.at(0) as nn.Linear).weight.toTypedArray()));
  });
});
