// A leaky integrate-and-fire neuron over a whole sequence, as one op: the forward loops over the
// T steps once, writing U [T, ...] into one buffer; the backward runs backpropagation through time
// in one reverse loop, writing the input gradient of every step into one buffer. This is what
// SpikingJelly's and snnTorch's fused CUDA neurons do; here it replaces T membrane records, T step
// slices (whose backwards each materialised a gradient the size of the whole sequence) and T
// heaviside records. Two ops share the loops:
//
//   - `lifSequence`: the membranes U [T, ...]. The layer records one heaviside over the whole U
//     after it when it needs both spikes and membranes (runSequence), so every rule works as it
//     does step by step.
//   - `lifSpikeSequence`: the spikes S = heaviside(U − Θ) [T, ...], with U kept inside the record
//     for backward: what `forward` uses when only the spikes are wanted (a hidden layer). The
//     spike is made in the membrane loop, and its backward applies the heaviside rule to the whole
//     sequence in one vectorised pass (the rule's own loop, as a heaviside record runs it) before
//     the BPTT loop, so the loop itself is plain arithmetic over flat typed arrays.
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
import { type Derivative, type DerivativeFormula, type ElementBackward, formulaOf, kernelOf } from '../activations/rule';
import { backwardLoop, derivativeLoop } from '../activations/loops';
import { defineOp, record } from '../ops/record';
import { anomalyEnabled, anomalyOnRecord } from '../autograd/anomaly'; // ANOMALY MODE (issue 12)
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

/**
 * The spike's backward in `lifSpikeSequence`: the heaviside rule as the layer binds it, a local
 * derivative h(x, y) or an elementwise backward b(g, x, y), read at x = U − `center` (rounded to
 * the dtype, as a heaviside of `U − Θ` reads it) and y = S.
 */
export interface SpikeGradient {
  /** The rule as a local derivative (null for an elementwise backward). */
  readonly h: Derivative | null;
  /** The rule as an elementwise backward (null for a local derivative). */
  readonly b: ElementBackward | null;
  /** Subtracted from the membrane before the rule reads it: Θ for a rule bound at 0, 0 for one bound at Θ. */
  readonly center: number;
  /** Cut the gradient through the reset term (true), or pass it through h (needs `h`). */
  readonly detachReset: boolean;
  /** The rule's label, recorded on the tape (what `lastBackwardRules` reports for the op). */
  readonly label: string;
}

type Floats = nd.FloatArray;

interface Saved {
  /** U[0..T−1], [T·n]. */
  readonly mem: Floats;
  /** U[−1], [n]. */
  readonly mem0: Floats;
  readonly beta: Floats;
  readonly threshold: number;
  readonly betaShape: readonly number[];
  readonly thresholdShape: readonly number[];
  readonly seqShape: readonly number[];
  readonly stateShape: readonly number[];
  readonly mode: ResetMode;
}

interface MembraneSaved extends Saved {
  readonly reset: ResetGradient;
}

interface SpikeSaved extends Saved {
  /** S[0..T−1], [T·n]: the op's output. */
  readonly spikes: Floats;
  readonly spike: SpikeGradient;
}

/** The decay of every element of a step, b[i mod pb] for i < n, so the loops index one array. */
function decayPerElement(beta: Floats, n: number): Float64Array {
  const out = new Float64Array(n);
  const pb = beta.length;
  if (pb === 1) out.fill(beta[0]);
  else for (let i = 0, j = 0; i < n; i++, j++) out[i] = beta[j === pb ? (j = 0) : j];
  return out;
}

/**
 * The recurrence forward: U[t] into `u` from the input `x` and mem0 `m0`, and, when `s` is given
 * (zero-filled), S[t] = (U[t] > Θ) read back from the stored (rounded) U[t] as heaviside would
 * read it; only the ones are written. `b` holds one decay per element of a step.
 */
function forwardLoop(x: Floats, m0: Floats, b: Float64Array, scalar: boolean, th: number, mode: ResetMode, u: Floats, s: Floats | null, n: number, T: number): void {
  // the first step, from mem0
  for (let i = 0; i < n; i++) {
    const p = m0[i];
    const r = p > th ? 1 : 0;
    if (mode === 'subtract') u[i] = b[i] * p + x[i] - r * th;
    else if (mode === 'zero') u[i] = b[i] * (1 - r) * p + x[i];
    else u[i] = b[i] * p + x[i];
    if (s !== null && u[i] > th) s[i] = 1;
  }
  if (T > 1 && n > 0) {
    if (scalar && s !== null) forwardScalarSpikes(x, b[0], th, mode, u, s, n, T * n);
    else if (scalar) forwardScalar(x, b[0], th, mode, u, null, n, T * n);
    else forwardPerNeuron(x, b, th, mode, u, s, n, T);
  }
}

