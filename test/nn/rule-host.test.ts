// Rules held by layers other than nn.Activation (spiking neurons, binary and quantized layers):
// their learnable parameters are the layer's parameters (optimizer, state dict, checkpoints),
// their schedules are stepped by nn.RuleSchedule, and their context sees the layer's training
// flag. Oracles are float64 formulas written here, not the library's output.
import { describe, expect, it } from 'vitest';
import { Generator, RuleError, type Tensor, fromBytes, nn, optim, rules, schedules, snn, tensor, toBytes } from '../../src/index';

const softplus = (r: number): number => Math.log1p(Math.exp(r));
/** atan's surrogate S(u; α) = atan(παu/2)/π, whose derivative in u is the rule's h. */
const S = (u: number, a: number): number => Math.atan((Math.PI * a * u) / 2) / Math.PI;
const h = (u: number, a: number): number => a / 2 / (1 + ((Math.PI * a * u) / 2) ** 2);
const rel = (got: number, want: number): number => Math.abs(got - want) / Math.max(1e-12, Math.abs(want));

// one LIF step from rest: spk = H(x − Θ); loss Σ w·spk
const xs = [0.1, 0.45, 0.6, 1.3, -0.2, 0.52];
const ws = [0.3, -1.2, 0.7, 2.0, -0.5, 1.1];
const TH = 0.5;

function lifLoss(lif: snn.LIF): Tensor {
  const x = tensor(xs, { shape: [1, xs.length], dtype: 'float64', requiresGrad: true });
  const [spk] = lif.step(x);
  return spk.mul(tensor(ws, { shape: [1, ws.length], dtype: 'float64' })).sum();
}

function binaryData(): { x: Tensor; c: Tensor } {
  const x = tensor([0.5, -1, 2, 1.5, 0.25, -0.75], { shape: [2, 3], dtype: 'float64' });
  const c = tensor([1, -2, 0.5, 3], { shape: [2, 2], dtype: 'float64' });
  return { x, c };
}

describe('snn.LIF with a learnable rule parameter', () => {
  it('lists alpha as rule.alpha, in parameters() and the state dict', () => {
    const alpha = nn.learnable(2);
    const lif = new snn.LIF({ beta: 0.9, threshold: TH, dtype: 'float64', backward: rules.atan({ alpha }) });
    expect(lif.namedParameters().map(([n]) => n)).toEqual(['rule.alpha']);
    expect(lif.parameters()[0]).toBe(alpha);
    expect(Object.keys(lif.stateDict())).toContain('rule.alpha');
    const net = new nn.Sequential(new nn.Linear(2, 6), lif);
    expect(net.namedParameters().map(([n]) => n)).toContain('1.rule.alpha');
  });

  it('alpha gets the central finite difference of the surrogate loss in the raw parameter ρ', () => {
    const alpha = nn.learnable(2);
    const lif = new snn.LIF({ beta: 0.9, threshold: TH, dtype: 'float64', backward: rules.atan({ alpha }) });
    lifLoss(lif).backward();
    const rho = alpha.item();
    const L = (r: number): number => xs.reduce((s, x, i) => s + ws[i] * S(x - TH, softplus(r)), 0);
    const eps = 1e-6;
    const fd = (L(rho + eps) - L(rho - eps)) / (2 * eps);
    expect(fd).not.toBe(0);
    expect(rel(alpha.grad!.item(), fd)).toBeLessThan(1e-6);
  });

  it('an Adam step moves alpha, and a checkpoint round-trips its learned value', () => {
    const alpha = nn.learnable(2);
    const lif = new snn.LIF({ beta: 0.9, threshold: TH, dtype: 'float64', backward: rules.atan({ alpha }) });
    const opt = new optim.Adam(lif.parameters(), { lr: 0.1 });
    const before = alpha.item();
    lifLoss(lif).backward();
    opt.step();
    const learned = alpha.item();
    expect(learned).not.toBe(before);
    // Adam's first step moves each parameter by lr·sign(g) (up to ε)
    expect(Math.abs(learned - before)).toBeCloseTo(0.1, 6);

    const fresh = nn.learnable(2);
    const other = new snn.LIF({ beta: 0.9, threshold: TH, dtype: 'float64', backward: rules.atan({ alpha: fresh }) });
    fromBytes(toBytes({ model: lif }), { model: other });
    expect(fresh.item()).toBe(learned);
    expect(fresh.value).toBeCloseTo(softplus(learned), 12);
  });

  it('a schedule in its rule is stepped by nn.RuleSchedule', () => {
    const s = schedules.linear({ from: 1, to: 8, steps: 10 });
    const model = new nn.Sequential(new nn.Linear(2, 2), new snn.LIF({ beta: 0.9, backward: rules.atan({ alpha: s }) }));
    const rs = new nn.RuleSchedule(model);
    expect(rs.schedules().map(([k]) => k)).toEqual(['1.alpha']);
    for (let i = 0; i < 5; i++) rs.step();
    expect(s.t).toBe(5);
    expect(s.value()).toBeCloseTo(1 + (7 * 5) / 10, 12);
  });

  it('a plain requiresGrad tensor as a rule parameter is refused (it could never reach an optimizer)', () => {
    const plain = tensor(2, { dtype: 'float64', requiresGrad: true });
    expect(() => new snn.LIF({ beta: 0.9, backward: rules.atan({ alpha: plain }) })).toThrowWith(RuleError, /'alpha'.*not an nn\.Parameter.*nn\.learnable/);
  });
});

