// Readouts of a whole sequence: the largest value of each neuron over time, the readout of
// SpyTorch's tutorials (a leaky, non-spiking output layer read at its largest membrane potential).
//
// `max(x, 0)` gives the same values and gradients; this op does it in one pass over the sequence,
// keeping where each maximum is, so its backward writes one value per neuron into a zeroed buffer
// instead of comparing the whole sequence with the maxima again.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { defineOp, record } from '../ops/record';

interface Saved {
  /** The sequence, contiguous [T·n] (read again only for a neuron whose maximum is tied). */
  readonly x: nd.FloatArray;
  /** The maxima, [n]. */
  readonly y: nd.FloatArray;
  /** For each neuron, the first step that holds its maximum. */
  readonly first: Int32Array;
  /** For each neuron, how many steps hold its maximum (NaN counts as equal to NaN). */
  readonly ties: Int32Array;
  readonly shape: readonly number[];
}

/** The backward's loop (a function of its own so V8 optimises it whole; see events.ts). */
function scatterMax(o: nd.FloatArray, gd: nd.FloatArray, x: nd.FloatArray, y: nd.FloatArray, first: Int32Array, ties: Int32Array, T: number): void {
  const n = y.length;
  const single = o instanceof Float32Array;
  for (let i = 0; i < n; i++) {
    if (ties[i] === 1) {
      o[first[i] * n + i] = gd[i];
      continue;
    }
    // tied maxima share the gradient evenly, as max's backward does
    const share = single ? Math.fround(gd[i] / ties[i]) : gd[i] / ties[i]; // rounded to the dtype, as max's share is
    const m = y[i];
    const isNaN = m !== m;
    for (let t = first[i]; t < T; t++) {
      const v = x[t * n + i];
      if (v === m || (isNaN && v !== v)) o[t * n + i] = share;
    }
  }
}

/**
 * One step of the running maximum of element i: v at step t against y[i], keeping the first step
 * that holds the maximum and the number of ties. NaN propagates: the first NaN becomes the maximum,
 * and later NaNs tie with it.
 */
function takeMax(y: nd.FloatArray, first: Int32Array, ties: Int32Array, i: number, v: number, t: number): void {
  const m = y[i];
  if (v > m) {
    y[i] = v;
    first[i] = t;
    ties[i] = 1;
  } else if (v === m) {
    ties[i]++;
  } else if (v !== v) {
    if (m === m) {
      y[i] = v;
      first[i] = t;
      ties[i] = 1;
    } else {
      ties[i]++;
    }
  }
}

/** The forward's loop: y[i] = max_t x[t, i], with the first step holding it and the number of ties. */
function maxOverRows(data: nd.FloatArray, y: nd.FloatArray, first: Int32Array, ties: Int32Array, T: number): void {
  const n = y.length;
  y.set(data.subarray(0, n));
  ties.fill(1);
  for (let t = 1; t < T; t++) {
    const row = t * n;
    for (let i = 0; i < n; i++) {
      takeMax(y, first, ties, i, data[row + i], t);
    }
  }
}

const maxOverTimeOp = defineOp<Saved>('maxOverTime', (g, { x, y, first, ties, shape }) => {
  const out = nd.pooledZeros(shape, nd.dtypeOf(g));
  scatterMax(out.data, nd.contiguous(g).data, x, y, first, ties, shape[0]);
  return [out];
});

/**
 * The largest value over time of a sequence [T, ...] (rank ≥ 1, T ≥ 1): [...], as `max(x, 0)`
 * (NaN propagates; tied maxima share the gradient evenly), in one pass. The readout of a leaky
 * output layer in SpyTorch's tutorials: `snn.maxOverTime(readout.forward(current))` gives the
 * logits [N, classes] from the membranes [T, N, classes].
 */
export function maxOverTime(x: Tensor): Tensor {
  if (!(x instanceof Tensor)) throw new ArgumentError(`snn.maxOverTime: expected a Tensor [T, ...], got ${x === null ? 'null' : typeof x}`);
  if (x.ndim === 0 || x.shape[0] === 0) {
    throw new ShapeError(`snn.maxOverTime: expected a sequence [T, ...] with at least one time step, got shape ${formatShape(x.shape)}`);
  }
  const data = nd.contiguous(x.data).data;
  const T = x.shape[0];
  const rest = x.shape.slice(1);
  const n = nd.sizeOf(rest);
  const out = nd.zeros(rest, x.dtype);
  const y = out.data;
  const first = new Int32Array(n);
  const ties = new Int32Array(n);
  maxOverRows(data, y, first, ties, T);
  return record(maxOverTimeOp, [x], out, { x: data, y, first, ties, shape: x.shape });
}