/**
 * forwardScalar when the spikes are made too: the reset R[t] is read from the previous step's
 * spike (the same 0 or 1 as comparing its membrane with Θ) and every spike is written from the
 * membrane as stored (rounded to the dtype: `round`), kept in a local rather than read back, so
 * the loop has no branch that depends on the data (measured: 10–35 % faster than comparing, and
 * the local another 15 %).
 */
function forwardScalarSpikes(x: Floats, bv: number, th: number, mode: ResetMode, u: Floats, s: Floats, n: number, end: number): void {
  const single = u instanceof Float32Array;
  if (mode === 'subtract') {
    for (let k = n; k < end; k++) {
      const v = bv * u[k - n] + x[k] - s[k - n] * th;
      const r = single ? Math.fround(v) : v;
      u[k] = r;
      s[k] = r > th ? 1 : 0;
    }
  } else if (mode === 'zero') {
    for (let k = n; k < end; k++) {
      const v = bv * (1 - s[k - n]) * u[k - n] + x[k];
      const r = single ? Math.fround(v) : v;
      u[k] = r;
      s[k] = r > th ? 1 : 0;
    }
  } else {
    for (let k = n; k < end; k++) {
      const v = bv * u[k - n] + x[k];
      const r = single ? Math.fround(v) : v;
      u[k] = r;
      s[k] = r > th ? 1 : 0;
    }
  }
}

/** Steps 1..T−1 with one decay: flat loops over k = t·n + i, the previous membrane at k − n. */
function forwardScalar(x: Floats, bv: number, th: number, mode: ResetMode, u: Floats, s: Floats | null, n: number, end: number): void {
  if (mode === 'subtract') {
    for (let k = n; k < end; k++) {
      const p = u[k - n];
      u[k] = bv * p + x[k] - (p > th ? 1 : 0) * th;
      if (s !== null && u[k] > th) s[k] = 1;
    }
  } else if (mode === 'zero') {
    for (let k = n; k < end; k++) {
      const p = u[k - n];
      u[k] = bv * (1 - (p > th ? 1 : 0)) * p + x[k];
      if (s !== null && u[k] > th) s[k] = 1;
    }
  } else {
    for (let k = n; k < end; k++) {
      u[k] = bv * u[k - n] + x[k];
      if (s !== null && u[k] > th) s[k] = 1;
    }
  }
}

/** Steps 1..T−1 with one decay per neuron, row by row. */
function forwardPerNeuron(x: Floats, b: Float64Array, th: number, mode: ResetMode, u: Floats, s: Floats | null, n: number, T: number): void {
  for (let t = 1; t < T; t++) {
    const row = t * n;
    const po = row - n;
    if (mode === 'subtract') {
      for (let i = 0; i < n; i++) {
        const p = u[po + i];
        u[row + i] = b[i] * p + x[row + i] - (p > th ? 1 : 0) * th;
      }
    } else if (mode === 'zero') {
      for (let i = 0; i < n; i++) {
        const p = u[po + i];
        u[row + i] = b[i] * (1 - (p > th ? 1 : 0)) * p + x[row + i];
      }
    } else {
      for (let i = 0; i < n; i++) u[row + i] = b[i] * u[po + i] + x[row + i];
    }
    if (s !== null) for (let k = row; k < row + n; k++) if (u[k] > th) s[k] = 1;
  }
}

/**
 * Backpropagation through time, in place. On entry g[k] is the gradient of U[k] from outside the
 * recurrence (the loss through the membranes, or through the spikes); on return it is dL/dU[k]
 * (which is also dL/dI[k]): for k = t·n + i from the end, g[k] += ∂U[k + n]/∂U[k] · g[k + n], the
 * next step's decay, with the reset R[t + 1] = (U[k] > Θ) held fixed or, when `H` (h at every
 * U[k]) is given, passing through h. Returns dL/dmem0 (`H0`: h at mem0).
 */
