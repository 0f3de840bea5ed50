// The membrane update of a leaky integrate-and-fire neuron as one fused op, so a time step
// allocates one buffer (the new membrane, which the tape keeps anyway) instead of one per
// arithmetic op. With R the reset (the previous step's spike), B the decay and Θ the threshold:
//
//   'subtract': U' = B·U + I − R·Θ
//   'zero':     U' = B·(1 − R)·U + I      (snnTorch's Leaky: the membrane is zeroed, then updated)
//   'none':     U' = B·U + I
//
// B and Θ are either one value or one per neuron (the feature shape, broadcast over the batch);
// I, U and R all have the state's shape. The backward is the exact derivative of this expression
// with respect to all five inputs; whether the reset carries a gradient is decided by the caller
// (a detached spike, or the spike with its surrogate).
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import { defineOp, record } from '../ops/record';

/** How a neuron's membrane is reset after a spike. */
export type ResetMode = 'subtract' | 'zero' | 'none';

interface Saved {
  readonly mem: Float32Array | Float64Array;
  readonly reset: Float32Array | Float64Array | null;
  readonly beta: Float32Array | Float64Array;
  readonly threshold: Float32Array | Float64Array;
  readonly betaShape: readonly number[];
  readonly thresholdShape: readonly number[];
  readonly shape: readonly number[];
  readonly mode: ResetMode;
}

const membraneOp = defineOp<Saved>('lifMembrane', (g, s, needs) => {
  const gd = nd.contiguous(g).data;
  const n = gd.length;
  const { mem, reset, beta, threshold, mode } = s;
  const dtype = nd.dtypeOf(g);
  const pb = beta.length;
  const pt = threshold.length;
  let gInput: nd.Nd | null = null;
  let gMem: nd.Nd | null = null;
  let gReset: nd.Nd | null = null;
  let gBeta: nd.Nd | null = null;
  let gThreshold: nd.Nd | null = null;
  if (needs[0]) {
    gInput = nd.zeros(s.shape, dtype);
    gInput.data.set(gd);
  }
  if (needs[1]) {
    gMem = nd.zeros(s.shape, dtype);
    const o = gMem.data;
    if (mode === 'zero') {
      const r = reset as Float32Array | Float64Array;
      for (let i = 0; i < n; i++) o[i] = gd[i] * beta[i % pb] * (1 - r[i]);
    } else if (pb === 1) {
      const b = beta[0];
      for (let i = 0; i < n; i++) o[i] = gd[i] * b;
    } else {
      for (let i = 0; i < n; i++) o[i] = gd[i] * beta[i % pb];
    }
  }
  if (needs[2] && reset !== null) {
    gReset = nd.zeros(s.shape, dtype);
    const o = gReset.data;
    if (mode === 'subtract') for (let i = 0; i < n; i++) o[i] = -gd[i] * threshold[i % pt];
    else if (mode === 'zero') for (let i = 0; i < n; i++) o[i] = -gd[i] * beta[i % pb] * mem[i];
  }
  if (needs[3]) {
    gBeta = nd.zeros(s.betaShape, dtype);
    const acc = new Float64Array(pb);
    if (mode === 'zero') {
      const r = reset as Float32Array | Float64Array;
      for (let i = 0; i < n; i++) acc[i % pb] += gd[i] * (1 - r[i]) * mem[i];
    } else {
      for (let i = 0; i < n; i++) acc[i % pb] += gd[i] * mem[i];
    }
    gBeta.data.set(acc);
  }
  if (needs[4]) {
    gThreshold = nd.zeros(s.thresholdShape, dtype);
    if (mode === 'subtract') {
      const r = reset as Float32Array | Float64Array;
      const acc = new Float64Array(pt);
      for (let i = 0; i < n; i++) acc[i % pt] -= gd[i] * r[i];
      gThreshold.data.set(acc);
    }
  }
  return [gInput, gMem, gReset, gBeta, gThreshold];
});

/**
 * The values of `a` in C order without copying when its layout is C-contiguous from some offset
 * (a time step sliced from a [T, N, ...] sequence is), else a contiguous copy.
 */
export function flat(a: nd.Nd): Float32Array | Float64Array {
  let s = 1;
  for (let d = a.shape.length - 1; d >= 0; d--) {
    if (a.shape[d] !== 1 && a.stride[d] !== s) return nd.contiguous(a).data;
    s *= a.shape[d];
  }
  return a.data.subarray(a.offset, a.offset + a.size);
}

/**
 * The new membrane potential from the input current, the previous membrane, the reset signal,
 * the decay and the threshold (see the top of this file). Shapes are checked by the neuron
 * layers before they call it; `reset` is ignored (may be null) for mode 'none'.
 */
