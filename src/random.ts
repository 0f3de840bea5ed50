// The one source of randomness. Every random draw in surrograd (rand, randn, initialisers,
// dropout, shuffles) comes from a `Generator`, either one passed explicitly or the default one
// that `manualSeed` resets, so a run is reproducible bit for bit.
import { ArgumentError } from './errors';

/** xoshiro128** (Blackman & Vigna): small state, fast, good statistical quality. */
export class Generator {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spareNormal: number | null = null;

  /** Creates a generator whose stream is fixed by `seed` (default 0). */
  constructor(seed = 0) {
    this.seed(seed);
  }

  /** Reset the state from an integer seed (expanded with splitmix32 so nearby seeds differ). */
  seed(seed: number): this {
    if (!Number.isFinite(seed)) throw new ArgumentError(`Generator.seed: seed must be a finite number, got ${seed}`);
    let x = Math.floor(seed) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    this.spareNormal = null;
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** The full state, to save and restore a stream exactly. */
  getState(): number[] {
    return [this.s0, this.s1, this.s2, this.s3, this.spareNormal ?? Number.NaN];
  }

  /** Restores a state returned by `getState()`, so the stream continues exactly from there. */
  setState(state: readonly number[]): this {
    if (state.length !== 5) throw new ArgumentError(`Generator.setState: expected 5 numbers, got ${state.length}`);
    [this.s0, this.s1, this.s2, this.s3] = state.map((v) => v >>> 0);
    this.spareNormal = Number.isNaN(state[4]) ? null : state[4];
    return this;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

let defaultGenerator = new Generator(0);

/** Seed the default generator (used whenever no `generator` option is passed). */
export function manualSeed(seed: number): Generator {
  defaultGenerator = new Generator(seed);
  return defaultGenerator;
}

/** The default generator (used whenever no `generator` option is passed; replaced by `manualSeed`). */
export function getDefaultGenerator(): Generator {
  return defaultGenerator;
}