function bpttLoop(
  g: Floats, mem: Floats, spikes: Floats | null, mem0: Floats, b: Float64Array, scalar: boolean, th: number, mode: ResetMode, H: Float64Array | null, H0: Float64Array | null,
  n: number, T: number,
): Float64Array {
  if (T > 1 && n > 0) {
    if (scalar && spikes !== null && mode === 'zero' && H === null) bpttZeroFromSpikes(g, spikes, b[0], n, (T - 1) * n);
    else if (scalar) bpttScalar(g, mem, b[0], th, mode, H, n, (T - 1) * n);
    else bpttPerNeuron(g, mem, b, th, mode, H, n, T);
  }
  return mem0Grad(g, mem0, b, th, mode, H0, n);
}

/** dL/dmem0 from dL/dU[0] (g[0..n)): the recurrence's step once more, at U[−1] = mem0, into a fresh array. */
function mem0Grad(g: Floats, mem0: Floats, b: Float64Array, th: number, mode: ResetMode, H0: Float64Array | null, n: number): Float64Array {
  const dMem0 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = g[i];
    const p = mem0[i];
    const r = p > th ? 1 : 0;
    if (mode === 'subtract') dMem0[i] = H0 === null ? b[i] * a : b[i] * a + -th * a * H0[i];
    else if (mode === 'zero') dMem0[i] = H0 === null ? b[i] * (1 - r) * a : b[i] * (1 - r) * a + -b[i] * p * a * H0[i];
    else dMem0[i] = b[i] * a;
  }
  return dMem0;
}

/**
 * bpttScalar for reset 'zero' with a detached reset when the spikes are at hand: the next step's
 * reset R[t + 1] = S[t] read from them (the same 0 or 1 as comparing U[t] with Θ), no branch.
 */
function bpttZeroFromSpikes(g: Floats, s: Floats, bv: number, n: number, last: number): void {
  for (let k = last - 1; k >= 0; k--) g[k] += bv * (1 - s[k]) * g[k + n];
}

/** bpttLoop's steps with one decay: flat loops from k = (T − 1)·n − 1 down to 0. */
function bpttScalar(g: Floats, mem: Floats, bv: number, th: number, mode: ResetMode, H: Float64Array | null, n: number, last: number): void {
  if (mode === 'subtract') {
    if (H === null) {
      for (let k = last - 1; k >= 0; k--) g[k] += bv * g[k + n];
    } else {
      for (let k = last - 1; k >= 0; k--) {
        const a = g[k + n];
        g[k] += bv * a + -th * a * H[k];
      }
    }
  } else if (mode === 'zero') {
    if (H === null) {
      for (let k = last - 1; k >= 0; k--) g[k] += bv * (1 - (mem[k] > th ? 1 : 0)) * g[k + n];
    } else {
      for (let k = last - 1; k >= 0; k--) {
        const a = g[k + n];
        const p = mem[k];
        g[k] += bv * (1 - (p > th ? 1 : 0)) * a + -bv * p * a * H[k];
      }
    }
  } else {
    for (let k = last - 1; k >= 0; k--) g[k] += bv * g[k + n];
  }
}

/** bpttLoop's steps with one decay per neuron, row by row from the end. */
function bpttPerNeuron(g: Floats, mem: Floats, b: Float64Array, th: number, mode: ResetMode, H: Float64Array | null, n: number, T: number): void {
  for (let t = T - 2; t >= 0; t--) {
    const row = t * n;
    const next = row + n;
    if (mode === 'subtract') {
      if (H === null) for (let i = 0; i < n; i++) g[row + i] += b[i] * g[next + i];
      else for (let i = 0; i < n; i++) g[row + i] += b[i] * g[next + i] + -th * g[next + i] * H[row + i];
    } else if (mode === 'zero') {
      for (let i = 0; i < n; i++) {
        const a = g[next + i];
        const p = mem[row + i];
        const c = b[i] * (1 - (p > th ? 1 : 0)) * a;
        g[row + i] += H === null ? c : c + -b[i] * p * a * H[row + i];
      }
    } else {
      for (let i = 0; i < n; i++) g[row + i] += b[i] * g[next + i];
    }
  }
}

/**
 * The gradients of β (per entry of `beta`) and of Θ through the recurrence, from a = dL/dU (`g`
 * after bpttLoop), summed in the BPTT loop's order (t descending, i ascending).
 */
