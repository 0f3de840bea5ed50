// A monitor left attached during training: what it holds stays the same size however many
// batches it sees, its running statistics equal the ones computed by hand, a change of input
// shape is an error rather than a silent restart, and relu6 units stuck at 6 are saturated, not dead.
import { describe, expect, it } from 'vitest';
import { nn, tensor, type Tensor } from '../../src/index';
import * as diagnostics from '../../src/diagnostics';

/** Linear(2→2) → ReLU → Linear(2→1), float64, with the weights given and zero biases. */
function handNet(): nn.Sequential {
  const net = new nn.Sequential(
    new nn.Linear(2, 2, { dtype: 'float64' }),
    new nn.ReLU(),
    new nn.Linear(2, 1, { dtype: 'float64' }),
  );
  const [l1, , l2] = [...net] as [nn.Linear, nn.Module, nn.Linear];
  l1.weight.data.data.set([1, -1, 0.5, 1]); // unit 0 = x0 − x1, unit 1 = 0.5·x0 + x1
  (l1.bias as Tensor).data.data.fill(0);
  l2.weight.data.data.set([3, 4]);
  (l2.bias as Tensor).data.data.fill(0);
  return net;
}

// x = [1, 2]: z1 = [−1, 2.5], a = [0, 2.5], y = 10; with loss = y, ∂L/∂z1 = [0, 4] and ∂L/∂y = 1.
const x = tensor([[1, 2]], { dtype: 'float64' });
const PASSES = 1000;

describe('a monitor attached for many passes holds a constant amount of memory', () => {
  it(`${PASSES} forward and backward passes: the same retained arrays and no tensors; statistics as computed by hand`, () => {
    const net = handNet();
    const m = diagnostics.monitor(net);
    net.forward(x).sum().backward();
    const afterOne = m.retainedSize();
    for (let i = 1; i < PASSES; i++) net.forward(x).sum().backward();
    expect(m.retainedSize()).toEqual(afterOne);
    expect(afterOne.tensors).toBe(0);

    const report = m.report();
    // the output gradients of every pass, summed in squares: √(1000 · 4²) and √(1000 · 1²)
    expect(report.layers[0].outputGradNorm).toBeCloseTo(4 * Math.sqrt(PASSES), 9);
    expect(report.layers[1].outputGradNorm).toBeCloseTo(Math.sqrt(PASSES), 9);
    const relu = report.activations[0];
    expect(relu.samples).toBe(PASSES);
    expect(relu.units).toBe(2);
    expect(relu.deadFraction).toBe(0.5); // unit 0 sees −1 every time
    // inputs {−1, 2.5} and outputs {0, 2.5}, each 1000 times
    expect(relu.inputMean).toBeCloseTo(0.75, 9);
    expect(relu.inputStd).toBeCloseTo(1.75, 9);
    expect(relu.mean).toBeCloseTo(1.25, 9);
    expect(relu.std).toBeCloseTo(1.25, 9);
    expect(relu.fractionZero).toBe(0.5);
    m.remove();
  });

  it(`${PASSES} forward passes with no backward (an evaluation with grad on) retain nothing either`, () => {
    const net = handNet();
    const m = diagnostics.monitor(net);
    net.forward(x);
    const afterOne = m.retainedSize();
    for (let i = 1; i < PASSES; i++) net.forward(x);
    expect(m.retainedSize()).toEqual(afterOne);
    expect(afterOne.tensors).toBe(0);
    expect(m.report().layers[0].outputGradNorm).toBe(0); // outputs seen, no gradient reached them
    m.remove();
  });

  it('what it holds is O(units): per-unit flags of the rectifier and saturating layers only', () => {
    const net = new nn.Sequential(new nn.Linear(3, 5, { dtype: 'float64' }), new nn.ReLU(), new nn.Linear(5, 4, { dtype: 'float64' }), new nn.Sigmoid());
    const m = diagnostics.monitor(net);
    expect(m.retainedSize()).toEqual({ tensors: 0, arrays: 0, elements: 0 });
    net.forward(tensor([[1, 2, 3], [4, 5, 6]], { dtype: 'float64' })).sum().backward();
    // relu: 5 "ever positive" flags; sigmoid: 4 "ever unsaturated" flags
    expect(m.retainedSize()).toEqual({ tensors: 0, arrays: 2, elements: 9 });
    m.remove();
  });

  it('a backward after reset() does not count a forward pass from before it', () => {
    const net = handNet();
    const m = diagnostics.monitor(net);
    const loss = net.forward(x).sum();
    m.reset();
    loss.backward();
    expect(m.report().layers[0].outputGradNorm).toBeNull();
    net.forward(x).sum().backward();
    expect(m.report().layers[0].outputGradNorm).toBeCloseTo(4, 12);
    m.remove();
  });
});

