// Every optimizer option against a hand-written float64 reference (the update rules as PyTorch
// documents them), over a trajectory long enough that the variants separate: the gradient of a
// least-squares problem scaled by a schedule that is large for the first steps and small after,
// so second-moment estimates fall (AMSGrad's running maximum then differs from v), momentum
// buffers carry old gradients, and weight decay acts on a moving parameter.
//
// Each case also checks that its reference differs from the reference with the option off, by
// much more than the tolerance: a test that could not tell the variants apart would prove nothing.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/index';
import { Adagrad, Adam, Adamax, AdamW, RMSprop, SGD } from '../../src/optim';
import { W0, gradient } from './helpers';

const STEPS = 40;

/** Gradient scale at step t (1-based): big steps first, then small ones. */
function scale(t: number): number {
  return t <= 6 ? 3 : t <= 20 ? 0.05 : 0.5;
}

function gradAt(theta: readonly number[], t: number): number[] {
  return gradient(theta).map((g) => g * scale(t));
}

interface Stepper {
  step(): unknown;
}

/** The library's trajectory: w.grad set by hand to the scheduled gradient before each step. */
function library(make: (params: ReturnType<typeof tensor>[]) => Stepper): number[][] {
  const w = tensor([...W0], { dtype: 'float64', requiresGrad: true });
  const opt = make([w]);
  const out: number[][] = [];
  for (let t = 1; t <= STEPS; t++) {
    w.grad = tensor(gradAt(Array.from(w.toTypedArray()), t), { dtype: 'float64' });
    opt.step();
    out.push(Array.from(w.toTypedArray()));
  }
  return out;
}

/** A reference: per-coordinate state, written as the textbook update for one coordinate. */
type Update = (theta: number[], g: number[], t: number) => number[];
function reference(make: () => Update): number[][] {
  const update = make();
  let theta = [...W0];
  const out: number[][] = [];
  for (let t = 1; t <= STEPS; t++) {
    theta = update(theta, gradAt(theta, t), t);
    out.push([...theta]);
  }
  return out;
}

function maxDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[i][j]) / Math.max(1, Math.abs(b[i][j]))))));
  return worst;
}

const TOL = 1e-12;
/** How far apart two variants must be for the case to count as separating them. */
const SEPARATION = 1e-6; // a million times the tolerance

// ---- references ----

interface SgdO { lr: number; momentum: number; dampening: number; weightDecay: number; nesterov: boolean; maximize: boolean }
const SGD_D: SgdO = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
function sgdRef(o: SgdO): () => Update {
  return () => {
    let buf: number[] | null = null;
    return (theta, g0) => {
      let g = g0.map((gi, i) => (o.maximize ? -gi : gi) + o.weightDecay * theta[i]);
      if (o.momentum !== 0) {
        buf = buf === null ? [...g] : buf.map((b, i) => o.momentum * b + (1 - o.dampening) * g[i]);
        const b = buf;
        g = o.nesterov ? g.map((gi, i) => gi + o.momentum * b[i]) : [...b];
      }
      return theta.map((th, i) => th - o.lr * g[i]);
    };
  };
}

interface AdamO { lr: number; betas: [number, number]; eps: number; weightDecay: number; amsgrad: boolean; maximize: boolean }
const ADAM_D: AdamO = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };
function adamRef(o: AdamO, decoupled: boolean): () => Update {
  return () => {
    let m = W0.map(() => 0);
    let v = W0.map(() => 0);
    let vmax = W0.map(() => 0);
    return (theta0, g0, t) => {
      const [b1, b2] = o.betas;
      let theta = [...theta0];
      let g = g0.map((gi) => (o.maximize ? -gi : gi));
      if (decoupled) theta = theta.map((th) => th * (1 - o.lr * o.weightDecay));
      else g = g.map((gi, i) => gi + o.weightDecay * theta[i]);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
      v = v.map((vi, i) => b2 * vi + (1 - b2) * g[i] * g[i]);
      const mHat = m.map((mi) => mi / (1 - b1 ** t));
      let vHat: number[];
      if (o.amsgrad) {
        vmax = vmax.map((x, i) => Math.max(x, v[i]));
        vHat = vmax.map((x) => x / (1 - b2 ** t));
      } else {
        vHat = v.map((x) => x / (1 - b2 ** t));
      }
      return theta.map((th, i) => th - (o.lr * mHat[i]) / (Math.sqrt(vHat[i]) + o.eps));
    };
  };
}

