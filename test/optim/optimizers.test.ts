// Each optimizer against its update rule as PyTorch documents it, written here independently in
// float64 (the oracles below never call the library), for three steps on f(w) = ½‖Aw − b‖².
import { describe, expect, it } from 'vitest';
import { ArgumentError, ShapeError, type Tensor, optim, tensor, zeros } from '../../src/index';
import { W0, gradient, maxRelError, runOptimizer, runOracle } from './helpers';

type Update = (theta: number[], g: number[], t: number) => number[];

// ---- the oracles: PyTorch's documented algorithms, element by element ----

function sgdOracle(o: { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; maximize?: boolean }): Update {
  const mu = o.momentum ?? 0;
  const tau = o.dampening ?? 0;
  const lambda = o.weightDecay ?? 0;
  let buf: number[] = [];
  return (theta, grad, t) =>
    theta.map((th, i) => {
      let g = o.maximize ? -grad[i] : grad[i];
      if (lambda !== 0) g = g + lambda * th;
      if (mu !== 0) {
        buf[i] = t > 1 ? mu * buf[i] + (1 - tau) * g : g;
        g = o.nesterov ? g + mu * buf[i] : buf[i];
      }
      return th - o.lr * g;
    });
}

function adamOracle(o: {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  decoupled?: boolean;
}): Update {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const eps = o.eps ?? 1e-8;
  const lambda = o.weightDecay ?? 0;
  const m: number[] = [];
  const v: number[] = [];
  const vmax: number[] = [];
  return (theta, grad, t) =>
    theta.map((th0, i) => {
      let th = th0;
      let g = o.maximize ? -grad[i] : grad[i];
      if (o.decoupled) th = th - o.lr * lambda * th; // AdamW
      else if (lambda !== 0) g = g + lambda * th; // Adam
      m[i] = b1 * (m[i] ?? 0) + (1 - b1) * g;
      v[i] = b2 * (v[i] ?? 0) + (1 - b2) * g * g;
      const mHat = m[i] / (1 - b1 ** t);
      let vHat: number;
      if (o.amsgrad) {
        vmax[i] = Math.max(vmax[i] ?? 0, v[i]);
        vHat = vmax[i] / (1 - b2 ** t);
      } else {
        vHat = v[i] / (1 - b2 ** t);
      }
      return th - (o.lr * mHat) / (Math.sqrt(vHat) + eps);
    });
}

function rmspropOracle(o: { lr: number; alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean; maximize?: boolean }): Update {
  const alpha = o.alpha ?? 0.99;
  const eps = o.eps ?? 1e-8;
  const lambda = o.weightDecay ?? 0;
  const mu = o.momentum ?? 0;
  const v: number[] = [];
  const gAve: number[] = [];
  const buf: number[] = [];
  return (theta, grad) =>
    theta.map((th, i) => {
      let g = o.maximize ? -grad[i] : grad[i];
      if (lambda !== 0) g = g + lambda * th;
      v[i] = alpha * (v[i] ?? 0) + (1 - alpha) * g * g;
      let vTilde = v[i];
      if (o.centered) {
        gAve[i] = (gAve[i] ?? 0) * alpha + (1 - alpha) * g;
        vTilde = vTilde - gAve[i] ** 2;
      }
      if (mu > 0) {
        buf[i] = mu * (buf[i] ?? 0) + g / (Math.sqrt(vTilde) + eps);
        return th - o.lr * buf[i];
      }
      return th - (o.lr * g) / (Math.sqrt(vTilde) + eps);
    });
}

function adagradOracle(o: { lr: number; lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number; maximize?: boolean }): Update {
  const eta = o.lrDecay ?? 0;
  const lambda = o.weightDecay ?? 0;
  const eps = o.eps ?? 1e-10;
  const sum: number[] = [];
  return (theta, grad, t) =>
    theta.map((th, i) => {
      const lr = o.lr / (1 + (t - 1) * eta);
      let g = o.maximize ? -grad[i] : grad[i];
      if (lambda !== 0) g = g + lambda * th;
      sum[i] = (sum[i] ?? o.initialAccumulatorValue ?? 0) + g * g;
      return th - (lr * g) / (Math.sqrt(sum[i]) + eps);
    });
}

