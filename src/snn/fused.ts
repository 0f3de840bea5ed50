// The membrane potentials of a leaky integrate-and-fire neuron over a whole sequence, as one op:
// the forward loops over the T steps once, writing U [T, ...] into one buffer; the backward runs
// backpropagation through time in one reverse loop, writing the input gradient of every step into
// one buffer. This is what SpikingJelly's and snnTorch's fused CUDA neurons do; here it replaces
// T membrane records, T step slices (whose backwards each materialised a gradient the size of the
// whole sequence) and T heaviside records by two records (this op, then one heaviside over the
// whole U, recorded by the layer so that every heaviside rule works as it does step by step).
//
// With R[t] = heaviside(U[t−1] − Θ) (U[−1] = mem0, the initial membrane), B the decay, Θ the
// threshold (see membrane.ts for the one-step op; the arithmetic is the same, in the same order):
//
//   'subtract': U[t] = B·U[t−1] + I[t] − R[t]·Θ
//   'zero':     U[t] = B·(1 − R[t])·U[t−1] + I[t]
//   'none':     U[t] = B·U[t−1] + I[t]
//
// The backward is the exact derivative of this recurrence with R[t] treated as a constant when
// the reset is detached; otherwise ∂R[t]/∂U[t−1] = h(U[t−1] − Θ, R[t]) and ∂R[t]/∂Θ = −h(...),
// h the heaviside rule's local derivative (the surrogate), as the step-by-step path computes it
// through its heaviside records.
import * as nd from '../nd';
import type { Tensor } from '../tensor';
import type { Derivative } from '../activations/rule';
import { defineOp, record } from '../ops/record';
import { flat, type ResetMode } from './membrane';

/** How the reset's gradient flows: not at all (detached), or through the surrogate `h`. */
export type ResetGradient =
  | { readonly detach: true }
  | {
      readonly detach: false;
      /** The heaviside rule's local derivative h(x, y), read at x = U − `center` and y = R. */
      readonly h: Derivative;
      /** Subtracted from the membrane before h reads it: Θ for a rule bound at 0, 0 for one bound at Θ. */
      readonly center: number;
    };

interface Saved {
  /** U[0..T−1], [T·n]. */
  readonly mem: Float32Array | Float64Array;
  /** U[−1], [n]. */
  readonly mem0: Float32Array | Float64Array;
  readonly beta: Float32Array | Float64Array;
  readonly threshold: number;
  readonly betaShape: readonly number[];
  readonly thresholdShape: readonly number[];
  readonly seqShape: readonly number[];
  readonly stateShape: readonly number[];
  readonly mode: ResetMode;
  readonly reset: ResetGradient;
}

const lifSequenceOp = defineOp<Saved>('lifSequence', (g, s, needs) => {
  const gd = nd.contiguous(g).data;
  const dtype = nd.dtypeOf(g);
  const { mem, mem0, beta, threshold: th, mode, reset } = s;
  const n = mem0.length;
  const T = n === 0 ? s.seqShape[0] : mem.length / n;
  const pb = beta.length;
  // from the pool (the tape gives it back when done): every element is written below
  const gInput = needs[0] ? nd.pooledEmpty(s.seqShape, dtype) : null;
  const gi = gInput === null ? null : gInput.data;
  // carry[i]: dL/dU[t−1] from step t (the recurrence), then the gradient of mem0
  const carry = new Float64Array(n);
  const dBeta = new Float64Array(pb);
  let dTh = 0;
  const throughReset = !reset.detach && mode !== 'none';
  const h = reset.detach ? null : reset.h;
  const center = reset.detach ? 0 : reset.center;
  // one loop per reset mode; j is i mod pb (a counter: an integer % per element costs more than the rest)
  for (let t = T - 1; t >= 0; t--) {
    const row = t * n;
    const prev = t > 0 ? mem.subarray(row - n, row) : mem0;
    if (mode === 'subtract') {
      for (let i = 0, j = 0; i < n; i++, j++) {
        if (j === pb) j = 0;
        const a = gd[row + i] + carry[i];
        if (gi !== null) gi[row + i] = a;
        const p = prev[i];
        const r = p > th ? 1 : 0;
        let c = beta[j] * a;
        dBeta[j] += a * p;
        dTh -= a * r;
        if (throughReset) {
          const gR = -th * a; // dL/dR[t]
          const hv = (h as Derivative)(p - center, r);
          c += gR * hv;
          dTh -= gR * hv;
        }
        carry[i] = c;
      }
    } else if (mode === 'zero') {
      for (let i = 0, j = 0; i < n; i++, j++) {
        if (j === pb) j = 0;
        const a = gd[row + i] + carry[i];
        if (gi !== null) gi[row + i] = a;
        const p = prev[i];
        const r = p > th ? 1 : 0;
        const b = beta[j];
        let c = b * (1 - r) * a;
        dBeta[j] += a * (1 - r) * p;
        if (throughReset) {
          const gR = -b * p * a;
          const hv = (h as Derivative)(p - center, r);
          c += gR * hv;
          dTh -= gR * hv;
        }
        carry[i] = c;
      }
    } else {
      for (let i = 0, j = 0; i < n; i++, j++) {
        if (j === pb) j = 0;
        const a = gd[row + i] + carry[i];
        if (gi !== null) gi[row + i] = a;
        dBeta[j] += a * prev[i];
        carry[i] = beta[j] * a;
      }
    }
  }
  let gMem0: nd.Nd | null = null;
  if (needs[1]) {
    gMem0 = nd.zeros(s.stateShape, dtype);
    gMem0.data.set(carry);
  }
  let gBeta: nd.Nd | null = null;
  if (needs[2]) {
    gBeta = nd.zeros(s.betaShape, dtype);
    gBeta.data.set(dBeta);
  }
  let gThreshold: nd.Nd | null = null;
  if (needs[3]) {
    gThreshold = nd.zeros(s.thresholdShape, dtype);
    gThreshold.data[0] = dTh;
  }
  return [gInput, gMem0, gBeta, gThreshold];
});