interface RmsO { lr: number; alpha: number; eps: number; weightDecay: number; momentum: number; centered: boolean; maximize: boolean }
const RMS_D: RmsO = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };
function rmsRef(o: RmsO): () => Update {
  return () => {
    let v = W0.map(() => 0);
    let gAvg = W0.map(() => 0);
    let b = W0.map(() => 0);
    return (theta, g0) => {
      const g = g0.map((gi, i) => (o.maximize ? -gi : gi) + o.weightDecay * theta[i]);
      v = v.map((vi, i) => o.alpha * vi + (1 - o.alpha) * g[i] * g[i]);
      let vt = [...v];
      if (o.centered) {
        gAvg = gAvg.map((a, i) => o.alpha * a + (1 - o.alpha) * g[i]);
        vt = v.map((vi, i) => vi - gAvg[i] * gAvg[i]);
      }
      if (o.momentum > 0) {
        b = b.map((bi, i) => o.momentum * bi + g[i] / (Math.sqrt(vt[i]) + o.eps));
        return theta.map((th, i) => th - o.lr * b[i]);
      }
      return theta.map((th, i) => th - (o.lr * g[i]) / (Math.sqrt(vt[i]) + o.eps));
    };
  };
}

interface AdagradO { lr: number; lrDecay: number; weightDecay: number; initialAccumulatorValue: number; eps: number; maximize: boolean }
const ADAGRAD_D: AdagradO = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };
function adagradRef(o: AdagradO): () => Update {
  return () => {
    let s = W0.map(() => o.initialAccumulatorValue);
    return (theta, g0, t) => {
      const clr = o.lr / (1 + (t - 1) * o.lrDecay);
      const g = g0.map((gi, i) => (o.maximize ? -gi : gi) + o.weightDecay * theta[i]);
      s = s.map((si, i) => si + g[i] * g[i]);
      return theta.map((th, i) => th - (clr * g[i]) / (Math.sqrt(s[i]) + o.eps));
    };
  };
}

interface AdamaxO { lr: number; betas: [number, number]; eps: number; weightDecay: number; maximize: boolean }
const ADAMAX_D: AdamaxO = { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, maximize: false };
function adamaxRef(o: AdamaxO): () => Update {
  return () => {
    let m = W0.map(() => 0);
    let u = W0.map(() => 0);
    return (theta, g0, t) => {
      const [b1, b2] = o.betas;
      const g = g0.map((gi, i) => (o.maximize ? -gi : gi) + o.weightDecay * theta[i]);
      m = m.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
      u = u.map((ui, i) => Math.max(b2 * ui, Math.abs(g[i]) + o.eps));
      return theta.map((th, i) => th - (o.lr / (1 - b1 ** t)) * (m[i] / u[i]));
    };
  };
}

// ---- cases: [label, library maker, reference, reference of the variant it must differ from] ----

interface Case {
  name: string;
  make: (p: ReturnType<typeof tensor>[]) => Stepper;
  ref: () => Update;
  /** The neighbouring variant (the option at its default): the case must be able to tell them apart. */
  versus: () => Update;
}

