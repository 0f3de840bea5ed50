// Spike encoders, as snnTorch's `spikegen`: turn values into spike trains [T, ...shape] of 0s
// and 1s (delta with offSpike: −1 too). Randomness comes from a seeded Generator only.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import type { Generator } from '../random';
import { roundHalfEven } from '../activations/math';
import { type RandomSource, checkKeys, intOption, numberOption, resolveGenerator, booleanOption } from '../data/options';

export interface RateOptions extends RandomSource {
  /**
   * Time steps T: the input is repeated T times (a constant input). Omit it for an input that
   * already varies in time, [T, ...]: each of its values is then a probability.
   */
  steps?: number;
  /** Multiply the input before sampling (default 1). */
  gain?: number;
  /** Add to the input after the gain (default 0). */
  offset?: number;
  /** No spikes before this step (default 0). */
  firstSpikeTime?: number;
}

function valuesOf(fn: string, data: unknown): { values: Float32Array | Float64Array; shape: number[]; dtype: 'float32' | 'float64' } {
  if (!(data instanceof Tensor)) throw new ArgumentError(`snn.${fn}: data must be a Tensor, got ${data === null ? 'null' : typeof data}`);
  const values = nd.contiguous(data.data).data;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new ArgumentError(`snn.${fn}: data must be finite, got ${values[i]} at index ${i}`);
  }
  return { values, shape: [...data.shape], dtype: data.dtype };
}

/**
 * Rate coding: at every step each value p (times gain, plus offset, clamped to [0, 1]) fires
 * with probability p, independently (Bernoulli). Returns [T, ...data.shape].
 *
 *     const spikes = snn.rate(images, { steps: 25, seed: 0 });
 */
export function rate(data: Tensor, options: RateOptions = {}): Tensor {
  checkKeys('snn.rate', options, ['steps', 'gain', 'offset', 'firstSpikeTime', 'seed', 'generator']);
  const { values, shape, dtype } = valuesOf('rate', data);
  const gain = numberOption('snn.rate', 'gain', options.gain ?? 1, -Infinity, Infinity);
  const offset = numberOption('snn.rate', 'offset', options.offset ?? 0, -Infinity, Infinity);
  const first = intOption('snn.rate', 'firstSpikeTime', options.firstSpikeTime ?? 0, 0);
  let steps: number;
  let perStep: number;
  if (options.steps !== undefined) {
    steps = intOption('snn.rate', 'steps', options.steps, 1);
    perStep = values.length;
  } else {
    if (shape.length < 1 || shape[0] < 1) {
      throw new ShapeError(`snn.rate: without steps the data must vary in time, [T, ...]; got shape ${formatShape(shape)}. Pass { steps } for a constant input`);
    }
    steps = shape[0];
    perStep = values.length / steps;
  }
  if (first > steps - 1) throw new ArgumentError(`snn.rate: firstSpikeTime must be at most steps − 1 = ${steps - 1}, got ${first}`);
  const generator: Generator = resolveGenerator('snn.rate', options);
  const outShape = options.steps !== undefined ? [steps, ...shape] : shape;
  const out = nd.zeros(outShape, dtype);
  const o = out.data;
  for (let t = 0; t < steps; t++) {
    const base = options.steps !== undefined ? 0 : t * perStep;
    for (let i = 0; i < perStep; i++) {
      const p = Math.min(1, Math.max(0, values[base + i] * gain + offset));
      const u = generator.uniform(); // drawn for every value, so the stream does not depend on the data
      o[t * perStep + i] = t >= first && u < p ? 1 : 0;
    }
  }
  return new Tensor(out);
}

/** Options of `snn.latency`: steps, threshold, the time constant `tau`, linear or log timing, normalisation and clipping. */
export interface LatencyOptions {
  /** Time steps T (required). */
  steps: number;
  /** Values below it fire late (log) or at the latest (linear); [0, 1] (default 0.01). */
  threshold?: number;
  /** The time constant of the RC model (log) or the slope (linear) (default 1). */
  tau?: number;
  /** Linear code t = τ(1 − x) instead of the log code t = τ·ln(x / (x − threshold)) (default false). */
  linear?: boolean;
  /** Scale the spike times to span [firstSpikeTime, T − 1] (default false). */
  normalize?: boolean;
  /** Values below the threshold do not fire at all (default false). */
  clip?: boolean;
  /** No spike before this step (default 0). */
  firstSpikeTime?: number;
}