function parameterGrads(
  g: Floats, mem: Floats, mem0: Floats, beta: Floats, th: number, mode: ResetMode, H: Float64Array | null, H0: Float64Array | null,
  n: number, T: number, wantBeta: boolean, wantTh: boolean,
): { dBeta: Float64Array; dTh: number } {
  const pb = beta.length;
  const dBeta = new Float64Array(pb);
  let dTh = 0;
  if (!wantBeta && !wantTh) return { dBeta, dTh };
  for (let t = T - 1; t >= 0; t--) {
    const row = t * n;
    const prev = t === 0 ? mem0 : mem;
    const po = t === 0 ? 0 : row - n;
    const hp = t === 0 ? H0 : H;
    for (let i = 0, j = 0; i < n; i++, j++) {
      if (j === pb) j = 0;
      const a = g[row + i];
      const p = prev[po + i];
      const r = p > th ? 1 : 0;
      if (mode === 'subtract') {
        dBeta[j] += a * p;
        dTh -= a * r;
        if (hp !== null) dTh -= -th * a * hp[po + i];
      } else if (mode === 'zero') {
        dBeta[j] += a * (1 - r) * p;
        if (hp !== null) dTh -= -beta[j] * p * a * hp[po + i];
      } else {
        dBeta[j] += a * p;
      }
    }
  }
  return { dBeta, dTh };
}

/** x[k] = U[k] − center rounded to the dtype (what a heaviside of `U − Θ` reads), or U itself when center is 0. */
function ruleInput(u: Floats, center: number): Floats {
  if (center === 0) return u;
  const x = u instanceof Float64Array ? new Float64Array(u.length) : new Float32Array(u.length);
  for (let k = 0; k < u.length; k++) x[k] = u[k] - center;
  return x;
}

/** H[k] = h(x[k], y[k]) with x = U − center (see ruleInput) and y = (U > Θ), in one compiled loop. */
function surrogateAt(h: Derivative, u: Floats, center: number, th: number, spikes: Floats | null): Float64Array {
  let y = spikes;
  if (y === null) {
    y = new Float64Array(u.length);
    for (let k = 0; k < u.length; k++) y[k] = u[k] > th ? 1 : 0;
  }
  const H = new Float64Array(u.length);
  nd.loopFor('zip', h)(h, ruleInput(u, center), y, H);
  return H;
}

// The loops live in functions of their own, not inside the ops' closures: V8 optimises a loop in a
// long function by on-stack replacement, and code after such a loop that has not run yet makes
// that code deoptimise on every call (see events.ts).

/** out[k] = g[k]·H[k] */
function multiplyInto(out: Floats, g: Floats, H: Float64Array): void {
  for (let k = 0; k < out.length; k++) out[k] = g[k] * H[k];
}

/** Σ a[k], in float64, in order. */
function sum(a: Floats): number {
  let total = 0;
  for (let k = 0; k < a.length; k++) total += a[k];
  return total;
}

// lifSpikeSequence's backward in one reverse pass, for a rule whose derivative declares its formula
// (the built-in heaviside surrogates and exact, see declareFormula) with one decay β and a
// detached reset (or none), the rule read at U itself (center 0): from the end, at k = t·n + i,
//
//   g[k] = round(gd[k]·F(U[k] − offset)) + β·(1 − z·S[k])·g[k + n]     (no second term in the last step)
//
// z = 1 for reset 'zero', 0 otherwise (so the factor is β·1 exactly), round the dtype's rounding.
// The same arithmetic in the same order as the two-pass path (the rule's loop stores gd·h, then
// bpttLoop adds the next step), so the same values. One loop per formula, F written out in it:
// V8 inlines neither a formula switch nor a shape passed as a function at this speed (measured:
// 1.5–3× the written-out loop).

/** F = a/(1 + (b·u)²) */
function onePassAtan(g: Floats, gd: Floats, mem: Floats, s: Floats, bv: number, z: number, single: boolean, f: DerivativeFormula, n: number, end: number): void {
  const { a, b, offset } = f;
  for (let k = end - 1; k >= end - n; k--) {
    const w = b * (mem[k] - offset);
    g[k] = gd[k] * (a / (1 + w * w));
  }
  for (let k = end - n - 1; k >= 0; k--) {
    const w = b * (mem[k] - offset);
    const v = gd[k] * (a / (1 + w * w));
    g[k] = (single ? Math.fround(v) : v) + bv * (1 - z * s[k]) * g[k + n];
  }
}