function adamaxOracle(o: { lr: number; betas?: [number, number]; eps?: number; weightDecay?: number; maximize?: boolean }): Update {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const eps = o.eps ?? 1e-8;
  const lambda = o.weightDecay ?? 0;
  const m: number[] = [];
  const u: number[] = [];
  return (theta, grad, t) =>
    theta.map((th, i) => {
      let g = o.maximize ? -grad[i] : grad[i];
      if (lambda !== 0) g = g + lambda * th;
      m[i] = b1 * (m[i] ?? 0) + (1 - b1) * g;
      u[i] = Math.max(b2 * (u[i] ?? 0), Math.abs(g) + eps);
      return th - (o.lr * m[i]) / ((1 - b1 ** t) * u[i]);
    });
}

// ---- the cases: each optimizer option that changes the formula ----

interface Case {
  name: string;
  make: (params: Tensor[]) => optim.Optimizer<optim.BaseOptions, optim.ParamState>;
  oracle: () => Update;
}

const cases: Case[] = [
  { name: 'SGD plain', make: (p) => new optim.SGD(p, { lr: 0.05 }), oracle: () => sgdOracle({ lr: 0.05 }) },
  {
    name: 'SGD weight decay',
    make: (p) => new optim.SGD(p, { lr: 0.05, weightDecay: 0.1 }),
    oracle: () => sgdOracle({ lr: 0.05, weightDecay: 0.1 }),
  },
  {
    name: 'SGD momentum + dampening + weight decay',
    make: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 }),
    oracle: () => sgdOracle({ lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 }),
  },
  {
    name: 'SGD nesterov',
    make: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.02 }),
    oracle: () => sgdOracle({ lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.02 }),
  },
  {
    name: 'SGD maximize',
    make: (p) => new optim.SGD(p, { lr: 0.01, momentum: 0.5, maximize: true }),
    oracle: () => sgdOracle({ lr: 0.01, momentum: 0.5, maximize: true }),
  },
  { name: 'Adam', make: (p) => new optim.Adam(p, { lr: 0.1 }), oracle: () => adamOracle({ lr: 0.1 }) },
  {
    name: 'Adam weight decay (L2 in the gradient) and betas',
    make: (p) => new optim.Adam(p, { lr: 0.1, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.1 }),
    oracle: () => adamOracle({ lr: 0.1, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.1 }),
  },
  {
    name: 'Adam amsgrad',
    make: (p) => new optim.Adam(p, { lr: 0.1, betas: [0.5, 0.6], amsgrad: true }),
    oracle: () => adamOracle({ lr: 0.1, betas: [0.5, 0.6], amsgrad: true }),
  },
  {
    name: 'Adam maximize',
    make: (p) => new optim.Adam(p, { lr: 0.1, maximize: true }),
    oracle: () => adamOracle({ lr: 0.1, maximize: true }),
  },
  {
    name: 'AdamW (decoupled weight decay)',
    make: (p) => new optim.AdamW(p, { lr: 0.1, weightDecay: 0.2 }),
    oracle: () => adamOracle({ lr: 0.1, weightDecay: 0.2, decoupled: true }),
  },
  {
    name: 'AdamW default weight decay 0.01 with amsgrad',
    make: (p) => new optim.AdamW(p, { lr: 0.1, amsgrad: true, betas: [0.5, 0.6] }),
    oracle: () => adamOracle({ lr: 0.1, weightDecay: 0.01, decoupled: true, amsgrad: true, betas: [0.5, 0.6] }),
  },
  { name: 'RMSprop', make: (p) => new optim.RMSprop(p, { lr: 0.01 }), oracle: () => rmspropOracle({ lr: 0.01 }) },
  {
    name: 'RMSprop centered + momentum + weight decay',
    make: (p) => new optim.RMSprop(p, { lr: 0.01, alpha: 0.9, momentum: 0.7, centered: true, weightDecay: 0.05 }),
    oracle: () => rmspropOracle({ lr: 0.01, alpha: 0.9, momentum: 0.7, centered: true, weightDecay: 0.05 }),
  },
  {
    name: 'RMSprop momentum only',
    make: (p) => new optim.RMSprop(p, { lr: 0.01, momentum: 0.5, eps: 1e-4 }),
    oracle: () => rmspropOracle({ lr: 0.01, momentum: 0.5, eps: 1e-4 }),
  },
  { name: 'Adagrad', make: (p) => new optim.Adagrad(p, { lr: 0.1 }), oracle: () => adagradOracle({ lr: 0.1 }) },
  {
    name: 'Adagrad lrDecay + initialAccumulatorValue + weight decay',
    make: (p) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.5, initialAccumulatorValue: 0.3, weightDecay: 0.1 }),
    oracle: () => adagradOracle({ lr: 0.1, lrDecay: 0.5, initialAccumulatorValue: 0.3, weightDecay: 0.1 }),
  },
  { name: 'Adamax', make: (p) => new optim.Adamax(p, { lr: 0.05 }), oracle: () => adamaxOracle({ lr: 0.05 }) },
  {
    name: 'Adamax betas + weight decay',
    make: (p) => new optim.Adamax(p, { lr: 0.05, betas: [0.7, 0.8], weightDecay: 0.1 }),
    oracle: () => adamaxOracle({ lr: 0.05, betas: [0.7, 0.8], weightDecay: 0.1 }),
  },
  {
    name: 'RMSprop maximize',
    make: (p) => new optim.RMSprop(p, { lr: 0.01, maximize: true, centered: true }),
    oracle: () => rmspropOracle({ lr: 0.01, maximize: true, centered: true }),
  },
  {
    name: 'Adagrad maximize',
    make: (p) => new optim.Adagrad(p, { lr: 0.1, maximize: true }),
    oracle: () => adagradOracle({ lr: 0.1, maximize: true }),
  },
  {
    name: 'Adamax maximize',
    make: (p) => new optim.Adamax(p, { lr: 0.05, maximize: true }),
    oracle: () => adamaxOracle({ lr: 0.05, maximize: true }),
  },
];

