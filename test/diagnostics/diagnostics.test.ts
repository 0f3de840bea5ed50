// Diagnostics against hand-built cases: known weights give known gradient norms, dead and
// saturated units are counted as defined, and diagnosing a model leaves it as it was.
import { describe, expect, it } from 'vitest';
import { Generator, nn, randn, tensor, type Tensor } from '../../src/index';
import * as diagnostics from '../../src/diagnostics';
import { gradTensor } from '../grad';

const sigma = (x: number): number => 1 / (1 + Math.exp(-x));

/** Linear(2→2) → ReLU → Linear(2→1), float64, with the weights given and zero biases. */
function handNet(backward: 'exact' | 'sigmoid' = 'exact'): nn.Sequential {
  const net = new nn.Sequential(
    new nn.Linear(2, 2, { dtype: 'float64' }),
    new nn.ReLU({ backward }),
    new nn.Linear(2, 1, { dtype: 'float64' }),
  );
  const [l1, , l2] = [...net] as [nn.Linear, nn.Module, nn.Linear];
  l1.weight.data.data.set([1, -1, 0.5, 1]); // rows: unit 0 = x0 − x1, unit 1 = 0.5·x0 + x1
  (l1.bias as Tensor).data.data.fill(0);
  l2.weight.data.data.set([3, 4]);
  (l2.bias as Tensor).data.data.fill(0);
  return net;
}

describe('gradient norms on a net with known weights', () => {
  // x = [1, 2]: z1 = [1 − 2, 0.5 + 2] = [−1, 2.5], a = relu(z1) = [0, 2.5], y = 3·0 + 4·2.5 = 10,
  // loss = y. By hand: ∂L/∂W2 = a = [0, 2.5] (norm 2.5), ∂L/∂b2 = 1, ∂L/∂y = 1;
  // ∂L/∂z1 = W2ᵀ·1 ⊙ relu'(z1) = [0, 4] (norm 4); ∂L/∂W1 = ∂L/∂z1 ⊗ x = [[0, 0], [4, 8]] (norm √80);
  // ∂L/∂b1 = [0, 4] (norm 4).
  const x = tensor([[1, 2]], { dtype: 'float64' });

  it('diagnose reports the weight, bias and output gradient norms computed by hand', () => {
    const net = handNet();
    const report = diagnostics.diagnose(net, () => net.forward(x).sum());
    expect(report.loss).toBeCloseTo(10, 12);
    const [first, last] = report.layers;
    expect(first.name).toBe('0');
    expect(first.weightGradNorm).toBeCloseTo(Math.sqrt(80), 12);
    expect(first.biasGradNorm).toBeCloseTo(4, 12);
    expect(first.outputGradNorm).toBeCloseTo(4, 12);
    expect(last.name).toBe('2');
    expect(last.weightGradNorm).toBeCloseTo(2.5, 12);
    expect(last.biasGradNorm).toBeCloseTo(1, 12);
    expect(last.outputGradNorm).toBeCloseTo(1, 12);
    expect(report.firstLastRatio).toBeCloseTo(Math.sqrt(80) / 2.5, 12);
  });

  it('layerGradNorms reads the same norms from .grad after an ordinary backward', () => {
    const net = handNet();
    net.forward(x).sum().backward();
    const layers = diagnostics.layerGradNorms(net);
    expect(layers.map((l) => l.weightGradNorm)).toEqual([expect.closeTo(Math.sqrt(80), 12), expect.closeTo(2.5, 12)]);
    expect(layers.map((l) => l.outputGradNorm)).toEqual([null, null]);
    expect(diagnostics.gradNorms(net)['0.bias']).toBeCloseTo(4, 12);
  });

  it('the sigmoid rule changes the first layer by the amounts the formula gives', () => {
    // ∂L/∂z1 = [3σ(−1), 4σ(2.5)] under relu's 'sigmoid' rule
    const net = handNet('sigmoid');
    const report = diagnostics.diagnose(net, () => net.forward(x).sum(), { agreement: true });
    const dz = [3 * sigma(-1), 4 * sigma(2.5)];
    const weightNorm = Math.hypot(dz[0], 2 * dz[0], dz[1], 2 * dz[1]);
    expect(report.layers[0].weightGradNorm).toBeCloseTo(weightNorm, 12);
    expect(report.layers[0].outputGradNorm).toBeCloseTo(Math.hypot(dz[0], dz[1]), 12);
    // agreement with the exact gradient g_exact = W: [[0,0],[4,8]], b: [0,4]
    const [a1, a2] = report.agreement ?? [];
    const ruleNorm = Math.sqrt(6 * (dz[0] ** 2 + dz[1] ** 2));
    const exactNorm = Math.sqrt(96);
    expect(a1.ruleNorm).toBeCloseTo(ruleNorm, 12);
    expect(a1.exactNorm).toBeCloseTo(exactNorm, 12);
    expect(a1.cosine).toBeCloseTo((6 * 4 * dz[1]) / (ruleNorm * exactNorm), 12);
    expect(a1.normRatio).toBeCloseTo(ruleNorm / exactNorm, 12);
    // the last layer sees no rule: identical gradients
    expect(a2.cosine).toBeCloseTo(1, 12);
    expect(a2.normRatio).toBeCloseTo(1, 12);
  });
});