describe('nn.BinaryLinear with a learnable weight rule parameter', () => {
  it('lists alpha as weightRule.alpha, in parameters() and the state dict', () => {
    const alpha = nn.learnable(2);
    const bl = new nn.BinaryLinear(3, 2, { weightBackward: rules.atan({ alpha }) });
    expect(bl.namedParameters().map(([n]) => n)).toEqual(['weight', 'bias', 'weightRule.alpha']);
    expect(bl.parameters()).toContain(alpha);
    expect(Object.keys(bl.stateDict())).toContain('weightRule.alpha');
  });

  it('the weight and alpha gradients match float64 oracles (alpha: central difference in ρ)', () => {
    const alpha = nn.learnable(1.5);
    const bl = new nn.BinaryLinear(3, 2, { weightBackward: rules.atan({ alpha }), dtype: 'float64', generator: new Generator(3) });
    const { x, c } = binaryData();
    bl.forward(x).mul(c).sum().backward();
    const W = Array.from(bl.weight.toTypedArray());
    const X = Array.from(x.toTypedArray());
    const C = Array.from(c.toTypedArray());
    // ∂loss/∂sign(W)[o, i] = Σ_n c[n, o]·x[n, i]
    const gB = W.map((_, k) => {
      const o = Math.floor(k / 3);
      const i = k % 3;
      return C[o] * X[i] + C[2 + o] * X[3 + i];
    });
    const rho = alpha.item();
    const a = softplus(rho);
    const gW = Array.from(bl.weight.grad!.toTypedArray());
    gW.forEach((g, k) => expect(g).toBeCloseTo(gB[k] * h(W[k], a), 12));
    const L = (r: number): number => W.reduce((s, w, k) => s + gB[k] * S(w, softplus(r)), 0);
    const eps = 1e-6;
    const fd = (L(rho + eps) - L(rho - eps)) / (2 * eps);
    expect(fd).not.toBe(0);
    expect(rel(alpha.grad!.item(), fd)).toBeLessThan(1e-6);
  });

  it('an Adam step moves alpha, and a checkpoint round-trips its learned value', () => {
    const alpha = nn.learnable(1.5);
    const bl = new nn.BinaryLinear(3, 2, { weightBackward: rules.atan({ alpha }), dtype: 'float64', generator: new Generator(3) });
    const opt = new optim.Adam(bl.parameters(), { lr: 0.05 });
    const before = alpha.item();
    const { x, c } = binaryData();
    bl.forward(x).mul(c).sum().backward();
    opt.step();
    const learned = alpha.item();
    expect(Math.abs(learned - before)).toBeCloseTo(0.05, 6);

    const fresh = nn.learnable(1.5);
    const other = new nn.BinaryLinear(3, 2, { weightBackward: rules.atan({ alpha: fresh }), dtype: 'float64' });
    fromBytes(toBytes({ model: bl }), { model: other });
    expect(fresh.item()).toBe(learned);
  });

  it('a schedule in its weight rule is stepped by nn.RuleSchedule, named by the weightRule slot', () => {
    const s = schedules.linear({ from: 1, to: 3, steps: 4 });
    const model = new nn.Sequential(new nn.BinaryLinear(3, 2, { weightBackward: rules.atan({ alpha: s }) }));
    const rs = new nn.RuleSchedule(model);
    expect(rs.schedules().map(([k]) => k)).toEqual(['0.weightRule.alpha']);
    rs.step();
    expect(s.t).toBe(1);
  });
});

