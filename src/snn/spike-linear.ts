// The Linear map of a spike tensor: x·Wᵀ + b for an input that is mostly zeros (a spiking layer's
// output, [T, N, F]), skipping its zeros. The forward and the weight's gradient touch only the
// non-zero entries (a hidden layer firing at a few percent makes most rows all zeros); the input's
// gradient g·W is dense, as the surrogate gradient of the spikes needs it everywhere.
//
// The values are those of `linear(x, weight, bias)` up to the order of float additions (each output
// sums its row's non-zero terms in feature order in float64 and is rounded once; for finite weights:
// a zero input's weight is skipped, so an infinite or NaN weight facing a zero does not make the
// output NaN as in the dense product). Unlike `eventLinear`, whose events are data, the input gets
// its gradient here.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { defineOp, record } from '../ops/record';

interface Saved {
  /** The input, contiguous [rows·inF]. */
  readonly x: nd.FloatArray;
  readonly w: nd.FloatArray;
  readonly xShape: readonly number[];
  readonly weightShape: readonly number[];
  readonly hasBias: boolean;
  /** The rows of x with a non-zero entry, ascending. */
  readonly active: Int32Array;
}

// The loops are functions of their own (V8 optimises them whole; see events.ts).

/** The forward's list of active rows, grown as needed and reused (the record keeps a copy of its part). */
let activeScratch = new Int32Array(0);

/**
 * y[r, :] = b + Σ_f x[r, f]·W[:, f] over the non-zero x[r, f]; rows of zeros are left as they are
 * (b or 0). Returns how many rows have a non-zero entry, their indices written to `active`.
 */
function sparseRowsForward(y: nd.FloatArray, x: nd.FloatArray, w: nd.FloatArray, b: nd.FloatArray | null, rows: number, outF: number, inF: number, active: Int32Array): number {
  if (b !== null) for (let base = 0; base < y.length; base += outF) y.set(b, base);
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const xRow = r * inF;
    let first = 0;
    while (first < inF && x[xRow + first] === 0) first++;
    if (first === inF) continue; // a silent row: most of them
    active[count++] = r;
    for (let o = 0; o < outF; o++) {
      const wRow = o * inF;
      let sum = b === null ? 0 : b[o];
      for (let f = first; f < inF; f++) {
        const v = x[xRow + f];
        if (v !== 0) sum += v * w[wRow + f];
      }
      y[r * outF + o] = sum;
    }
  }
  return count;
}

