// Anomaly mode through the spiking layers' one-op forms: the spike op's output is 0/1 and
// maxMembrane's is a maximum, so an overflowing membrane must be caught on the membranes
// themselves, as the step-by-step path (one record per membrane) catches it.
// Oracle: float32 arithmetic by hand — 3e38 + 0.9·3e38 > 3.4028e38 (float32's largest) is +∞.
import { afterEach, describe, expect, it } from 'vitest';
import { AnomalyError, setDetectAnomaly, snn, tensor } from '../../src';

afterEach(() => setDetectAnomaly(false));

/** [T = 4, N = 1, 1] float32 input. */
const seq = (values: number[]) => tensor(values, { dtype: 'float32', requiresGrad: true }).reshape([4, 1, 1]);

describe('anomaly mode sees overflowing membranes inside one-op spiking forms', () => {
  for (const reset of ['subtract', 'zero', 'none'] as const) {
    it(`LIF.forward (spike op), reset '${reset}': the membranes overflow to +∞, AnomalyError; off: spikes, no error`, () => {
      // Θ = 3.3e38: U[0] = 3e38 does not spike (no reset at t = 1 in any mode), U[1] = 0.9·3e38 + 3e38 = +∞ in float32
      const lif = new snn.LIF({ beta: 0.9, threshold: 3.3e38, reset: reset });
      const input = [3e38, 3e38, 2, 2];
      // with the mode off the op runs and its spikes are finite: 0 at t = 0, 1 at t = 1 (∞ > Θ)
      const spikes = Array.from(lif.forward(seq(input)).toTypedArray());
      expect(spikes.slice(0, 2)).toEqual([0, 1]);
      spikes.forEach((v) => expect(v === 0 || v === 1).toBe(true));
      setDetectAnomaly(true);
      expect(() => lif.forward(seq(input))).toThrow(AnomalyError);
      expect(() => lif.forward(seq(input))).toThrow(/lifSpikeSequence/);
    });
  }

  it('LIF.maxMembrane (reset none): U goes to −∞ while the maximum stays finite; the mode catches it', () => {
    const lif = new snn.LIF({ beta: 0.9, reset: 'none' });
    const input = [-3e38, -3e38, 5, 0];
    const m = lif.maxMembrane(seq(input));
    expect(m.toTypedArray()[0]).toBe(Math.fround(-3e38)); // U[0], the largest of −3e38, −∞, −∞, −∞
    setDetectAnomaly(true);
    expect(() => lif.maxMembrane(seq(input))).toThrow(AnomalyError);
  });

  it('finite sequences pass in anomaly mode with the same values as with it off', () => {
    const lif = new snn.LIF({ beta: 0.5, threshold: 1, reset: 'none' });
    const input = [0.5, 1.5, -2, 0.25];
    const off = Array.from(lif.maxMembrane(seq(input)).toTypedArray());
    const offSpikes = Array.from(lif.forward(seq(input)).toTypedArray());
    setDetectAnomaly(true);
    expect(Array.from(lif.maxMembrane(seq(input)).toTypedArray())).toEqual(off);
    expect(Array.from(lif.forward(seq(input)).toTypedArray())).toEqual(offSpikes);
    // by hand: U = 0.5, 1.75, −1.125, −0.3125 → max 1.75; spikes where U > 1: [0, 1, 0, 0]
    expect(off).toEqual([1.75]);
    expect(offSpikes).toEqual([0, 1, 0, 0]);
  });
});