describe('optimizers reproduce their documented update rules', () => {
  for (const c of cases) {
    it(`${c.name}: three float64 steps match the formula`, () => {
      const actual = runOptimizer(c.make);
      const expected = runOracle(c.oracle());
      expect(maxRelError(actual, expected)).toBeLessThan(1e-13);
      // every step really moved the parameters
      const previous = [W0, ...actual.slice(0, -1)];
      actual.forEach((row, t) => expect(Math.max(...row.map((v, i) => Math.abs(v - previous[t][i])))).toBeGreaterThan(1e-4));
    });
    it(`${c.name}: float32 parameters follow the float64 formula to float32 precision`, () => {
      const actual = runOptimizer(c.make, { dtype: 'float32', w0: [0.25, -0.75, 1.125, 0.0625] });
      const expected = runOracle(c.oracle(), { w0: [0.25, -0.75, 1.125, 0.0625] });
      expect(maxRelError(actual, expected)).toBeLessThan(1e-5);
    });
  }

  it('the SGD oracle agrees with a case worked by hand', () => {
    // w = [1], grad = 2w: step 1 b = 2, w = 1 − 0.1·2 = 0.8; step 2 b = 0.9·2 + 1.6 = 3.4, w = 0.46
    const w = tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1, momentum: 0.9 });
    const values: number[] = [];
    for (let i = 0; i < 2; i++) {
      w.grad = w.detach().mul(2);
      opt.step();
      values.push(w.item());
    }
    expect(values[0]).toBeCloseTo(0.8, 14);
    expect(values[1]).toBeCloseTo(0.46, 14);
  });

  it('Adam: the first step moves every coordinate by about lr (bias correction)', () => {
    const [after] = runOptimizer((p) => new optim.Adam(p, { lr: 0.01 }), { steps: 1 });
    const g = gradient([0.3, -0.7, 1.1, 0.05]);
    after.forEach((v, i) => expect(Math.abs(v - [0.3, -0.7, 1.1, 0.05][i])).toBeCloseTo(0.01 * Math.abs(g[i]) / (Math.abs(g[i]) + 1e-8), 9));
  });
});

