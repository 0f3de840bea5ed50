// Spike trains as events: the non-zero entries of a [..., F] input (spikes from an encoder or a
// recording), row by row, and the Linear map of such an input computed from its events only, as
// event-driven simulators and neuromorphic hardware do. A Poisson input at 5 Hz in 1 ms steps is
// 0.5 % ones: x·Wᵀ from the events costs (events × outputs) instead of (rows × F × outputs), and
// the weight's gradient gᵀ·x the same, with no copy of the dense input into a matmul kernel.
//
// The input is data (it gets no gradient); the weight and bias get theirs. The values are those of
// `linear(x, weight, bias)` up to the order of the float additions (each output sums its row's
// events in feature order, as the dense product does, skipping the zero terms).
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { defineOp, record } from '../ops/record';

/** What a SpikeEvents holds: compressed sparse rows, plus the list of rows that have events. */
interface EventArrays {
  readonly rowStart: Int32Array;
  readonly feature: Int32Array;
  readonly value: Float32Array | Float64Array;
  /** The rows with at least one event, ascending. */
  readonly activeRows: Int32Array;
}

// The arrays of each SpikeEvents, out of reach of its users: eventLinear's tape records keep the
// events for their backward, and events that could change after the forward would give a wrong
// gradient silently (a tensor's version counter catches that; plain arrays have none).
const arraysOf = new WeakMap<SpikeEvents, EventArrays>();

function arrays(events: SpikeEvents): EventArrays {
  return arraysOf.get(events) as EventArrays;
}

/**
 * The non-zero entries of a [..., F] tensor, row by row (compressed sparse rows). Immutable: the
 * arrays it shows are copies, so nothing can change the events once they are made.
 */
export class SpikeEvents {
  /** The dense shape [..., F]. */
  readonly shape: readonly number[];
  /** The dtype of the values (and of the outputs of `eventLinear`). */
  readonly dtype: nd.Dtype;

  private constructor(shape: readonly number[], dtype: nd.Dtype, events: EventArrays) {
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    arraysOf.set(this, events);
    Object.freeze(this);
  }

  /**
   * The events of `x` ([..., F], rank ≥ 1): every non-zero entry. Made once for an input that is
   * used many times (the fixed batch of a memorisation task, a dataset of spike trains); the
   * tensor's values are copied, so changing `x` afterwards does not change the events.
   */
  static from(x: Tensor): SpikeEvents {
    if (!(x instanceof Tensor)) throw new ArgumentError(`snn.SpikeEvents.from: expected a Tensor [..., features], got ${x === null ? 'null' : typeof x}`);
    if (x.ndim === 0) throw new ShapeError('snn.SpikeEvents.from: expected a tensor [..., features] (rank ≥ 1), got a 0-d tensor');
    if (x.requiresGrad) {
      throw new ArgumentError(
        'snn.SpikeEvents.from: the tensor requires grad, but events are data (eventLinear gives its input no gradient); ' +
          'pass x.detach() if x is data, or use linear(x, weight, bias) to differentiate through x',
      );
    }
    const data = nd.contiguous(x.data).data;
    const F = x.shape[x.ndim - 1];
    const rows = F === 0 ? nd.sizeOf(x.shape.slice(0, -1)) : data.length / F;
    let count = 0;
    for (let i = 0; i < data.length; i++) if (data[i] !== 0) count++;
    const rowStart = new Int32Array(rows + 1);
    const feature = new Int32Array(count);
    const value = nd.alloc(x.dtype, count);
    let k = 0;
    let active = 0;
    for (let r = 0; r < rows; r++) {
      rowStart[r] = k;
      const base = r * F;
      for (let f = 0; f < F; f++) {
        const v = data[base + f];
        if (v === 0) continue;
        feature[k] = f;
        value[k] = v;
        k++;
      }
      if (k > rowStart[r]) active++;
    }
    rowStart[rows] = k;
    const activeRows = new Int32Array(active);
    for (let r = 0, j = 0; r < rows; r++) if (rowStart[r + 1] > rowStart[r]) activeRows[j++] = r;
    return new SpikeEvents(x.shape, x.dtype, { rowStart, feature, value, activeRows });
  }

  /** Row r's events are entries rowStart[r] to rowStart[r + 1] − 1 of `feature` and `value`; rows = size / F. A copy. */
  get rowStart(): Int32Array {
    return arrays(this).rowStart.slice();
  }

  /** The feature index (last axis) of each event. A copy. */
  get feature(): Int32Array {
    return arrays(this).feature.slice();
  }

  /** The value of each event (1 for a spike). A copy. */
  get value(): Float32Array | Float64Array {
    return arrays(this).value.slice();
  }

  /** The number of events (non-zero entries). */
  get count(): number {
    return arrays(this).feature.length;
  }

  /** The fraction of entries that are events. */
  get density(): number {
    const size = nd.sizeOf(this.shape);
    return size === 0 ? 0 : this.count / size;
  }

  /** The dense tensor again. */
  toDense(): Tensor {
    const out = nd.zeros(this.shape, this.dtype);
    const F = this.shape[this.shape.length - 1];
    const { rowStart, feature, value } = arrays(this);
    const rows = rowStart.length - 1;
    for (let r = 0; r < rows; r++) {
      for (let k = rowStart[r]; k < rowStart[r + 1]; k++) out.data[r * F + feature[k]] = value[k];
    }
    return new Tensor(out);
  }
}

interface Saved {
  readonly events: SpikeEvents;
  readonly outF: number;
  readonly weightShape: readonly number[];
  readonly hasBias: boolean;
}