/** F = 1/(1 + a·|u|)² */
function onePassInverseSquare(g: Floats, gd: Floats, mem: Floats, s: Floats, bv: number, z: number, single: boolean, f: DerivativeFormula, n: number, end: number): void {
  const { a, offset } = f;
  for (let k = end - 1; k >= end - n; k--) {
    const d = 1 + a * Math.abs(mem[k] - offset);
    g[k] = gd[k] * (1 / (d * d));
  }
  for (let k = end - n - 1; k >= 0; k--) {
    const d = 1 + a * Math.abs(mem[k] - offset);
    const v = gd[k] * (1 / (d * d));
    g[k] = (single ? Math.fround(v) : v) + bv * (1 - z * s[k]) * g[k + n];
  }
}

/** F = max(0, a − a²·|u|) */
function onePassTriangle(g: Floats, gd: Floats, mem: Floats, s: Floats, bv: number, z: number, single: boolean, f: DerivativeFormula, n: number, end: number): void {
  const { a, offset } = f;
  for (let k = end - 1; k >= end - n; k--) g[k] = gd[k] * Math.max(0, a - a * a * Math.abs(mem[k] - offset));
  for (let k = end - n - 1; k >= 0; k--) {
    const v = gd[k] * Math.max(0, a - a * a * Math.abs(mem[k] - offset));
    g[k] = (single ? Math.fround(v) : v) + bv * (1 - z * s[k]) * g[k + n];
  }
}

/** F = b for |u| < a, else 0 */
function onePassBoxcar(g: Floats, gd: Floats, mem: Floats, s: Floats, bv: number, z: number, single: boolean, f: DerivativeFormula, n: number, end: number): void {
  const { a, b, offset } = f;
  for (let k = end - 1; k >= end - n; k--) g[k] = gd[k] * (Math.abs(mem[k] - offset) < a ? b : 0);
  for (let k = end - n - 1; k >= 0; k--) {
    const v = gd[k] * (Math.abs(mem[k] - offset) < a ? b : 0);
    g[k] = (single ? Math.fround(v) : v) + bv * (1 - z * s[k]) * g[k + n];
  }
}

/** F = a·exp(−b·u·u) */
function onePassGaussian(g: Floats, gd: Floats, mem: Floats, s: Floats, bv: number, z: number, single: boolean, f: DerivativeFormula, n: number, end: number): void {
  const { a, b, offset } = f;
  for (let k = end - 1; k >= end - n; k--) {
    const u = mem[k] - offset;
    g[k] = gd[k] * (a * Math.exp(-b * u * u));
  }
  for (let k = end - n - 1; k >= 0; k--) {
    const u = mem[k] - offset;
    const v = gd[k] * (a * Math.exp(-b * u * u));
    g[k] = (single ? Math.fround(v) : v) + bv * (1 - z * s[k]) * g[k + n];
  }
}

/** F = 0 (exact): gd·0 kept (±0, or NaN for a non-finite gd), as the rule's loop makes it */
function onePassZero(g: Floats, gd: Floats, s: Floats, bv: number, z: number, single: boolean, n: number, end: number): void {
  for (let k = end - 1; k >= end - n; k--) g[k] = gd[k] * 0;
  for (let k = end - n - 1; k >= 0; k--) {
    const v = gd[k] * 0;
    g[k] = (single ? Math.fround(v) : v) + bv * (1 - z * s[k]) * g[k + n];
  }
}

/** The one-pass backward for formula `f` (see above); false (nothing written) when the case is not covered. */
function onePass(g: Floats, gd: Floats, s: SpikeSaved): boolean {
  const f = s.spike.h === null ? undefined : formulaOf(s.spike.h);
  const detach = s.spike.detachReset || s.mode === 'none';
  if (f === undefined || !detach || s.spike.center !== 0 || s.beta.length !== 1) return false;
  const n = s.mem0.length;
  const end = s.seqShape[0] * n;
  const bv = s.beta[0];
  const z = s.mode === 'zero' ? 1 : 0;
  const single = g instanceof Float32Array;
  const { mem, spikes } = s;
  if (f.kind === 'atan') onePassAtan(g, gd, mem, spikes, bv, z, single, f, n, end);
  else if (f.kind === 'inverseSquare') onePassInverseSquare(g, gd, mem, spikes, bv, z, single, f, n, end);
  else if (f.kind === 'triangle') onePassTriangle(g, gd, mem, spikes, bv, z, single, f, n, end);
  else if (f.kind === 'boxcar') onePassBoxcar(g, gd, mem, spikes, bv, z, single, f, n, end);
  else if (f.kind === 'gaussian') onePassGaussian(g, gd, mem, spikes, bv, z, single, f, n, end);
  else onePassZero(g, gd, spikes, bv, z, single, n, end);
  return true;
}