describe('param groups', () => {
  it('each group uses its own options; missing ones come from the defaults', () => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups[0].lr).toBe(0.1);
    expect(opt.paramGroups[1].lr).toBe(0.5);
    expect(opt.paramGroups[1].momentum).toBe(0.9);
    expect(opt.paramGroups[0].momentum).toBe(0);
    a.grad = tensor([1, 1], { dtype: 'float64' });
    b.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    expect(Array.from(a.toTypedArray())).toEqual([0.9, 1.9]);
    expect(b.item()).toBeCloseTo(2.5, 15);
  });

  it('addParamGroup adds parameters with their own options', () => {
    const a = tensor([1], { dtype: 'float64', requiresGrad: true });
    const b = tensor([1], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([a], { lr: 0.1 });
    opt.addParamGroup({ params: [b], lr: 1 });
    a.grad = tensor([1], { dtype: 'float64' });
    b.grad = tensor([1], { dtype: 'float64' });
    opt.step();
    expect(a.item()).toBeCloseTo(0.9, 15);
    expect(b.item()).toBe(0);
  });

  it('a parameter may not be in two groups', () => {
    const a = tensor([1], { requiresGrad: true });
    expect(() => new optim.SGD([{ params: [a] }, { params: [a] }])).toThrow(ArgumentError);
  });

  it('an unknown option in a group is an error naming it', () => {
    const a = tensor([1], { requiresGrad: true });
    expect(() => new optim.SGD([{ params: [a], momentom: 0.9 } as never])).toThrowWith(ArgumentError, /momentom/);
  });
});

describe('steps', () => {
  it('skips parameters without a gradient', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const opt = new optim.Adam([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1]);
    opt.step();
    expect(Array.from(b.toTypedArray())).toEqual([3, 4]);
    expect(opt.state.has(b)).toBe(false);
    expect(opt.state.get(a)?.step).toBe(1);
  });

  it('a gradient of the wrong shape fails the step before any parameter changes', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const opt = new optim.SGD([a, b], { lr: 0.1 });
    a.grad = tensor([1, 1]);
    b.grad = tensor([1, 1, 1]);
    expect(() => opt.step()).toThrow(ShapeError);
    expect(() => opt.step()).toThrowWith(ShapeError, /\[2\].*\[3\]/);
    expect(Array.from(a.toTypedArray())).toEqual([1, 2]);
    expect(Array.from(b.toTypedArray())).toEqual([3, 4]);
  });

  it('an option made invalid after construction (NaN lr) fails the step and changes nothing', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const opt = new optim.Adam([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    a.grad = tensor([1, 1]);
    b.grad = tensor([1]);
    opt.paramGroups[1].lr = Number.NaN;
    expect(() => opt.step()).toThrow(/\(param group 1\): lr must be a finite number ≥ 0, got NaN/);
    expect(Array.from(a.toTypedArray())).toEqual([1, 2]);
    expect(opt.state.size).toBe(0);
  });

  it('a strided gradient set by hand is read correctly', () => {
    const w = tensor([[1, 2], [3, 4]], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 1 });
    w.grad = tensor([[1, 2], [3, 4]], { dtype: 'float64' }).transpose(); // [[1, 3], [2, 4]], a view
    opt.step();
    expect(w.toArray()).toEqual([[0, -1], [1, 0]]);
  });

  it('the closure is called first and its value returned', () => {
    const w = tensor([2], { dtype: 'float64', requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = w.square().sum();
      l.backward();
      return l.item();
    });
    expect(loss).toBe(4);
    expect(w.item()).toBe(1);
  });

  it('state buffers are made once and reused (no allocation per step)', () => {
    const w = tensor([1, 2, 3], { requiresGrad: true });
    const opt = new optim.Adam([w], { amsgrad: true });
    w.grad = tensor([1, 1, 1]);
    opt.step();
    const s = opt.state.get(w);
    const buffers = [s?.expAvg, s?.expAvgSq, s?.maxExpAvgSq];
    opt.step();
    opt.step();
    const s2 = opt.state.get(w);
    expect([s2?.expAvg, s2?.expAvgSq, s2?.maxExpAvgSq]).toEqual(buffers);
    expect(s2?.expAvg).toBe(buffers[0]);
    expect(s2?.step).toBe(3);
  });

  it('zeroGrad sets every gradient to null', () => {
    const a = tensor([1], { requiresGrad: true });
    const opt = new optim.SGD([a]);
    a.grad = tensor([1]);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });
});