const cases: Case[] = [
  // SGD
  { name: 'SGD defaults (lr 1e-3)', make: (p) => new SGD(p), ref: sgdRef(SGD_D), versus: sgdRef({ ...SGD_D, lr: 1e-2 }) },
  { name: 'SGD lr 0.01', make: (p) => new SGD(p, { lr: 0.01 }), ref: sgdRef({ ...SGD_D, lr: 0.01 }), versus: sgdRef(SGD_D) },
  {
    name: 'SGD momentum 0.9',
    make: (p) => new SGD(p, { lr: 0.01, momentum: 0.9 }),
    ref: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.9 }),
    versus: sgdRef({ ...SGD_D, lr: 0.01 }),
  },
  {
    name: 'SGD momentum 0.9 dampening 0.3',
    make: (p) => new SGD(p, { lr: 0.01, momentum: 0.9, dampening: 0.3 }),
    ref: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.9, dampening: 0.3 }),
    versus: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.9 }),
  },
  {
    name: 'SGD dampening without momentum has no effect (no buffer is kept)',
    make: (p) => new SGD(p, { lr: 0.01, dampening: 0.5 }),
    ref: sgdRef({ ...SGD_D, lr: 0.01 }),
    versus: (() => {
      // what a buffer with dampening would do at μ = 0: b = g first, then (1 − τ)g
      return () => {
        let first = true;
        return (theta: number[], g: number[]) => {
          const k = first ? 1 : 0.5;
          first = false;
          return theta.map((th, i) => th - 0.01 * k * g[i]);
        };
      };
    })(),
  },
  {
    name: 'SGD nesterov',
    make: (p) => new SGD(p, { lr: 0.01, momentum: 0.8, nesterov: true }),
    ref: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.8, nesterov: true }),
    versus: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.8 }),
  },
  {
    name: 'SGD weightDecay with momentum',
    make: (p) => new SGD(p, { lr: 0.01, momentum: 0.5, weightDecay: 0.2 }),
    ref: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.5, weightDecay: 0.2 }),
    versus: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.5 }),
  },
  {
    name: 'SGD weightDecay without momentum',
    make: (p) => new SGD(p, { lr: 0.01, weightDecay: 0.2 }),
    ref: sgdRef({ ...SGD_D, lr: 0.01, weightDecay: 0.2 }),
    versus: sgdRef({ ...SGD_D, lr: 0.01 }),
  },
  {
    name: 'SGD maximize with nesterov and weightDecay',
    make: (p) => new SGD(p, { lr: 0.01, momentum: 0.7, nesterov: true, weightDecay: 0.1, maximize: true }),
    ref: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.7, nesterov: true, weightDecay: 0.1, maximize: true }),
    versus: sgdRef({ ...SGD_D, lr: 0.01, momentum: 0.7, nesterov: true, weightDecay: 0.1 }),
  },
  // Adam
  { name: 'Adam defaults', make: (p) => new Adam(p), ref: adamRef(ADAM_D, false), versus: adamRef({ ...ADAM_D, amsgrad: true }, false) },
  {
    name: 'Adam amsgrad on (default betas)',
    make: (p) => new Adam(p, { amsgrad: true }),
    ref: adamRef({ ...ADAM_D, amsgrad: true }, false),
    versus: adamRef(ADAM_D, false),
  },
  {
    name: 'Adam amsgrad off, explicit, with other betas',
    make: (p) => new Adam(p, { lr: 0.01, betas: [0.8, 0.95], amsgrad: false }),
    ref: adamRef({ ...ADAM_D, lr: 0.01, betas: [0.8, 0.95] }, false),
    versus: adamRef({ ...ADAM_D, lr: 0.01, betas: [0.8, 0.95], amsgrad: true }, false),
  },
  {
    name: 'Adam amsgrad + weightDecay (L2 in the gradient)',
    make: (p) => new Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.5 }),
    ref: adamRef({ ...ADAM_D, lr: 0.01, amsgrad: true, weightDecay: 0.5 }, false),
    versus: adamRef({ ...ADAM_D, lr: 0.01, amsgrad: true, weightDecay: 0.5 }, true),
  },
  {
    name: 'Adam weightDecay without amsgrad',
    make: (p) => new Adam(p, { lr: 0.01, weightDecay: 0.5 }),
    ref: adamRef({ ...ADAM_D, lr: 0.01, weightDecay: 0.5 }, false),
    versus: adamRef({ ...ADAM_D, lr: 0.01 }, false),
  },
  {
    name: 'Adam eps 0.1 (large enough to matter)',
    make: (p) => new Adam(p, { lr: 0.01, eps: 0.1 }),
    ref: adamRef({ ...ADAM_D, lr: 0.01, eps: 0.1 }, false),
    versus: adamRef({ ...ADAM_D, lr: 0.01 }, false),
  },
  {
    name: 'Adam maximize with amsgrad',
    make: (p) => new Adam(p, { lr: 0.01, maximize: true, amsgrad: true }),
    ref: adamRef({ ...ADAM_D, lr: 0.01, maximize: true, amsgrad: true }, false),
    versus: adamRef({ ...ADAM_D, lr: 0.01, amsgrad: true }, false),
  },
  // AdamW
  {
    name: 'AdamW defaults (weightDecay 0.01, decoupled)',
    make: (p) => new AdamW(p, { lr: 0.05 }),
    ref: adamRef({ ...ADAM_D, lr: 0.05, weightDecay: 0.01 }, true),
    versus: adamRef({ ...ADAM_D, lr: 0.05, weightDecay: 0.01 }, false),
  },
  {
    name: 'AdamW amsgrad + weightDecay 0.3',
    make: (p) => new AdamW(p, { lr: 0.01, weightDecay: 0.3, amsgrad: true }),
    ref: adamRef({ ...ADAM_D, lr: 0.01, weightDecay: 0.3, amsgrad: true }, true),
    versus: adamRef({ ...ADAM_D, lr: 0.01, weightDecay: 0.3 }, true),
  },
  // RMSprop
  { name: 'RMSprop defaults (lr 1e-2, alpha 0.99)', make: (p) => new RMSprop(p), ref: rmsRef(RMS_D), versus: rmsRef({ ...RMS_D, alpha: 0.9 }) },
  {
    name: 'RMSprop centered',
    make: (p) => new RMSprop(p, { centered: true }),
    ref: rmsRef({ ...RMS_D, centered: true }),
    versus: rmsRef(RMS_D),
  },
  {
    name: 'RMSprop momentum',
    make: (p) => new RMSprop(p, { lr: 0.001, momentum: 0.9 }),
    ref: rmsRef({ ...RMS_D, lr: 0.001, momentum: 0.9 }),
    versus: rmsRef({ ...RMS_D, lr: 0.001 }),
  },
  {
    name: 'RMSprop centered + momentum + weightDecay + alpha 0.9',
    make: (p) => new RMSprop(p, { lr: 0.001, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.3 }),
    ref: rmsRef({ ...RMS_D, lr: 0.001, alpha: 0.9, momentum: 0.5, centered: true, weightDecay: 0.3 }),
    versus: rmsRef({ ...RMS_D, lr: 0.001, alpha: 0.9, momentum: 0.5, centered: true }),
  },
  {
    name: 'RMSprop eps 0.5 and maximize',
    make: (p) => new RMSprop(p, { eps: 0.5, maximize: true }),
    ref: rmsRef({ ...RMS_D, eps: 0.5, maximize: true }),
    versus: rmsRef({ ...RMS_D, eps: 0.5 }),
  },
  // Adagrad
  { name: 'Adagrad defaults (lr 1e-2)', make: (p) => new Adagrad(p), ref: adagradRef(ADAGRAD_D), versus: adagradRef({ ...ADAGRAD_D, lr: 0.1 }) },
  {
    name: 'Adagrad lrDecay',
    make: (p) => new Adagrad(p, { lr: 0.1, lrDecay: 0.2 }),
    ref: adagradRef({ ...ADAGRAD_D, lr: 0.1, lrDecay: 0.2 }),
    versus: adagradRef({ ...ADAGRAD_D, lr: 0.1 }),
  },
  {
    name: 'Adagrad initialAccumulatorValue',
    make: (p) => new Adagrad(p, { lr: 0.1, initialAccumulatorValue: 2 }),
    ref: adagradRef({ ...ADAGRAD_D, lr: 0.1, initialAccumulatorValue: 2 }),
    versus: adagradRef({ ...ADAGRAD_D, lr: 0.1 }),
  },
  {
    name: 'Adagrad weightDecay, eps 0.5, maximize',
    make: (p) => new Adagrad(p, { lr: 0.1, weightDecay: 0.4, eps: 0.5, maximize: true }),
    ref: adagradRef({ ...ADAGRAD_D, lr: 0.1, weightDecay: 0.4, eps: 0.5, maximize: true }),
    versus: adagradRef({ ...ADAGRAD_D, lr: 0.1, eps: 0.5, maximize: true }),
  },
  // Adamax
  { name: 'Adamax defaults (lr 2e-3)', make: (p) => new Adamax(p), ref: adamaxRef(ADAMAX_D), versus: adamaxRef({ ...ADAMAX_D, lr: 1e-3 }) },
  {
    name: 'Adamax betas [0.5, 0.6] (u decays below |g|)',
    make: (p) => new Adamax(p, { lr: 0.01, betas: [0.5, 0.6] }),
    ref: adamaxRef({ ...ADAMAX_D, lr: 0.01, betas: [0.5, 0.6] }),
    versus: adamaxRef({ ...ADAMAX_D, lr: 0.01 }),
  },
  {
    name: 'Adamax weightDecay, eps 0.5, maximize',
    make: (p) => new Adamax(p, { lr: 0.01, weightDecay: 0.4, eps: 0.5, maximize: true }),
    ref: adamaxRef({ ...ADAMAX_D, lr: 0.01, weightDecay: 0.4, eps: 0.5, maximize: true }),
    versus: adamaxRef({ ...ADAMAX_D, lr: 0.01, eps: 0.5, maximize: true }),
  },
];

