// Encoders (binomial tolerance, seeds, hand-computed spike times), spike losses against their
// formulas, and the monitor's firing rates.
import { describe, expect, it } from 'vitest';
import { ArgumentError, Generator, ShapeError, type Tensor, diagnostics, nn, snn, tensor } from '../../src/index';
import { expectClose, gradOf } from './helpers';

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray());

describe('snn.rate', () => {
  it('fires with probability clamp(gain·x + offset, 0, 1) per step, within binomial tolerance', () => {
    const probs = [0, 0.05, 0.3, 0.5, 0.9, 1, 1.4, -0.2];
    const x = tensor(probs);
    const steps = 4000;
    const s = snn.rate(x, { steps, seed: 7 });
    expect(s.shape).toEqual([steps, probs.length]);
    const v = flat(s);
    probs.forEach((p0, j) => {
      const p = Math.min(1, Math.max(0, p0));
      let count = 0;
      for (let t = 0; t < steps; t++) count += v[t * probs.length + j];
      const sd = Math.sqrt(steps * p * (1 - p));
      expect(Math.abs(count - steps * p)).toBeLessThanOrEqual(4.5 * sd + 1e-9);
    });
    expect(v.every((b) => b === 0 || b === 1)).toBe(true);
    // gain and offset: 0.5·0.4 + 0.1 = 0.3
    const g = flat(snn.rate(tensor([0.4]), { steps, gain: 0.5, offset: 0.1, seed: 1 })).reduce((a, b) => a + b, 0);
    expect(Math.abs(g - 0.3 * steps)).toBeLessThanOrEqual(4.5 * Math.sqrt(steps * 0.21));
  });
  it('is deterministic from the seed, differs across seeds, and advances a given generator', () => {
    const x = tensor([[0.2, 0.7], [0.5, 0.5]]);
    expect(flat(snn.rate(x, { steps: 50, seed: 3 }))).toEqual(flat(snn.rate(x, { steps: 50, seed: 3 })));
    expect(flat(snn.rate(x, { steps: 50, seed: 3 }))).not.toEqual(flat(snn.rate(x, { steps: 50, seed: 4 })));
    const gen = new Generator(9);
    const a = flat(snn.rate(x, { steps: 20, generator: gen }));
    const b = flat(snn.rate(x, { steps: 20, generator: gen }));
    expect(a).not.toEqual(b);
    expect(a).toEqual(flat(snn.rate(x, { steps: 20, generator: new Generator(9) })));
  });
  it('time-varying input [T, ...] and firstSpikeTime', () => {
    const s = snn.rate(tensor([[1, 0], [1, 1], [0, 1]]), { seed: 0 });
    expect(flat(s)).toEqual([1, 0, 1, 1, 0, 1]);
    const late = snn.rate(tensor([1, 1]), { steps: 4, firstSpikeTime: 2, seed: 0 });
    expect(flat(late)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(() => snn.rate(tensor([0.5]), { steps: 0 })).toThrow(/snn.rate: steps must be an integer ≥ 1, got 0/);
    expect(() => snn.rate(tensor([0.5]), { step: 5 } as never)).toThrow(/unknown option 'step'/);
  });
});

describe('snn.latency', () => {
  it('log code: t = τ·ln(x / (x − threshold)), rounded halves to even', () => {
    // τ = 5, threshold 0.01: x = 0.02 → 5·ln 2 = 3.47 → 3; x = 1 → 0.05 → 0; x = 0.011 → 5·ln 11 = 11.99 → 12
    const s = snn.latency(tensor([0.02, 1, 0.011]), { steps: 13, tau: 5 });
    expect(s.shape).toEqual([13, 3]);
    const v = flat(s);
    const when = [0, 1, 2].map((j) => [...Array(13).keys()].filter((t) => v[t * 3 + j] === 1));
    expect(when).toEqual([[3], [0], [12]]);
  });
  it('linear code t = τ(1 − x), normalize spans the steps, clip silences values below the threshold', () => {
    // τ = 10: x = 0.25 → 7.5 → 8 (half to even); x = 0.75 → 2.5 → 2 (both exact in float32); x = 0 → min(10, 9.9) = 9.9 → 10
    const v = flat(snn.latency(tensor([0.25, 0.75, 0]), { steps: 11, tau: 10, linear: true }));
    const when = [0, 1, 2].map((j) => [...Array(11).keys()].filter((t) => v[t * 3 + j] === 1));
    expect(when).toEqual([[8], [2], [10]]);
    // normalize: τ = T − 1 = 4: x = 0.5 → 2
    const n = flat(snn.latency(tensor([0.5, 0.001]), { steps: 5, linear: true, normalize: true, clip: true }));
    expect(n).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0, 0]);
  });
  it('refuses spike times past the last step and data outside [0, 1]', () => {
    expect(() => snn.latency(tensor([0.011]), { steps: 5, tau: 5 })).toThrow(/snn.latency: a spike would come at step 12, past the last step 4/);
    expect(() => snn.latency(tensor([1.5]), { steps: 5 })).toThrow(ArgumentError);
  });
});