/**
 * The four gradients [input, mem0, beta, threshold] from dL/dU in `g` (a pooled buffer the result
 * owns or releases); `propagated`: g already went through the recurrence (`onePass`), only
 * mem0's step is left.
 */
function finish(
  gBuf: nd.Nd, s: Saved, spikes: Floats | null, H: Float64Array | null, H0: Float64Array | null, needs: readonly boolean[], extraDTh: number, propagated = false,
): [nd.Nd | null, nd.Nd | null, nd.Nd | null, nd.Nd | null] {
  const g = gBuf.data;
  const dtype = nd.dtypeOf(gBuf);
  const { mem, mem0, threshold: th, mode } = s;
  const n = mem0.length;
  const T = s.seqShape[0];
  const b = decayPerElement(s.beta, n);
  const carry = propagated ? mem0Grad(g, mem0, b, th, mode, H0, n) : bpttLoop(g, mem, spikes, mem0, b, s.beta.length === 1, th, mode, H, H0, n, T);
  const { dBeta, dTh } = parameterGrads(g, mem, mem0, s.beta, th, mode, H, H0, n, T, needs[2], needs[3]);
  let gInput: nd.Nd | null = gBuf;
  if (!needs[0]) {
    nd.release(g);
    gInput = null;
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
    gThreshold.data[0] = dTh + extraDTh;
  }
  return [gInput, gMem0, gBeta, gThreshold];
}

const lifSequenceOp = defineOp<MembraneSaved>('lifSequence', (g, s, needs) => {
  const gd = nd.contiguous(g).data;
  // from the pool (the tape gives it back when done): every element is written here
  const gBuf = nd.pooledEmpty(s.seqShape, nd.dtypeOf(g));
  gBuf.data.set(gd);
  const { reset } = s;
  let H: Float64Array | null = null;
  let H0: Float64Array | null = null;
  if (!reset.detach && s.mode !== 'none') {
    H = surrogateAt(reset.h, s.mem, reset.center, s.threshold, null);
    H0 = surrogateAt(reset.h, s.mem0, reset.center, s.threshold, null);
  }
  return finish(gBuf, s, null, H, H0, needs, 0);
});

const lifSpikeSequenceOp = defineOp<SpikeSaved>('lifSpikeSequence', spikeBackward);

/** lifSpikeSequence's backward: the gradients [input, mem0, beta, threshold] from the spikes' gradient g. */
function spikeBackward(g: nd.Nd, s: SpikeSaved, needs: readonly boolean[]): [nd.Nd | null, nd.Nd | null, nd.Nd | null, nd.Nd | null] {
  const gd = nd.contiguous(g).data;
  const dtype = nd.dtypeOf(g);
  const { spike, mem, spikes } = s;
  // the gradient reaching U through the spikes: the heaviside rule over the whole sequence at once
  const gBuf = nd.pooledEmpty(s.seqShape, dtype);
  const gu = gBuf.data;
  // a built-in rule with a detached reset: the surrogate inline in the BPTT loop, one pass (when
  // β and Θ need no gradient; theirs read the spike's gradient before the recurrence)
  if (!needs[2] && !needs[3] && onePass(gu, gd, s)) return finish(gBuf, s, spikes, null, null, needs, 0, true);
  let H: Float64Array | null = null;
  let H0: Float64Array | null = null;
  if (spike.h !== null && !spike.detachReset && s.mode !== 'none') {
    // h is needed again by the reset (R[t] = S[t−1]): computed once, at every U and at mem0
    H = surrogateAt(spike.h, mem, spike.center, s.threshold, spikes);
    H0 = surrogateAt(spike.h, s.mem0, spike.center, s.threshold, null);
    multiplyInto(gu, gd, H);
  } else {
    const x = ruleInput(mem, spike.center);
    if (spike.h !== null) {
      const kernel = kernelOf(spike.h);
      const fast = kernel !== undefined && gu instanceof Float32Array && gd instanceof Float32Array && x instanceof Float32Array && spikes instanceof Float32Array && kernel(gu, gd, x, spikes);
      if (!fast) derivativeLoop(spike.h)(spike.h, gd, x, spikes, gu);
    } else {
      const b = spike.b as ElementBackward;
      backwardLoop(b)(b, gd, x, spikes, gu);
    }
  }
  // S = heaviside(U − Θ): ∂S/∂Θ = −∂S/∂U
  return finish(gBuf, s, spikes, H, H0, needs, needs[3] ? -sum(gu) : 0);
}