// ---------------------------------------------------------------------------------------------
// A leaky readout read at its maximum, in one op: maxOverTime of the membranes of a LIF layer
// without reset (U[t] = β·U[t−1] + I[t] from U[−1] = 0), without keeping the membranes. The
// backward needs dL/dI[t] = Σ over the steps t* ≥ t holding a maximum of share·β^(t*−t), one
// reverse pass; the membranes are recomputed only for a neuron whose maximum is tied.
// ---------------------------------------------------------------------------------------------

interface LeakySaved {
  /** The input current, contiguous [T·n]. */
  readonly x: nd.FloatArray;
  /** The decay of each element of a step, [n]. */
  readonly b: Float64Array;
  readonly y: nd.FloatArray;
  readonly first: Int32Array;
  readonly ties: Int32Array;
  readonly shape: readonly number[];
}

/** The recurrence and the running maximum, one pass; `u` holds the membranes of one step (rounded to the dtype). */
function leakyMaxForward(x: nd.FloatArray, b: Float64Array, u: nd.FloatArray, y: nd.FloatArray, first: Int32Array, ties: Int32Array, T: number): void {
  const n = y.length;
  for (let i = 0; i < n; i++) {
    u[i] = b[i] * 0 + x[i]; // from rest, as the membranes op computes it
    y[i] = u[i];
    ties[i] = 1;
  }
  for (let t = 1; t < T; t++) {
    const row = t * n;
    for (let i = 0; i < n; i++) {
      u[i] = b[i] * u[i] + x[row + i];
      takeMax(y, first, ties, i, u[i], t);
    }
  }
}

/** dI from the gradient `gd` of the maxima, in place of the membranes op's BPTT after maxOverTime's backward. */
function leakyMaxBackward(dI: nd.FloatArray, gd: nd.FloatArray, s: LeakySaved): void {
  const { x, b, y, first, ties } = s;
  const n = y.length;
  const T = s.shape[0];
  const last = (T - 1) * n;
  // the neurons whose maximum is held once: the gradient enters at step first[i] only
  for (let i = 0; i < n; i++) dI[last + i] = first[i] === T - 1 ? gd[i] : 0;
  for (let t = T - 2; t >= 0; t--) {
    const row = t * n;
    for (let i = 0; i < n; i++) dI[row + i] = (first[i] === t ? gd[i] : 0) + b[i] * dI[row + n + i];
  }
  // tied maxima share the gradient evenly (as max's backward): that neuron's column again
  const single = dI instanceof Float32Array;
  const u = single ? new Float32Array(1) : new Float64Array(1);
  const hit = new Uint8Array(T);
  for (let i = 0; i < n; i++) {
    if (ties[i] === 1) continue;
    const share = single ? Math.fround(gd[i] / ties[i]) : gd[i] / ties[i];
    const m = y[i];
    const isNaN = m !== m;
    u[0] = b[i] * 0 + x[i];
    for (let t = 0; t < T; t++) {
      if (t > 0) u[0] = b[i] * u[0] + x[t * n + i];
      const v = u[0];
      hit[t] = v === m || (isNaN && v !== v) ? 1 : 0;
    }
    dI[last + i] = hit[T - 1] === 1 ? share : 0;
    for (let t = T - 2; t >= 0; t--) dI[t * n + i] = (hit[t] === 1 ? share : 0) + b[i] * dI[(t + 1) * n + i];
  }
}

const leakyMaxOp = defineOp<LeakySaved>('leakyMaxOverTime', (g, s) => {
  const out = nd.pooledEmpty(s.shape, nd.dtypeOf(g)); // every element is written
  leakyMaxBackward(out.data, nd.contiguous(g).data, s);
  return [out];
});

/**
 * maxOverTime of the membranes U[t] = β·U[t−1] + I[t] (from U[−1] = 0) of a leaky integrator
 * driven by `input` [T, ...state] with decay `beta` (0-d, or the state's trailing dimensions; not
 * differentiated): [...state], the values of maxOverTime(lifSequence(input, 0, β, Θ, 'none')) bit
 * for bit and its input gradient, in one op that keeps no membranes. Checked by the layer
 * (`LIF.maxMembrane`) before it calls it.
 */
export function leakyMaxOverTime(input: Tensor, beta: Tensor): Tensor {
  const x = nd.contiguous(input.data).data;
  const T = input.shape[0];
  const rest = input.shape.slice(1);
  const n = nd.sizeOf(rest);
  const bd = nd.contiguous(beta.data).data;
  const b = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++, j++) b[i] = bd[j === bd.length ? (j = 0) : j];
  const out = nd.zeros(rest, input.dtype);
  const first = new Int32Array(n);
  const ties = new Int32Array(n);
  leakyMaxForward(x, b, nd.alloc(input.dtype, n), out.data, first, ties, T);
  return record(leakyMaxOp, [input], out, { x, b, y: out.data, first, ties, shape: input.shape });
}