describe('a change of input shape', () => {
  it('keeps flags per feature shape, so one activation module used at two widths is counted at both', () => {
    const net = new nn.Sequential(new nn.ReLU());
    const m = diagnostics.monitor(net);
    net.forward(tensor([[1, -1, 2, -2], [0, 3, -1, 1]]));
    net.forward(tensor([[1, 1, 1, -1]])); // a smaller batch is not a change of shape
    net.forward(tensor([[1, -2, 3, -4, 5, -6]])); // width 6: units 1, 3, 5 never > 0
    const report = m.report().activations[0];
    expect(report.samples).toBe(4);
    expect(report.units).toBe(10);
    // width 4: every unit was > 0 once (0: 1; 1: 3; 2: 2; 3: 1) → 0 dead; width 6: 3 dead → 3 / 10
    expect(report.deadFraction).toBeCloseTo(0.3, 12);
    expect(m.retainedSize().arrays).toBe(2);
    m.remove();
  });

  it('a model reusing one activation module between layers of different widths trains with a monitor attached', () => {
    const act = new nn.ReLU();
    const net = new nn.Sequential(new nn.Linear(4, 8), act, new nn.Linear(8, 3), act, new nn.Linear(3, 1));
    const m = diagnostics.monitor(net);
    net.forward(tensor([[1, 2, 3, 4], [-1, 0, 1, 2]])).sum().backward();
    expect(m.report().activations[0].units).toBe(11);
    m.remove();
  });

  it('after reset() the monitor accepts the new shape', () => {
    const net = new nn.Sequential(new nn.Tanh());
    const m = diagnostics.monitor(net);
    net.forward(tensor([[1, 2]]));
    m.reset();
    net.forward(tensor([[[1, 2], [3, 4]]]));
    expect(m.report().activations[0].units).toBe(4);
    m.remove();
  });
});

describe('relu6: dead below, saturated above', () => {
  it('a unit with input ≤ 0 for every sample is dead; values ≥ 6 are saturated; a unit ≥ 6 for every sample is a saturated unit, not a dead one', () => {
    const net = new nn.Sequential(new nn.ReLU6());
    const m = diagnostics.monitor(net);
    // unit 0: ≤ 0 always (dead); unit 1: > 6 always (stuck high); unit 2: once positive, never ≥ 6; unit 3: ≥ 6 always (6 counts)
    net.forward(tensor([[-1, 7, 3, 6], [0, 9, -2, 6.5]]));
    const a = m.report().activations[0];
    expect(a.deadFraction).toBe(1 / 4);
    expect(a.saturationThreshold).toBe(6);
    expect(a.saturatedFraction).toBe(4 / 8); // 7, 6, 9, 6.5; −2 is not "saturated" (relu6 saturates upward only)
    expect(a.saturatedUnitFraction).toBe(2 / 4);
    m.remove();
  });

  it('sigmoid and tanh report saturated units too: |x| above the threshold for every sample', () => {
    const net = new nn.Sequential(new nn.Sigmoid());
    const m = diagnostics.monitor(net);
    net.forward(tensor([[-5, -3, 0, 4.5], [1, -4, 4, 10]]));
    const a = m.report().activations[0];
    expect(a.saturatedFraction).toBe(3 / 8);
    expect(a.saturatedUnitFraction).toBe(1 / 4); // only unit 3 (4.5, 10)
    m.remove();
  });

  it('a rectifier without a threshold has no saturated units', () => {
    const net = new nn.Sequential(new nn.ReLU());
    const m = diagnostics.monitor(net);
    net.forward(tensor([[100, -1]]));
    expect(m.report().activations[0].saturatedUnitFraction).toBeNull();
    m.remove();
  });
});