describe('invalid options throw at construction, naming the option and the value', () => {
  const p = (): Tensor[] => [zeros([2], { requiresGrad: true })];
  const bad: [string, () => unknown, RegExp][] = [
    ['negative lr', () => new optim.SGD(p(), { lr: -1 }), /lr.*-1/],
    ['NaN lr', () => new optim.Adam(p(), { lr: Number.NaN }), /lr.*NaN/],
    ['negative momentum', () => new optim.SGD(p(), { momentum: -0.5 }), /momentum.*-0\.5/],
    ['nesterov without momentum', () => new optim.SGD(p(), { nesterov: true }), /nesterov.*momentum 0/],
    ['nesterov with dampening', () => new optim.SGD(p(), { nesterov: true, momentum: 0.9, dampening: 0.1 }), /nesterov.*dampening 0\.1/],
    ['negative weight decay', () => new optim.SGD(p(), { weightDecay: -0.1 }), /weightDecay.*-0\.1/],
    ['beta1 = 1', () => new optim.Adam(p(), { betas: [1, 0.999] }), /betas\[0\].*1/],
    ['beta2 < 0', () => new optim.AdamW(p(), { betas: [0.9, -0.1] }), /betas\[1\].*-0\.1/],
    ['betas not a pair', () => new optim.Adamax(p(), { betas: [0.9] as unknown as [number, number] }), /betas.*\[0\.9\]/],
    ['negative eps', () => new optim.Adam(p(), { eps: -1e-8 }), /eps.*-1e-8/],
    ['amsgrad not boolean', () => new optim.Adam(p(), { amsgrad: 1 as unknown as boolean }), /amsgrad.*1/],
    ['negative alpha', () => new optim.RMSprop(p(), { alpha: -0.9 }), /alpha.*-0\.9/],
    ['negative lrDecay', () => new optim.Adagrad(p(), { lrDecay: -1 }), /lrDecay.*-1/],
    ['negative initialAccumulatorValue', () => new optim.Adagrad(p(), { initialAccumulatorValue: -1 }), /initialAccumulatorValue.*-1/],
    ['empty params', () => new optim.SGD([]), /empty/],
    ['a single tensor, not a list', () => new optim.SGD(zeros([2]) as unknown as Tensor[]), /single Tensor/],
    ['a non-leaf', () => new optim.SGD([zeros([2], { requiresGrad: true }).mul(2)]), /not a leaf/],
  ];
  for (const [name, make, message] of bad) {
    it(name, () => {
      expect(make).toThrow(ArgumentError);
      expect(make).toThrowWith(ArgumentError, message);
    });
  }
});