describe('BinaryConv2d and QuantizedActivation register their rule parameters too', () => {
  it('weightRule.alpha and rule.alpha', () => {
    const a = nn.learnable(2);
    const conv = new nn.BinaryConv2d(1, 1, 2, { weightBackward: rules.atan({ alpha: a }) });
    expect(conv.namedParameters().map(([n]) => n)).toContain('weightRule.alpha');
    const b = nn.learnable(2);
    const q = new nn.QuantizedActivation({ backward: rules.atan({ alpha: b }) });
    expect(q.namedParameters().map(([n]) => n)).toEqual(['rule.alpha']);
    expect(q.parameters()[0]).toBe(b);
  });
});

describe('the rule context seen inside these layers', () => {
  const seen: boolean[] = [];
  const steps: number[] = [];
  const rule = {
    context: (g: Float64Array | Float32Array, _x: unknown, _y: unknown, _s: unknown, ctx: { training: boolean; step: number }) => {
      seen.push(ctx.training);
      steps.push(ctx.step);
      return Array.from(g);
    },
  };

  it('training is false after eval() and true after train(), on LIF and BinaryLinear', () => {
    const lif = new snn.LIF({ beta: 0.9, backward: rule as never });
    const bl = new nn.BinaryLinear(3, 2, { weightBackward: rule as never });
    const run = (m: snn.LIF | nn.BinaryLinear): void => {
      seen.length = 0;
      if (m instanceof snn.LIF) lif.step(tensor([[1.5, 0.2]], { requiresGrad: true }))[0].sum().backward();
      else bl.forward(tensor([[0.5, -1, 2]])).sum().backward();
    };
    for (const m of [lif, bl]) {
      m.eval();
      run(m);
      expect(seen).toEqual([false]);
      m.train();
      run(m);
      expect(seen).toEqual([true]);
    }
  });

  it('the step is RuleSchedule\'s count on LIF and BinaryLinear', () => {
    const lif = new snn.LIF({ beta: 0.9, backward: rule as never });
    const bl = new nn.BinaryLinear(2, 1, { weightBackward: rule as never });
    const rs = new nn.RuleSchedule(new nn.Sequential(lif, bl));
    rs.step();
    rs.step();
    steps.length = 0;
    const [spk] = lif.step(tensor([[1.5, 0.2]], { requiresGrad: true }));
    bl.forward(spk).sum().backward();
    expect(steps).toEqual([2, 2]);
  });
});

describe('nn.Activation refuses a plain requiresGrad tensor as a rule parameter', () => {
  it('in the constructor and the setter, leaving the layer unchanged', () => {
    const plain = tensor(2, { dtype: 'float64', requiresGrad: true });
    expect(() => new nn.Activation('heaviside', { backward: rules.atan({ alpha: plain }) })).toThrowWith(RuleError, /not an nn\.Parameter/);
    const alpha = nn.learnable(2);
    const act = new nn.Activation('heaviside', { backward: rules.atan({ alpha }) });
    const before = act.backward;
    expect(() => {
      act.backward = rules.atan({ alpha: plain });
    }).toThrowWith(RuleError, /not an nn\.Parameter/);
    expect(act.backward).toBe(before);
    expect(act.parameters()).toEqual([alpha]);
    // an nn.Parameter wrapped by the user is the very object registered
    const p = new nn.Parameter(tensor(2, { dtype: 'float64' }));
    act.backward = rules.atan({ alpha: p });
    expect(act.parameters()[0]).toBe(p);
    // a tensor without requiresGrad is a constant: nothing to register
    act.backward = rules.atan({ alpha: tensor(2, { dtype: 'float64' }) });
    expect(act.parameters()).toEqual([]);
  });
});