describe('dead units', () => {
  it('a layer whose units are all dead reads 1.0', () => {
    const layer = new nn.Linear(4, 6, { generator: new Generator(2) });
    (layer.bias as Tensor).data.data.fill(-100); // every pre-activation ≈ −100
    const net = new nn.Sequential(layer, new nn.ReLU(), new nn.Linear(6, 2, { generator: new Generator(3) }));
    const x = randn([32, 4], { generator: new Generator(4) });
    const report = diagnostics.diagnose(net, () => net.forward(x).sum());
    expect(report.activations[0].deadFraction).toBe(1);
    expect(report.deadFraction).toBe(1);
    expect(report.activations[0].fractionZero).toBe(1);
    // and, dead, they pass no gradient to the first layer
    expect(report.layers[0].weightGradNorm).toBe(0);
  });

  it('a unit is dead only if its input is ≤ 0 for every sample, over every batch the monitor saw', () => {
    const net = new nn.Sequential(new nn.ReLU());
    const m = diagnostics.monitor(net);
    // unit 0: always ≤ 0 (0 counts as dead); unit 1: positive once, in the second batch; unit 2: always > 0; unit 3: ≤ 0
    net.forward(tensor([[0, -1, 2, -3], [-2, -1, 1, 0]]));
    expect(m.report().activations[0].deadFraction).toBe(0.75);
    net.forward(tensor([[-1, 0.5, 3, -1]]));
    const report = m.report();
    expect(report.activations[0].deadFraction).toBe(0.5);
    expect(report.activations[0].samples).toBe(3);
    m.reset();
    net.forward(tensor([[1, 1, 1, 1]]));
    expect(m.report().activations[0].deadFraction).toBe(0);
    m.remove();
  });

  it('counts only rectifiers: a sigmoid layer has no dead fraction', () => {
    const net = new nn.Sequential(new nn.Sigmoid());
    const report = diagnostics.diagnose(net, () => net.forward(tensor([[-5, 5]], { requiresGrad: true })).sum());
    expect(report.activations[0].deadFraction).toBeNull();
    expect(report.deadFraction).toBeNull();
  });
});