describe('unknown options are refused, naming them and listing the valid ones', () => {
  const p = (): Tensor[] => [zeros([2], { requiresGrad: true })];
  // what a user coming from another library might type; `as never` stands for plain JavaScript
  const makers: [string, (options: never) => unknown, string][] = [
    ['SGD', (o) => new optim.SGD(p(), o), 'lr, momentum, dampening, weightDecay, nesterov, maximize'],
    ['Adam', (o) => new optim.Adam(p(), o), 'lr, betas, eps, weightDecay, amsgrad, maximize'],
    ['AdamW', (o) => new optim.AdamW(p(), o), 'lr, betas, eps, weightDecay, amsgrad, maximize'],
    ['RMSprop', (o) => new optim.RMSprop(p(), o), 'lr, alpha, eps, weightDecay, momentum, centered, maximize'],
    ['Adagrad', (o) => new optim.Adagrad(p(), o), 'lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize'],
    ['Adamax', (o) => new optim.Adamax(p(), o), 'lr, betas, eps, weightDecay, maximize'],
  ];
  for (const [name, make, valid] of makers) {
    it(`${name}: a misspelt constructor option (learningRate) is an ArgumentError listing the valid options`, () => {
      const construct = (): unknown => make({ learningRate: 0.5 } as never);
      expect(construct).toThrow(ArgumentError);
      expect(construct).toThrowWith(ArgumentError, `${name}: unknown option 'learningRate'; valid options: ${valid}`);
    });
  }

  it('every unknown option is named, not just the first', () => {
    expect(() => new optim.Adam(p(), { lr: 0.1, beta1: 0.9, beta2: 0.99 } as never)).toThrowWith(ArgumentError, /unknown options 'beta1', 'beta2'/);
  });

  it('options given as a bare number (a positional lr) are refused, not ignored', () => {
    expect(() => new optim.SGD(p(), 0.5 as never)).toThrowWith(ArgumentError, /SGD: options must be an object such as \{ lr: 0\.1 \}, got 0\.5/);
  });

  it('a param group passed to the constructor: the message names the group and lists the valid options', () => {
    const make = (): unknown => new optim.SGD([{ params: p() }, { params: p(), learningRate: 0.5 } as never]);
    expect(make).toThrow(ArgumentError);
    expect(make).toThrowWith(ArgumentError, "SGD: unknown option 'learningRate' in param group 1; valid options: lr, momentum,");
  });

  it('addParamGroup refuses an unknown option and adds nothing', () => {
    const opt = new optim.RMSprop(p(), { lr: 0.1 });
    expect(() => opt.addParamGroup({ params: p(), smoothing: 0.9 } as never)).toThrowWith(ArgumentError, 
      "RMSprop: unknown option 'smoothing' in param group 1; valid options: lr, alpha,",
    );
    expect(opt.paramGroups.length).toBe(1);
  });

  it('loadStateDict refuses an unknown option, lists the valid ones and changes nothing', () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.SGD([w], { lr: 0.1 });
    const saved = opt.stateDict();
    const misspelt = { ...saved, paramGroups: [{ ...saved.paramGroups[0], lr: 0.5, learningRate: 0.5 }] };
    expect(() => opt.loadStateDict(misspelt)).toThrowWith(ArgumentError, 
      "unknown option 'learningRate' in param group 0 of the state dict; valid options: lr, momentum, dampening, weightDecay, nesterov, maximize",
    );
    expect(opt.paramGroups[0].lr).toBe(0.1);
  });

  it("a group's betas are its own: changing them in place changes no other group or optimizer", () => {
    for (const make of [(ps: Tensor[]) => new optim.Adam(ps), (ps: Tensor[]) => new optim.Adamax(ps)]) {
      const first = make([...p(), ...p()]);
      first.addParamGroup({ params: p() });
      first.paramGroups[0].betas[0] = 0.5;
      expect(first.paramGroups[1].betas[0]).toBe(0.9);
      expect(first.defaults.betas[0]).toBe(0.9);
      expect(make(p()).paramGroups[0].betas[0]).toBe(0.9);
    }
  });

  it('initialLr, which schedulers store in a group, is still accepted in groups and state dicts', () => {
    const opt = new optim.SGD([{ params: p(), initialLr: 0.2 } as never], { lr: 0.1 });
    expect(opt.paramGroups[0].initialLr).toBe(0.2);
    expect(() => opt.loadStateDict(opt.stateDict())).not.toThrow();
  });
});

