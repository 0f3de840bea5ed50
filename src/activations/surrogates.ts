// The smooth function S(u; θ) whose derivative each rule factory's h is, and its derivatives
// ∂S/∂θ: what a learnable rule parameter's gradient is made of (learnable.ts).
//
// Definition. For a rule with local derivative h(u; θ) (u = x − centre), S is its antiderivative
// anchored at the centre:
//
//     S(u; θ) = f(centre) + ∫₀ᵘ h(t; θ) dt,
//
// so S′ = h and S(0; θ) does not depend on θ; a θ-dependent constant would change the gradient,
// and anchoring at the centre is the one choice that makes ∂S/∂θ = 0 where the forward is
// evaluated at its centre. A parameter θ then receives Σᵢ gᵢ·∂S/∂θ(uᵢ; θ): the gradient it would
// get if the forward were S. The constant f(centre) drops out of ∂S/∂θ and is left out below.
//
// Each entry gives S (for tests and for users to plot) and ∂S/∂θ in closed form; a factory whose
// parameter has no usable ∂S/∂θ says why, and a learnable value there is refused.
import { erf, sigmoid as logistic, softplus } from './math';

/** What S may read of the activation (adaptive rules): its forward f and derivative f′ at u. */
export interface SurrogateTarget {
  /** The activation's forward f(u). */
  readonly forward: (u: number) => number;
  /** The activation's derivative f′ at u (y = f(u) is passed too). */
  readonly derivative: (u: number, y: number) => number;
}

type Fn = (u: number, p: Readonly<Record<string, number>>, t: SurrogateTarget) => number;

/** A rule factory's smooth surrogate S(u; θ) (whose derivative is the rule's h) and its parameter gradients ∂S/∂θ. */
export interface Surrogate {
  /** S(u; θ) − f(centre). */
  readonly S: Fn;
  /** ∂S/∂θ for each parameter that can learn. */
  readonly dS: Readonly<Record<string, Fn>>;
  /** Parameters that cannot learn, each with the reason. */
  readonly refused?: Readonly<Record<string, string>>;
}

const LN2 = Math.LN2;
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** The S of every built-in factory with a numeric parameter, by factory name. */
export const SURROGATES: Readonly<Record<string, Surrogate>> = {
  // h = σ(kx): S = (softplus(kx) − ln 2)/k
  sigmoidShaped: {
    S: (u, { k }) => (softplus(k * u) - LN2) / k,
    dS: { k: (u, { k }) => (u * logistic(k * u)) / k - (softplus(k * u) - LN2) / (k * k) },
  },
  // h = σ(x) + (x + α)σ(x)(1 − σ(x)): S = (x + α)σ(x) − α/2
  bSilu: {
    S: (u, { alpha }) => (u + alpha) * logistic(u) - alpha / 2,
    dS: { alpha: (u) => logistic(u) - 0.5 },
  },
  // h = 1 (x > 0), c (x ≤ 0): S = max(x, 0) + c·min(x, 0)
  leakyBackward: {
    S: (u, { c }) => Math.max(u, 0) + c * Math.min(u, 0),
    dS: { c: (u) => Math.min(u, 0) },
  },
  // h = f′ + c: S = f(u) − f(0) + c·u
  floorAdded: {
    S: (u, { c }, t) => t.forward(u) - t.forward(0) + c * u,
    dS: { c: (u) => u },
  },
  // h = max(f′, c): S = ∫₀ᵘ max(f′, c), no closed form for a general f
  floored: {
    S: () => Number.NaN,
    dS: {},
    refused: { c: "S = ∫ max(f′, c) has no closed form for a general activation (∂S/∂c is the signed length of {f′ < c} between 0 and u); use floorAdded, whose c learns" },
  },
  // h = f′(u/w): S = w·(f(u/w) − f(0))
  widened: {
    S: (u, { w }, t) => w * (t.forward(u / w) - t.forward(0)),
    dS: {
      w: (u, { w }, t) => {
        const v = u / w;
        const fv = t.forward(v);
        return fv - t.forward(0) - v * t.derivative(v, fv);
      },
    },
  },
  // h = 1/(1 + k|u|)²: S = u/(1 + k|u|)
  fastSigmoid: {
    S: (u, { slope }) => u / (1 + slope * Math.abs(u)),
    dS: {
      slope: (u, { slope }) => {
        const d = 1 + slope * Math.abs(u);
        return (-u * Math.abs(u)) / (d * d);
      },
    },
  },
  superSpike: {
    S: (u, { alpha }) => u / (1 + alpha * Math.abs(u)),
    dS: {
      alpha: (u, { alpha }) => {
        const d = 1 + alpha * Math.abs(u);
        return (-u * Math.abs(u)) / (d * d);
      },
    },
  },
  // h = (α/2)/(1 + (παu/2)²): S = atan(παu/2)/π
  atan: {
    S: (u, { alpha }) => Math.atan((Math.PI * alpha * u) / 2) / Math.PI,
    dS: {
      alpha: (u, { alpha }) => {
        const z = (Math.PI * alpha * u) / 2;
        return u / 2 / (1 + z * z);
      },
    },
  },
  // h = kσ(ku)(1 − σ(ku)): S = σ(ku) − 1/2
  sigmoidSurrogate: {
    S: (u, { slope }) => logistic(slope * u) - 0.5,
    dS: {
      slope: (u, { slope }) => {
        const s = logistic(slope * u);
        return u * s * (1 - s);
      },
    },
  },
  // h = max(0, α − α²|u|): S = sign(u)·(α|u| − α²u²/2) for |u| < 1/α, sign(u)/2 beyond
  triangle: {
    S: (u, { alpha }) => {
      const a = Math.abs(u);
      return Math.sign(u) * (a < 1 / alpha ? alpha * a - (alpha * alpha * a * a) / 2 : 0.5);
    },
    dS: { alpha: (u, { alpha }) => (Math.abs(u) < 1 / alpha ? u - alpha * u * Math.abs(u) : 0) },
  },
  // h = normal density with sd σ: S = erf(u/(σ√2))/2
  gaussian: {
    S: (u, { sigma }) => erf(u / (sigma * Math.SQRT2)) / 2,
    dS: { sigma: (u, { sigma }) => (-u * Math.exp((-u * u) / (2 * sigma * sigma))) / (sigma * sigma * SQRT_2PI) },
  },
  // h = 1/w on |u| < w/2: S = clamp(u, −w/2, w/2)/w
  boxcar: {
    S: (u, { width }) => Math.min(Math.max(u, -width / 2), width / 2) / width,
    dS: { width: (u, { width }) => (Math.abs(u) < width / 2 ? -u / (width * width) : 0) },
  },
  // h = 1 on [min, max]: S = clamp(u, min, max) − clamp(0, min, max)
  clippedStraightThrough: {
    S: (u, { min, max }) => Math.min(Math.max(u, min), max) - Math.min(Math.max(0, min), max),
    dS: {},
    refused: {
      min: '∂S/∂min is a step (1 where u < min, minus 1 where 0 < min): the bounds get a gradient only from elements outside them, a count, not a direction; follow a schedule instead',
      max: '∂S/∂max is a step (1 where u > max, minus 1 where 0 > max): the bounds get a gradient only from elements outside them, a count, not a direction; follow a schedule instead',
    },
  },
};