/**
 * Latency (time-to-first-spike) coding, as snnTorch's `spikegen.latency`: each value x in [0, 1]
 * fires once, at step round(t(x)) (halves to even, as torch.round), brighter earlier. Log code (default): the time an RC circuit
 * charged by x takes to reach `threshold`, t = τ·ln(x / (x − threshold)) (values at or below the
 * threshold take x = threshold + 1e-7); linear: t = τ·(1 − x), at most τ·(1 − threshold). A spike
 * time past T − 1 is an error unless `normalize` (which maps the latest time to T − 1).
 * Returns [T, ...data.shape].
 */
export function latency(data: Tensor, options: LatencyOptions): Tensor {
  if (options === undefined) throw new ArgumentError('snn.latency: options with steps are required, e.g. { steps: 25 }');
  checkKeys('snn.latency', options, ['steps', 'threshold', 'tau', 'linear', 'normalize', 'clip', 'firstSpikeTime']);
  const { values, shape, dtype } = valuesOf('latency', data);
  const steps = intOption('snn.latency', 'steps', options.steps, 1);
  const threshold = numberOption('snn.latency', 'threshold', options.threshold ?? 0.01, 0, 1);
  const tau = numberOption('snn.latency', 'tau', options.tau ?? 1, 0, Infinity, { lowOpen: true });
  const linear = booleanOption('snn.latency', 'linear', options.linear ?? false);
  const normalize = booleanOption('snn.latency', 'normalize', options.normalize ?? false);
  const clip = booleanOption('snn.latency', 'clip', options.clip ?? false);
  const first = intOption('snn.latency', 'firstSpikeTime', options.firstSpikeTime ?? 0, 0, steps - 1);
  for (let i = 0; i < values.length; i++) {
    if (values[i] < 0 || values[i] > 1) throw new ArgumentError(`snn.latency: data must be in [0, 1], got ${values[i]} at index ${i}; scale it first`);
  }
  const n = values.length;
  const times = new Float64Array(n);
  if (linear) {
    const span = normalize ? steps - 1 - first : tau;
    for (let i = 0; i < n; i++) times[i] = Math.min(span * (1 - values[i]), span * (1 - threshold)) + first;
  } else {
    const eps = 1e-7;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const x = Math.max(values[i], threshold + eps);
      times[i] = tau * Math.log(x / (x - threshold));
      if (times[i] > max) max = times[i];
    }
    for (let i = 0; i < n; i++) times[i] = normalize && max > 0 ? (times[i] * (steps - first - 1)) / max + first : times[i] + first;
  }
  let latest = 0;
  for (let i = 0; i < n; i++) latest = Math.max(latest, roundHalfEven(times[i]));
  if (latest > steps - 1) {
    throw new ArgumentError(
      `snn.latency: a spike would come at step ${latest}, past the last step ${steps - 1}; ` +
        'pass normalize: true, a smaller tau, or more steps',
    );
  }
  const out = nd.zeros([steps, ...shape], dtype);
  for (let i = 0; i < n; i++) {
    if (clip && values[i] < threshold) continue;
    out.data[roundHalfEven(times[i]) * n + i] = 1; // halves to even, as torch.round
  }
  return new Tensor(out);
}

/** Options of `snn.delta`: the change threshold, how step 0 is compared, and whether decreases give −1 spikes. */
export interface DeltaOptions {
  /** The change that fires a spike (default 0.1). */
  threshold?: number;
  /** Compare step 0 with itself (no spike at step 0) instead of with zeros (default false). */
  padding?: boolean;
  /** Fire −1 on decreases of at least the threshold, too (default false). */
  offSpike?: boolean;
}

/**
 * Delta modulation, as snnTorch's `spikegen.delta`: data [T, ...] fires 1 where it rose by at
 * least `threshold` since the previous step (step 0 compares with zeros, or with itself when
 * `padding`), and −1 where it fell by at least that much when `offSpike`. Same shape as data.
 */
export function delta(data: Tensor, options: DeltaOptions = {}): Tensor {
  checkKeys('snn.delta', options, ['threshold', 'padding', 'offSpike']);
  const { values, shape, dtype } = valuesOf('delta', data);
  if (shape.length < 1 || shape[0] < 1) throw new ShapeError(`snn.delta: data must be a sequence [T, ...], got shape ${formatShape(shape)}`);
  const threshold = numberOption('snn.delta', 'threshold', options.threshold ?? 0.1, 0, Infinity);
  const padding = booleanOption('snn.delta', 'padding', options.padding ?? false);
  const offSpike = booleanOption('snn.delta', 'offSpike', options.offSpike ?? false);
  const per = values.length / shape[0];
  const out = nd.zeros(shape, dtype);
  for (let i = 0; i < values.length; i++) {
    const prev = i < per ? (padding ? values[i] : 0) : values[i - per];
    const change = values[i] - prev;
    if (change >= threshold) out.data[i] = 1;
    else if (offSpike && change <= -threshold) out.data[i] = -1;
  }
  return new Tensor(out);
}