describe('RMSprop alpha is a smoothing constant in [0, 1)', () => {
  const p = (): Tensor[] => [zeros([2], { requiresGrad: true })];

  for (const alpha of [1, 1.5, Number.NaN]) {
    it(`alpha ${alpha} is refused at construction, naming the option and the value`, () => {
      const make = (): unknown => new optim.RMSprop(p(), { alpha });
      expect(make).toThrow(ArgumentError);
      expect(make).toThrow(`RMSprop: alpha must be in [0, 1), got ${alpha}`);
    });
  }

  it('alpha 0 (no smoothing: v = g²) is accepted', () => {
    expect(() => new optim.RMSprop(p(), { alpha: 0 })).not.toThrow();
  });

  it('alpha set to 1 after construction fails the step and changes no parameter', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3], { requiresGrad: true });
    const opt = new optim.RMSprop([{ params: [a] }, { params: [b] }], { lr: 0.1 });
    a.grad = tensor([1, 1]);
    b.grad = tensor([1]);
    opt.paramGroups[1].alpha = 1;
    expect(() => opt.step()).toThrow(/RMSprop \(param group 1\): alpha must be in \[0, 1\), got 1/);
    expect(Array.from(a.toTypedArray())).toEqual([1, 2]);
    expect(Array.from(b.toTypedArray())).toEqual([3]);
    expect(opt.state.size).toBe(0);
  });
});

describe('stateDict / loadStateDict', () => {
  function trained(): [Tensor, optim.Adam] {
    const w = tensor([0.3, -0.7, 1.1, 0.05], { requiresGrad: true });
    const opt = new optim.Adam([w], { lr: 0.05, amsgrad: true });
    for (let i = 0; i < 3; i++) {
      w.grad = tensor(gradient(Array.from(w.toTypedArray())));
      opt.step();
    }
    return [w, opt];
  }

  it('round trips: a restored optimizer continues bit for bit', () => {
    const [w, opt] = trained();
    const saved = opt.stateDict();
    expect(saved.type).toBe('Adam');
    expect(saved.paramGroups[0].params).toEqual([0]);
    expect(saved.state['0'].step).toBe(3);

    const w2 = tensor(Array.from(w.toTypedArray()), { requiresGrad: true });
    const opt2 = new optim.Adam([w2], { lr: 1, amsgrad: false });
    opt2.loadStateDict(saved);
    expect(opt2.paramGroups[0].lr).toBe(0.05);
    expect(opt2.paramGroups[0].amsgrad).toBe(true);
    for (let i = 0; i < 3; i++) {
      for (const [p, o] of [[w, opt], [w2, opt2]] as const) {
        p.grad = tensor(gradient(Array.from(p.toTypedArray())));
        o.step();
      }
    }
    expect(Array.from(w2.toTypedArray())).toEqual(Array.from(w.toTypedArray()));
  });

  it('the state dict is a copy: later steps do not change it', () => {
    const [w, opt] = trained();
    const saved = opt.stateDict();
    const before = Array.from(saved.state['0'].expAvg as Float32Array);
    w.grad = tensor([1, 1, 1, 1]);
    opt.step();
    expect(Array.from(saved.state['0'].expAvg as Float32Array)).toEqual(before);
  });

  it('a state dict that does not fit is refused and nothing changes', () => {
    const [, opt] = trained();
    const good = opt.stateDict();
    const other = new optim.Adam([tensor([1, 2], { requiresGrad: true })], { lr: 0.5 });
    expect(() => other.loadStateDict(good)).toThrowWith(ArgumentError, /4 values but the parameter has 2/);
    expect(other.paramGroups[0].lr).toBe(0.5);
    expect(other.state.size).toBe(0);
    expect(() => new optim.SGD([tensor([1], { requiresGrad: true })]).loadStateDict(good)).toThrowWith(ArgumentError, /Adam optimizer, not SGD/);
    const badLr = { ...good, paramGroups: [{ ...good.paramGroups[0], lr: -1 }] };
    expect(() => opt.loadStateDict(badLr)).toThrowWith(ArgumentError, /lr/);
    expect(opt.paramGroups[0].lr).toBe(0.05);
  });
});