/** dx[r, f] = Σ_o g[r, o]·W[o, f], dense, summed in float64 over o ascending. */
function inputGrad(dx: nd.FloatArray, g: nd.FloatArray, w: nd.FloatArray, rows: number, outF: number, inF: number): void {
  if (outF === 2) {
    // two outputs (a binary readout): the inner sum written out, 2× faster than its loop
    for (let r = 0; r < rows; r++) {
      const g0 = g[2 * r];
      const g1 = g[2 * r + 1];
      const xRow = r * inF;
      for (let f = 0; f < inF; f++) dx[xRow + f] = g0 * w[f] + g1 * w[inF + f];
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const gRow = r * outF;
    const xRow = r * inF;
    for (let f = 0; f < inF; f++) {
      let sum = 0;
      for (let o = 0; o < outF; o++) sum += g[gRow + o] * w[o * inF + f];
      dx[xRow + f] = sum;
    }
  }
}

/** dW[o, f] = Σ_r g[r, o]·x[r, f] over the non-zero x[r, f] of the active rows (ascending), in float64. */
function weightGrad(g: nd.FloatArray, x: nd.FloatArray, active: Int32Array, outF: number, inF: number): Float64Array {
  const acc = new Float64Array(outF * inF);
  for (let j = 0; j < active.length; j++) {
    const r = active[j];
    const xRow = r * inF;
    for (let f = 0; f < inF; f++) {
      const v = x[xRow + f];
      if (v === 0) continue;
      for (let o = 0; o < outF; o++) acc[o * inF + f] += g[r * outF + o] * v;
    }
  }
  return acc;
}

/** db[o] = Σ_r g[r, o], in float64. */
function biasGrad(g: nd.FloatArray, rows: number, outF: number): Float64Array {
  const acc = new Float64Array(outF);
  for (let r = 0; r < rows; r++) for (let o = 0; o < outF; o++) acc[o] += g[r * outF + o];
  return acc;
}

const spikeLinearOp = defineOp<Saved>('spikeLinear', (g, { x, w, xShape, weightShape, hasBias, active }, needs) => {
  const gd = nd.contiguous(g).data;
  const dtype = nd.dtypeOf(g);
  const [outF, inF] = weightShape;
  const rows = inF === 0 ? nd.sizeOf(xShape.slice(0, -1)) : x.length / inF;
  let dx: nd.Nd | null = null;
  if (needs[0]) {
    dx = nd.pooledEmpty(xShape, dtype); // every element is written
    inputGrad(dx.data, gd, w, rows, outF, inF);
  }
  let dw: nd.Nd | null = null;
  if (needs[1]) {
    dw = nd.zeros(weightShape, dtype);
    dw.data.set(weightGrad(gd, x, active, outF, inF));
  }
  if (!hasBias) return [dx, dw];
  let db: nd.Nd | null = null;
  if (needs[2]) {
    db = nd.zeros([outF], dtype);
    db.data.set(biasGrad(gd, rows, outF));
  }
  return [dx, dw, db];
});

/**
 * x·Wᵀ + b for a mostly-zero input such as a spiking layer's output: x [..., in], weight [out, in],
 * bias [out] or none → [..., out]. The same values and gradients as `linear(x, weight, bias)` (up to
 * the order of float additions; for finite weights and upstream gradients: a zero entry of x is
 * skipped, so it adds no NaN to the output or to the weight's gradient where the dense product
 * would), computed from the non-zero entries of x for the output and the weight's gradient. x, weight and bias all get their gradients. Use it where
 * a Linear layer reads spikes: `snn.spikeLinear(spikes, fc.weight, fc.bias)`.
 */
export function spikeLinear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (!(x instanceof Tensor) || !(weight instanceof Tensor) || (bias !== null && !(bias instanceof Tensor))) {
    throw new ArgumentError('snn.spikeLinear: x and weight must be tensors, and bias a tensor or null');
  }
  if (weight.ndim !== 2) throw new ShapeError(`snn.spikeLinear: the weight must be 2-D [out, in], got ${formatShape(weight.shape)}`);
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(`snn.spikeLinear: the input's last dimension must be ${inF} (weight ${formatShape(weight.shape)}), got ${formatShape(x.shape)}`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outF)) throw new ShapeError(`snn.spikeLinear: the bias must have shape [${outF}], got ${formatShape(bias.shape)}`);
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t !== null && t.dtype !== x.dtype) {
      throw new ArgumentError(`snn.spikeLinear: the input is ${x.dtype} but the ${name} is ${t.dtype}; convert one of them with .to('${x.dtype}') or .to('${t.dtype}')`);
    }
  }
  const xd = nd.contiguous(x.data).data;
  const w = nd.contiguous(weight.data).data;
  const b = bias === null ? null : nd.contiguous(bias.data).data;
  const rows = nd.sizeOf(x.shape.slice(0, -1));
  const out = nd.zeros([...x.shape.slice(0, -1), outF], x.dtype);
  if (activeScratch.length < rows) activeScratch = new Int32Array(rows);
  const count = sparseRowsForward(out.data, xd, w, b, rows, outF, inF, activeScratch);
  const inputs = bias === null ? [x, weight] : [x, weight, bias];
  return record(spikeLinearOp, inputs, out, { x: xd, w, xShape: x.shape, weightShape: weight.shape, hasBias: bias !== null, active: activeScratch.slice(0, count) });
}