/**
 * The membrane potentials U [T, ...state] of a LIF neuron driven by `input` [T, ...state] from
 * `mem0` [...state], with decay `beta` (0-d, or the state's trailing dimensions) and threshold
 * `threshold` (0-d), reset `mode`, and the reset's gradient as `reset` says. One tape record; its
 * backward gives the gradients of the input, mem0, beta and threshold. Shapes and dtypes are
 * checked by the neuron layers before they call it.
 */
export function lifSequence(input: Tensor, mem0: Tensor, beta: Tensor, threshold: Tensor, mode: ResetMode, reset: ResetGradient): Tensor {
  const x = flat(input.data);
  const m0 = flat(mem0.data);
  const b = nd.contiguous(beta.data).data;
  const th = threshold.item();
  const n = m0.length;
  const T = input.shape[0];
  const out = nd.zeros(input.shape, input.dtype);
  const u = out.data;
  const pb = b.length;
  for (let t = 0; t < T; t++) {
    const row = t * n;
    // the previous membrane: mem0, then the row just written (read back rounded to the dtype)
    const prev = t === 0 ? m0 : u.subarray(row - n, row);
    if (pb === 1) {
      const bv = b[0];
      if (mode === 'subtract') {
        for (let i = 0; i < n; i++) {
          const p = prev[i];
          u[row + i] = bv * p + x[row + i] - (p > th ? 1 : 0) * th;
        }
      } else if (mode === 'zero') {
        for (let i = 0; i < n; i++) {
          const p = prev[i];
          u[row + i] = bv * (1 - (p > th ? 1 : 0)) * p + x[row + i];
        }
      } else {
        for (let i = 0; i < n; i++) u[row + i] = bv * prev[i] + x[row + i];
      }
    } else if (mode === 'subtract') {
      for (let i = 0, j = 0; i < n; i++, j++) {
        if (j === pb) j = 0;
        const p = prev[i];
        u[row + i] = b[j] * p + x[row + i] - (p > th ? 1 : 0) * th;
      }
    } else if (mode === 'zero') {
      for (let i = 0, j = 0; i < n; i++, j++) {
        if (j === pb) j = 0;
        const p = prev[i];
        u[row + i] = b[j] * (1 - (p > th ? 1 : 0)) * p + x[row + i];
      }
    } else {
      for (let i = 0, j = 0; i < n; i++, j++) {
        if (j === pb) j = 0;
        u[row + i] = b[j] * prev[i] + x[row + i];
      }
    }
  }
  return record(lifSequenceOp, [input, mem0, beta, threshold], out, {
    mem: u,
    mem0: m0,
    beta: b,
    threshold: th,
    betaShape: beta.shape,
    thresholdShape: threshold.shape,
    seqShape: input.shape,
    stateShape: mem0.shape,
    mode,
    reset,
  });
}
