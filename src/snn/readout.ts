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

/** The forward's loop: y[i] = max_t x[t, i], with the first step holding it and the number of ties. */
function maxOverRows(data: nd.FloatArray, y: nd.FloatArray, first: Int32Array, ties: Int32Array, T: number): void {
  const n = y.length;
  y.set(data.subarray(0, n));
  ties.fill(1);
  for (let t = 1; t < T; t++) {
    const row = t * n;
    for (let i = 0; i < n; i++) {
      const v = data[row + i];
      const m = y[i];
      if (v > m) {
        y[i] = v;
        first[i] = t;
        ties[i] = 1;
      } else if (v === m) {
        ties[i]++;
      } else if (v !== v) {
        // NaN propagates: the first NaN becomes the maximum, and later NaNs tie with it
        if (m === m) {
          y[i] = v;
          first[i] = t;
          ties[i] = 1;
        } else {
          ties[i]++;
        }
      }
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