/** What both ops read from their inputs. */
function operands(input: Tensor, mem0: Tensor, beta: Tensor, threshold: Tensor): { x: Floats; m0: Floats; b: Floats; th: number; n: number; T: number } {
  const m0 = flat(mem0.data);
  return { x: flat(input.data), m0, b: nd.contiguous(beta.data).data, th: threshold.item(), n: m0.length, T: input.shape[0] };
}

/** What both sequence ops keep for their backward: the membranes, the operands' data and shapes. */
function saved(input: Tensor, mem0: Tensor, beta: Tensor, threshold: Tensor, mem: Floats, m0: Floats, b: Floats, th: number, mode: ResetMode): Saved {
  return { mem, mem0: m0, beta: b, threshold: th, betaShape: beta.shape, thresholdShape: threshold.shape, seqShape: input.shape, stateShape: mem0.shape, mode };
}

/**
 * The membrane potentials U [T, ...state] of a LIF neuron driven by `input` [T, ...state] from
 * `mem0` [...state], with decay `beta` (0-d, or the state's trailing dimensions) and threshold
 * `threshold` (0-d), reset `mode`, and the reset's gradient as `reset` says. One tape record; its
 * backward gives the gradients of the input, mem0, beta and threshold. Shapes and dtypes are
 * checked by the neuron layers before they call it.
 */
export function lifSequence(input: Tensor, mem0: Tensor, beta: Tensor, threshold: Tensor, mode: ResetMode, reset: ResetGradient): Tensor {
  const { x, m0, b, th, n, T } = operands(input, mem0, beta, threshold);
  const out = nd.zeros(input.shape, input.dtype);
  forwardLoop(x, m0, decayPerElement(b, n), b.length === 1, th, mode, out.data, null, n, T);
  return record(lifSequenceOp, [input, mem0, beta, threshold], out, { ...saved(input, mem0, beta, threshold, out.data, m0, b, th, mode), reset });
}

/**
 * The spikes S = heaviside(U − Θ) [T, ...state] of a LIF neuron (U as `lifSequence` computes it),
 * as one tape record that keeps U for its backward: the spike's gradient is `spike`'s rule applied
 * to the whole sequence, then backpropagation through time as in `lifSequence` (the reset's
 * gradient through h unless `spike.detachReset`; that needs `spike.h`). The gradients are those of
 * `lifSequence` followed by a heaviside of U − Θ with the same rule, with Θ's including the
 * spike's own −Σ ∂L/∂S·h.
 */
export function lifSpikeSequence(input: Tensor, mem0: Tensor, beta: Tensor, threshold: Tensor, mode: ResetMode, spike: SpikeGradient): Tensor {
  const { x, m0, b, th, n, T } = operands(input, mem0, beta, threshold);
  const mem = nd.alloc(input.dtype, T * n);
  const out = nd.zeros(input.shape, input.dtype);
  forwardLoop(x, m0, decayPerElement(b, n), b.length === 1, th, mode, mem, out.data, n, T);
  // anomaly mode checks the membranes too: the spikes (0/1) stay finite when U overflows
  if (anomalyEnabled) anomalyOnRecord('lifSpikeSequence (membranes)', spike.label, [input, mem0, beta, threshold], nd.wrap(mem, input.shape));
  return record(
    lifSpikeSequenceOp,
    [input, mem0, beta, threshold],
    out,
    { ...saved(input, mem0, beta, threshold, mem, m0, b, th, mode), spikes: out.data, spike },
    spike.label,
  );
}