describe(`every optimizer option follows its float64 reference over ${STEPS} steps`, () => {
  for (const c of cases) {
    it(c.name, () => {
      const expected = reference(c.ref);
      const other = reference(c.versus);
      expect(maxDiff(other, expected), 'the case separates the variant from its neighbour').toBeGreaterThan(SEPARATION);
      const actual = library(c.make);
      const worst = maxDiff(actual, expected);
      expect(worst, `max relative error over ${STEPS} steps`).toBeLessThan(TOL);
    });
  }
});

describe('Adam with amsgrad switched on after the first steps', () => {
  it('starts its running maximum from the current v, then follows AMSGrad', () => {
    // reference: plain Adam for 5 steps, then vmax = v and AMSGrad from there on
    const ref: Update = (() => {
      let m = W0.map(() => 0);
      let v = W0.map(() => 0);
      let vmax: number[] | null = null;
      return (theta: number[], g: number[], t: number) => {
        // switched on: the maximum starts from v as it stands when the step begins
        if (t > 5 && vmax === null) vmax = [...v];
        m = m.map((mi, i) => 0.9 * mi + 0.1 * g[i]);
        v = v.map((vi, i) => 0.999 * vi + 0.001 * g[i] * g[i]);
        let denomSource = v;
        if (vmax !== null) {
          const prev = vmax;
          vmax = prev.map((x, i) => Math.max(x, v[i]));
          denomSource = vmax;
        }
        return theta.map((th, i) => th - (0.01 * (m[i] / (1 - 0.9 ** t))) / (Math.sqrt(denomSource[i] / (1 - 0.999 ** t)) + 1e-8));
      };
    })();
    let theta = [...W0];
    const expected: number[][] = [];
    for (let t = 1; t <= STEPS; t++) {
      theta = ref(theta, gradAt(theta, t), t);
      expected.push([...theta]);
    }
    const w = tensor([...W0], { dtype: 'float64', requiresGrad: true });
    const opt = new Adam([w], { lr: 0.01 });
    const actual: number[][] = [];
    for (let t = 1; t <= STEPS; t++) {
      if (t === 6) opt.paramGroups[0].amsgrad = true;
      w.grad = tensor(gradAt(Array.from(w.toTypedArray()), t), { dtype: 'float64' });
      opt.step();
      actual.push(Array.from(w.toTypedArray()));
    }
    expect(maxDiff(actual, expected)).toBeLessThan(TOL);
  });
});