describe('saturation and activation statistics', () => {
  it('sigmoid saturates above |x| = 4, tanh above |x| = 2, as fractions of all values', () => {
    const x = tensor([[-5, -3, 0, 4.5], [1, -4, 4, 10]]);
    const sig = new nn.Sequential(new nn.Sigmoid());
    const m = diagnostics.monitor(sig);
    sig.forward(x);
    const s = m.report();
    expect(s.activations[0].saturationThreshold).toBe(4);
    expect(s.activations[0].saturatedFraction).toBe(3 / 8); // −5, 4.5, 10 (±4 itself is not above)
    expect(s.saturatedFraction).toBe(3 / 8);
    m.remove();

    const th = new nn.Sequential(new nn.Tanh());
    const mt = diagnostics.monitor(th, { saturation: { tanh: 3 } });
    th.forward(x);
    expect(mt.report().activations[0].saturatedFraction).toBe(5 / 8); // |x| > 3: −5, 4.5, −4, 4, 10
    mt.remove();
  });

  it('mean, std and fraction zero of the output, mean and std of the input', () => {
    const net = new nn.Sequential(new nn.ReLU());
    const m = diagnostics.monitor(net);
    net.forward(tensor([[-1, 2], [3, -4]], { dtype: 'float64' }));
    const a = m.report().activations[0];
    // output [0, 2, 3, 0]: mean 1.25, population variance (0 + 4 + 9 + 0)/4 − 1.25² = 1.6875
    expect(a.mean).toBeCloseTo(1.25, 12);
    expect(a.std).toBeCloseTo(Math.sqrt(1.6875), 12);
    expect(a.fractionZero).toBe(0.5);
    // input [−1, 2, 3, −4]: mean 0, variance 30/4
    expect(a.inputMean).toBeCloseTo(0, 12);
    expect(a.inputStd).toBeCloseTo(Math.sqrt(7.5), 12);
    expect(a.activation).toBe('relu');
    expect(a.rule).toBe('inherit');
    m.remove();
  });
});

describe('diagnostics leave the model as they found it', () => {
  it('diagnose restores .grad and BatchNorm running statistics, and takes its hooks off', () => {
    const gen = new Generator(5);
    const net = new nn.Sequential(new nn.Linear(3, 4, { generator: gen }), new nn.BatchNorm1d(4), new nn.Tanh(), new nn.Linear(4, 2, { generator: gen }));
    const x = randn([8, 3], { generator: gen });
    net.forward(x).sum().backward();
    const grads = net.parameters().map((p) => gradTensor(p).toArray());
    const buffers = net.buffers().map((b) => b.toArray());
    diagnostics.diagnose(net, () => net.forward(x).sum(), { agreement: true });
    expect(net.parameters().map((p) => gradTensor(p).toArray())).toEqual(grads);
    expect(net.buffers().map((b) => b.toArray())).toEqual(buffers);
    expect(net.modules().every((m) => m.forwardHookCount === 0 && !Object.hasOwn(m, 'forward'))).toBe(true);
  });

  it('a monitor does not change the loss or the parameter gradients', () => {
    const make = (): nn.Sequential => nn.mlp([5, 6, 6, 3], { activation: 'sigmoid', generator: new Generator(9) });
    const x = randn([10, 5], { generator: new Generator(10) });
    const plain = make();
    const plainLoss = plain.forward(x).crossEntropy([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    plainLoss.backward();
    const watched = make();
    const m = diagnostics.monitor(watched);
    const watchedLoss = watched.forward(x).crossEntropy([0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    watchedLoss.backward();
    expect(watchedLoss.item()).toBe(plainLoss.item());
    expect(watched.parameters().map((p) => gradTensor(p).toArray())).toEqual(plain.parameters().map((p) => gradTensor(p).toArray()));
    // and it saw something: a gradient at every layer output
    expect(m.report().layers.every((l) => (l.outputGradNorm ?? 0) > 0)).toBe(true);
    m.remove();
    expect(m.attached).toBe(false);
  });
});

describe('firstLastRatio', () => {
  it('first over last; NaN when both are 0 (nothing flows), Infinity when only the last is', () => {
    expect(diagnostics.firstLastRatio([{ weightGradNorm: 1e-6 }, { weightGradNorm: 0.5 }, { weightGradNorm: 1e-2 }])).toBeCloseTo(1e-4, 15);
    expect(diagnostics.firstLastRatio([{ weightGradNorm: 0 }, { weightGradNorm: 0 }])).toBeNaN();
    expect(diagnostics.firstLastRatio([{ weightGradNorm: 2 }, { weightGradNorm: 0 }])).toBe(Infinity);
    expect(diagnostics.firstLastRatio([])).toBeNaN();
  });
});