// The loops are functions of their own, not inlined into the op: V8 optimises a loop inside a
// long function by on-stack replacement, and code after such a loop that has not run yet makes
// that code deoptimise on every call (measured: eventLinear's forward ran 4× slower that way).

/** dW[o, f] = Σ_r g[r, o]·x[r, f] over the events (r, f) only (rows ascending, as the forward), summed in float64. */
function eventWeightGrad(gd: nd.FloatArray, { rowStart, feature, value, activeRows }: EventArrays, outF: number, inF: number): Float64Array {
  // summed feature-major, acc[f·outF + o], so each event's outputs are adjacent (25 % faster), then transposed
  const acc = new Float64Array(outF * inF);
  for (let j = 0; j < activeRows.length; j++) {
    const r = activeRows[j];
    const gRow = r * outF;
    for (let k = rowStart[r], to = rowStart[r + 1]; k < to; k++) {
      const a = feature[k] * outF;
      const v = value[k];
      for (let o = 0; o < outF; o++) acc[a + o] += gd[gRow + o] * v;
    }
  }
  const dW = new Float64Array(outF * inF);
  for (let f = 0; f < inF; f++) for (let o = 0; o < outF; o++) dW[o * inF + f] = acc[f * outF + o];
  return dW;
}

/** db[o] = Σ_r g[r, o], summed in float64. */
function biasGrad(gd: nd.FloatArray, rows: number, outF: number): Float64Array {
  const acc = new Float64Array(outF);
  for (let r = 0; r < rows; r++) for (let o = 0; o < outF; o++) acc[o] += gd[r * outF + o];
  return acc;
}

/**
 * y[r, o] = b[o] + Σ_k value[k]·w[o, feature[k]] over row r's events (summed in feature order in
 * float64, rounded once), visiting only the rows that have events; `y` holds zeros on entry.
 */
function eventForward(y: nd.FloatArray, { rowStart, feature, value, activeRows }: EventArrays, w: nd.FloatArray, b: nd.FloatArray | null, outF: number, inF: number): void {
  if (b !== null) for (let base = 0; base < y.length; base += outF) y.set(b, base);
  for (let j = 0; j < activeRows.length; j++) {
    const r = activeRows[j];
    const from = rowStart[r];
    const to = rowStart[r + 1];
    const base = r * outF;
    if (to - from === 1) {
      // one event (the usual case of a sparse input): no inner loop whose length varies
      const f = feature[from];
      const v = value[from];
      for (let o = 0; o < outF; o++) y[base + o] = (b === null ? 0 : b[o]) + v * w[o * inF + f];
      continue;
    }
    for (let o = 0; o < outF; o++) {
      let sum = b === null ? 0 : b[o];
      const wRow = o * inF;
      for (let k = from; k < to; k++) sum += value[k] * w[wRow + feature[k]];
      y[base + o] = sum;
    }
  }
}

const eventLinearOp = defineOp<Saved>('eventLinear', (g, { events, outF, weightShape, hasBias }, needs) => {
  const gd = nd.contiguous(g).data;
  const dtype = nd.dtypeOf(g);
  let dw: nd.Nd | null = null;
  if (needs[0]) {
    dw = nd.zeros(weightShape, dtype);
    dw.data.set(eventWeightGrad(gd, arrays(events), outF, weightShape[1]));
  }
  if (!hasBias) return [dw];
  let db: nd.Nd | null = null;
  if (needs[1]) {
    db = nd.zeros([outF], dtype);
    db.data.set(biasGrad(gd, arrays(events).rowStart.length - 1, outF));
  }
  return [dw, db];
});

/**
 * x·Wᵀ + b for an input given by its events (`SpikeEvents.from(x)`): [..., F] events, weight
 * [out, F], bias [out] or none → [..., out]. The same values as `linear(x, weight, bias)` (up to
 * the order of float additions; for finite weights — a zero input's weight is skipped, so an
 * infinite or NaN weight facing a zero does not make the output NaN as in the dense product),
 * computed from the events only; the weight and bias get their
 * gradients, the input none (it is data).
 */
export function eventLinear(events: SpikeEvents, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (!(events instanceof SpikeEvents)) throw new ArgumentError('snn.eventLinear: the input must be SpikeEvents (make them with snn.SpikeEvents.from(x))');
  if (!(weight instanceof Tensor) || (bias !== null && !(bias instanceof Tensor))) {
    throw new ArgumentError('snn.eventLinear: weight must be a tensor [out, in], and bias a tensor [out] or null');
  }
  if (weight.ndim !== 2) throw new ShapeError(`snn.eventLinear: the weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  const [outF, inF] = weight.shape;
  const F = events.shape[events.shape.length - 1];
  if (F !== inF) {
    throw new ShapeError(`snn.eventLinear: the events have ${F} features (shape ${formatShape(events.shape)}) but the weight ${formatShape(weight.shape)} takes ${inF}`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outF)) throw new ShapeError(`snn.eventLinear: the bias must have shape [${outF}], got ${formatShape(bias.shape)}`);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t !== null && t.dtype !== events.dtype) {
      throw new ArgumentError(`snn.eventLinear: the events are ${events.dtype} but the ${name} is ${t.dtype}; make the events from a ${t.dtype} tensor or convert the layer`);
    }
  }
  const w = nd.contiguous(weight.data).data;
  const b = bias === null ? null : nd.contiguous(bias.data).data;
  const out = nd.zeros([...events.shape.slice(0, -1), outF], events.dtype);
  eventForward(out.data, arrays(events), w, b, outF, inF);
  return record(eventLinearOp, bias === null ? [weight] : [weight, bias], out, { events, outF, weightShape: weight.shape, hasBias: bias !== null });
}