export function lifMembrane(input: Tensor, mem: Tensor, reset: Tensor | null, beta: Tensor, threshold: Tensor, mode: ResetMode): Tensor {
  const x = flat(input.data); // a step of a sequence: read in place, not copied
  const u = flat(mem.data);
  const r = mode === 'none' || reset === null ? null : flat(reset.data);
  const b = nd.contiguous(beta.data).data;
  const th = nd.contiguous(threshold.data).data;
  const out = nd.zeros(mem.shape, mem.dtype);
  const o = out.data;
  const n = o.length;
  const pb = b.length;
  const pt = th.length;
  if (mode === 'subtract') {
    const rr = r as Float32Array | Float64Array;
    if (pb === 1 && pt === 1) {
      const bv = b[0];
      const tv = th[0];
      for (let i = 0; i < n; i++) o[i] = bv * u[i] + x[i] - rr[i] * tv;
    } else {
      for (let i = 0; i < n; i++) o[i] = b[i % pb] * u[i] + x[i] - rr[i] * th[i % pt];
    }
  } else if (mode === 'zero') {
    const rr = r as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) o[i] = b[i % pb] * (1 - rr[i]) * u[i] + x[i];
  } else if (pb === 1) {
    const bv = b[0];
    for (let i = 0; i < n; i++) o[i] = bv * u[i] + x[i];
  } else {
    for (let i = 0; i < n; i++) o[i] = b[i % pb] * u[i] + x[i];
  }
  const inputs = r === null ? [input, mem, mem.detach(), beta, threshold] : [input, mem, reset as Tensor, beta, threshold];
  return record(membraneOp, inputs, out, {
    mem: u,
    reset: r,
    beta: b,
    threshold: th,
    betaShape: beta.shape,
    thresholdShape: threshold.shape,
    shape: mem.shape,
    mode,
  });
}

/**
 * One time step of a LIF layer with nothing recorded (evaluation, under noGrad), updating the
 * membrane in place: `mem` (a contiguous array the caller owns) holds U[t−1] on entry and U[t] on
 * return, and the step's spikes S[t] = heaviside(U[t] − Θ) are written to `spikes` (an array of
 * the same shape). The reset R[t] = heaviside(U[t−1] − Θ) is read from the membrane itself, so no
 * reset buffer is kept. The arithmetic is the same expression, in the same order, as
 * `lifMembrane` and heaviside, so the values are the same bits as the recorded path's.
 */
export function lifStepInPlace(input: Tensor, mem: nd.Nd, spikes: nd.Nd, beta: Tensor, threshold: Tensor, mode: ResetMode): void {
  const x = flat(input.data);
  const u = mem.data;
  const s = spikes.data;
  const b = nd.contiguous(beta.data).data;
  const th = nd.contiguous(threshold.data).data;
  const n = u.length;
  const pb = b.length;
  const pt = th.length;
  if (pb === 1 && pt === 1) {
    const bv = b[0];
    const tv = th[0];
    if (mode === 'subtract') {
      for (let i = 0; i < n; i++) {
        const p = u[i];
        u[i] = bv * p + x[i] - (p > tv ? 1 : 0) * tv;
        s[i] = u[i] > tv ? 1 : 0;
      }
    } else if (mode === 'zero') {
      for (let i = 0; i < n; i++) {
        const p = u[i];
        u[i] = bv * (1 - (p > tv ? 1 : 0)) * p + x[i];
        s[i] = u[i] > tv ? 1 : 0;
      }
    } else {
      for (let i = 0; i < n; i++) {
        u[i] = bv * u[i] + x[i];
        s[i] = u[i] > tv ? 1 : 0;
      }
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const p = u[i];
    const bv = b[i % pb];
    const tv = th[i % pt];
    const r = p > tv ? 1 : 0;
    if (mode === 'subtract') u[i] = bv * p + x[i] - r * tv;
    else if (mode === 'zero') u[i] = bv * (1 - r) * p + x[i];
    else u[i] = bv * p + x[i];
    s[i] = u[i] > tv ? 1 : 0;
  }
}

/**
 * One time step of a Synaptic layer with nothing recorded, updating the synaptic current `syn`
 * and the membrane `mem` in place (contiguous arrays the caller owns) and writing the spikes:
 * I' = α·I + X, then U' = β·U + I' − R·Θ ('subtract'), β·U + I' ('none'), or with 'zero' both
 * I' and β·U + I' multiplied by (1 − R), with R = heaviside(U − Θ) of the membrane on entry.
 * Each value is stored (rounded to the dtype) before it is used, as the recorded path's ops do.
 */
export function synapticStepInPlace(input: Tensor, syn: nd.Nd, mem: nd.Nd, spikes: nd.Nd, alpha: Tensor, beta: Tensor, threshold: Tensor, mode: ResetMode): void {
  const x = flat(input.data);
  const c = syn.data;
  const u = mem.data;
  const s = spikes.data;
  const a = nd.contiguous(alpha.data).data;
  const b = nd.contiguous(beta.data).data;
  const th = nd.contiguous(threshold.data).data;
  const n = u.length;
  const pa = a.length;
  const pb = b.length;
  const pt = th.length;
  for (let i = 0; i < n; i++) {
    const p = u[i];
    const tv = th[i % pt];
    const r = p > tv ? 1 : 0;
    c[i] = a[i % pa] * c[i] + x[i];
    if (mode === 'subtract') u[i] = b[i % pb] * p + c[i] - r * tv;
    else if (mode === 'none') u[i] = b[i % pb] * p + c[i];
    else {
      u[i] = b[i % pb] * p + c[i];
      u[i] = u[i] * (1 - r);
      c[i] = c[i] * (1 - r);
    }
    s[i] = u[i] > tv ? 1 : 0;
  }
}