describe('snn.delta', () => {
  it('fires on rises of at least the threshold (and −1 on falls with offSpike)', () => {
    const x = tensor([[0], [0.5], [0.55], [0.2]]);
    expect(flat(snn.delta(x, { threshold: 0.1 }))).toEqual([0, 1, 0, 0]);
    expect(flat(snn.delta(x, { threshold: 0.1, offSpike: true }))).toEqual([0, 1, 0, -1]);
    expect(flat(snn.delta(tensor([[0.5], [0.5]]), { threshold: 0.1 }))).toEqual([1, 0]);
    expect(flat(snn.delta(tensor([[0.5], [0.5]]), { threshold: 0.1, padding: true }))).toEqual([0, 0]);
  });
});

describe('spike losses and readouts', () => {
  // T = 2, N = 2, C = 3
  const spikes = tensor([[[1, 0, 0], [0, 1, 1]], [[1, 1, 0], [0, 0, 1]]], { dtype: 'float64' });
  const labels = [0, 2];
  const ce = (logits: number[][], ls: number[]): number =>
    logits.reduce((acc, row, i) => acc - (row[ls[i]] - Math.log(row.reduce((a, v) => a + Math.exp(v), 0))), 0) / logits.length;

  it('ceCountLoss is the cross-entropy of the spike counts', () => {
    expect(snn.ceCountLoss(spikes, labels).item()).toBeCloseTo(ce([[2, 1, 0], [0, 1, 2]], labels), 12);
  });
  it("ceMembraneLoss: CE of the summed membrane, or Σ_t CE(U[t]) with over: 'perStep'", () => {
    const m = tensor([[[0.5, -1, 0.2], [0.1, 0.3, 0.9]], [[1.5, 0.5, -0.2], [0.4, 0.1, -0.3]]], { dtype: 'float64' }).requiresGrad_();
    expect(snn.ceMembraneLoss(m, labels).item()).toBeCloseTo(ce([[2, -0.5, 0], [0.5, 0.4, 0.6]], labels), 12);
    const perStep = ce([[0.5, -1, 0.2], [0.1, 0.3, 0.9]], labels) + ce([[1.5, 0.5, -0.2], [0.4, 0.1, -0.3]], labels);
    expect(snn.ceMembraneLoss(m, labels, { over: 'perStep' }).item()).toBeCloseTo(perStep, 12);
    snn.ceMembraneLoss(m, labels).backward();
    expect(gradOf(m).length).toBe(12);
  });
  it('mseRateLoss compares firing rates with the target rates', () => {
    // rates: [[1, .5, 0], [0, .5, 1]]; targets (0.9 / 0.1): [[.9, .1, .1], [.1, .1, .9]]
    const d = [0.1, 0.4, -0.1, -0.1, 0.4, 0.1];
    const want = d.reduce((a, v) => a + v * v, 0) / 6;
    expect(snn.mseRateLoss(spikes, labels, { correctRate: 0.9, incorrectRate: 0.1 }).item()).toBeCloseTo(want, 12);
  });
  it('accuracy reads the most-firing neuron; firingRate averages over time and batch', () => {
    expect(snn.accuracy(spikes, labels)).toBe(1);
    expect(snn.accuracy(spikes, [1, 2])).toBe(0.5);
    expectClose(flat(snn.firingRate(spikes)), [0.5, 0.5, 0.5], 1e-12);
    expect(() => snn.ceCountLoss(tensor([1, 2]), [0])).toThrow(ShapeError);
    expect(() => snn.ceCountLoss(spikes, [0, 3])).toThrow(/label 3 is not a class index in \[0, 2\]/);
  });
});

describe('diagnostics.monitor on spiking layers', () => {
  it('reports per-layer firing rates and silent neurons, from forward and step calls', () => {
    class Net extends nn.Module {
      fc = new nn.Linear(2, 3, { bias: false });
      lif = new snn.LIF({ beta: 0.5 });
      forward(x: Tensor): Tensor {
        return this.lif.forward(this.fc.forward(x));
      }
    }
    const net = new Net();
    net.fc.weight.toNdarray().data.set([2, 0, 0, 0.6, 0, 0]); // neuron 0 fires every step, 1 every other, 2 never
    const m = diagnostics.monitor(net);
    net.forward(tensor([[[1, 1]], [[1, 1]], [[1, 1]], [[1, 1]]]));
    const [r] = m.report().spiking;
    // neuron 1: U = 0.6, 0.9, 1.05 (spike), 0.125+0.6 = 0.725 → spikes at t = 2 only; neuron 0: U = 2, 1+2−1 = 2, ... always
    expect(r.name).toBe('lif');
    expect(r.units).toBe(3);
    expect(r.steps).toBe(4);
    expect(r.firingRate).toBeCloseTo(5 / 12, 12);
    expect(r.silentFraction).toBeCloseTo(1 / 3, 12);
    net.lif.step(tensor([[0, 0, 5]]));
    const after = m.report().spiking[0];
    expect(after.silentFraction).toBe(0);
    expect(after.steps).toBe(5);
    m.remove();
    net.forward(tensor([[[1, 1]]]));
  });
});