describe('optimizer state holds only the buffers its options use', () => {
  function stateAfterOneStep(make: (p: ReturnType<typeof tensor>[]) => { step(): unknown; stateDict(): { state: Record<string, Record<string, unknown>> } }) {
    const w = tensor([...W0], { dtype: 'float64', requiresGrad: true });
    const opt = make([w]);
    w.grad = tensor(gradAt(W0, 1), { dtype: 'float64' });
    opt.step();
    return opt.stateDict().state['0'];
  }

  it('Adam keeps maxExpAvgSq only with amsgrad (the running maximum of v after one step is v)', () => {
    expect(stateAfterOneStep((p) => new Adam(p)).maxExpAvgSq).toBeNull();
    const s = stateAfterOneStep((p) => new Adam(p, { amsgrad: true }));
    expect(Array.from(s.maxExpAvgSq as Float64Array)).toEqual(Array.from(s.expAvgSq as Float64Array));
    expect(s.step).toBe(1);
  });

  it('SGD keeps a momentum buffer only with momentum; it holds g after the first step', () => {
    expect(stateAfterOneStep((p) => new SGD(p, { lr: 0.1 })).momentumBuffer).toBeNull();
    const s = stateAfterOneStep((p) => new SGD(p, { lr: 0.1, momentum: 0.9 }));
    expect(Array.from(s.momentumBuffer as Float64Array)).toEqual(gradAt(W0, 1));
  });

  it('RMSprop keeps gradAvg only when centered and a momentum buffer only with momentum', () => {
    const plain = stateAfterOneStep((p) => new RMSprop(p));
    expect(plain.gradAvg).toBeNull();
    expect(plain.momentumBuffer).toBeNull();
    const both = stateAfterOneStep((p) => new RMSprop(p, { centered: true, momentum: 0.5 }));
    // after one step: gAvg = (1 − α)g
    expect(Array.from(both.gradAvg as Float64Array)).toEqual(gradAt(W0, 1).map((g) => (1 - 0.99) * g));
    expect(both.momentumBuffer).not.toBeNull();
  });

  it('Adagrad starts its sum at initialAccumulatorValue: after one step it is τ + g²', () => {
    const s = stateAfterOneStep((p) => new Adagrad(p, { initialAccumulatorValue: 0.5 }));
    expect(Array.from(s.sum as Float64Array)).toEqual(gradAt(W0, 1).map((g) => 0.5 + g * g));
  });
});
