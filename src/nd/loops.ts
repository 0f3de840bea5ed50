// The one elementwise engine: every elementwise loop of the library — arithmetic ops (`map`,
// `zip`, `zip3` in elementwise.ts) and activations' forward and backward (src/activations) — is a
// loop compiled here, one copy per function it calls.
//
// Why copies: a single loop `out[i] = f(a[i], b[i])` shared by every op sees many different f; its
// call site becomes polymorphic, V8 stops inlining f, and each element pays a full call (measured
// on a [128, 256] batch: ~9 ns/element when the loop only ever sees one f, ~20–30 ns when it sees
// several). Closures cannot be copied in JavaScript, but `new Function` compiles a fresh loop with
// its own type feedback, as ndarray-ops (cwise) does for its kernels. The sources are constants of
// this file (no user text is ever compiled), and a loop is made once per (kind, function source),
// so memory stays bounded: closures made from the same literal (the rule factories make one per
// call) share a loop, and V8 still inlines them there.
import type { FloatArray } from './array';

/** The loop bodies, by kind. `f` is the function, arrays as named in PARAMS. */
const BODIES = {
  /** y[i] = f(x[i]) */
  map: 'for (let i = 0; i < y.length; i++) y[i] = f(x[i]);',
  /** y[i] = f(a[i], b[i]) */
  zip: 'for (let i = 0; i < y.length; i++) y[i] = f(a[i], b[i]);',
  /** y[i] = f(a[i], s) */
  zipScalarRight: 'for (let i = 0; i < y.length; i++) y[i] = f(a[i], s);',
  /** y[i] = f(s, b[i]) */
  zipScalarLeft: 'for (let i = 0; i < y.length; i++) y[i] = f(s, b[i]);',
  /** y[o + j] = f(a[o + j], b[j]): b a block of length m repeated along y */
  zipBlockRight: 'for (let o = 0; o < y.length; o += m) for (let j = 0; j < m; j++) y[o + j] = f(a[o + j], b[j]);',
  /** y[o + j] = f(a[j], b[o + j]) */
  zipBlockLeft: 'for (let o = 0; o < y.length; o += m) for (let j = 0; j < m; j++) y[o + j] = f(a[j], b[o + j]);',
  /** y[i] = f(a[i], b[i], c[i]) */
  zip3: 'for (let i = 0; i < y.length; i++) y[i] = f(a[i], b[i], c[i]);',
  /** out[i] = g[i] · f(x[i], y[i]): an activation's backward with a local derivative */
  derivative: 'for (let i = 0; i < out.length; i++) out[i] = g[i] * f(x[i], y[i]);',
  /** out[i] = f(g[i], x[i], y[i]): an activation's elementwise backward */
  backward: 'for (let i = 0; i < out.length; i++) out[i] = f(g[i], x[i], y[i]);',
} as const;
const PARAMS: { readonly [K in keyof typeof BODIES]: readonly string[] } = {
  map: ['f', 'x', 'y'],
  zip: ['f', 'a', 'b', 'y'],
  zipScalarRight: ['f', 'a', 's', 'y'],
  zipScalarLeft: ['f', 's', 'b', 'y'],
  zipBlockRight: ['f', 'a', 'b', 'm', 'y'],
  zipBlockLeft: ['f', 'a', 'b', 'm', 'y'],
  zip3: ['f', 'a', 'b', 'c', 'y'],
  derivative: ['f', 'g', 'x', 'y', 'out'],
  backward: ['f', 'g', 'x', 'y', 'out'],
};

export type LoopKind = keyof typeof BODIES;
type Fn1 = (x: number) => number;
type Fn2 = (x: number, y: number) => number;
type Fn3 = (x: number, y: number, z: number) => number;

/** The signature of each kind of compiled loop. */
export interface LoopTypes {
  map: (f: Fn1, x: FloatArray, y: FloatArray) => void;
  zip: (f: Fn2, a: FloatArray, b: FloatArray, y: FloatArray) => void;
  zipScalarRight: (f: Fn2, a: FloatArray, s: number, y: FloatArray) => void;
  zipScalarLeft: (f: Fn2, s: number, b: FloatArray, y: FloatArray) => void;
  zipBlockRight: (f: Fn2, a: FloatArray, b: FloatArray, m: number, y: FloatArray) => void;
  zipBlockLeft: (f: Fn2, a: FloatArray, b: FloatArray, m: number, y: FloatArray) => void;
  zip3: (f: Fn3, a: FloatArray, b: FloatArray, c: FloatArray, y: FloatArray) => void;
  derivative: (f: Fn2, g: FloatArray, x: FloatArray, y: FloatArray, out: FloatArray) => void;
  backward: (f: Fn3, g: FloatArray, x: FloatArray, y: FloatArray, out: FloatArray) => void;
}

type AnyLoop = LoopTypes[LoopKind];

const byFunction = new Map<LoopKind, WeakMap<object, AnyLoop>>();
const bySource = new Map<string, AnyLoop>();
let made = 0;

/** The loop of `kind` compiled for function `fn` (made once per kind and function source). */
export function loopFor<K extends LoopKind>(kind: K, fn: object): LoopTypes[K] {
  let cache = byFunction.get(kind);
  if (cache === undefined) byFunction.set(kind, (cache = new WeakMap()));
  const cached = cache.get(fn);
  if (cached !== undefined) return cached as LoopTypes[K];
  const key = `${kind}:${String(fn)}`;
  let loop = bySource.get(key);
  if (loop === undefined) {
    // The comment makes each source unique: V8 caches compiled code by source text, and a shared
    // compilation would share the type feedback this copy exists to separate.
    // biome-ignore lint/security/noGlobalEval: constant source, see the header comment
    loop = new Function(...PARAMS[kind], `// surrograd ${kind} loop ${++made}\n${BODIES[kind]}`) as AnyLoop;
    bySource.set(key, loop);
  }
  cache.set(fn, loop);
  return loop as LoopTypes[K];
}

/** How many loops have been compiled (for tests: it must stay bounded). */
export function compiledLoopCount(): number {
  return made;
}
