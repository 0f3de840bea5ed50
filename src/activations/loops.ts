// The elementwise loops of the activations, one copy per function they call.
//
// Why copies: a single loop `out[i] = g[i] * h(x[i], y[i])` shared by every activation and rule
// sees many different h; its call site becomes polymorphic, V8 stops inlining h, and each element
// pays a full call (measured on a [128, 256] batch: ~9 ns/element when the loop only ever sees one
// h, ~20–30 ns when it sees several). Closures cannot be copied in JavaScript, but `new Function`
// compiles a fresh loop with its own type feedback, as ndarray-ops (cwise) does for its kernels.
// The source is a constant of this file (no user text is ever compiled), and a loop is made once
// per distinct function source, so memory stays bounded: closures made from the same literal (the
// rule factories make one per call) share a loop, and V8 still inlines them there.
import type { FloatArray } from '../nd';
import type { Derivative, ElementBackward } from './rule';

/** out[i] = g[i] · h(x[i], y[i]) */
export type DerivativeLoop = (h: Derivative, g: FloatArray, x: FloatArray, y: FloatArray, out: FloatArray) => void;
/** out[i] = b(g[i], x[i], y[i]) */
export type BackwardLoop = (b: ElementBackward, g: FloatArray, x: FloatArray, y: FloatArray, out: FloatArray) => void;
/** y[i] = f(x[i]) */
export type ForwardLoop = (f: (x: number) => number, x: FloatArray, y: FloatArray) => void;

const BODIES = {
  derivative: 'for (let i = 0; i < out.length; i++) out[i] = g[i] * h(x[i], y[i]);',
  backward: 'for (let i = 0; i < out.length; i++) out[i] = h(g[i], x[i], y[i]);',
  forward: 'for (let i = 0; i < y.length; i++) y[i] = h(x[i]);',
} as const;
const PARAMS = {
  derivative: ['h', 'g', 'x', 'y', 'out'],
  backward: ['h', 'g', 'x', 'y', 'out'],
  forward: ['h', 'x', 'y'],
} as const;

type Kind = keyof typeof BODIES;
type Loop = DerivativeLoop | BackwardLoop | ForwardLoop;

const byFunction = { derivative: new WeakMap<object, Loop>(), backward: new WeakMap<object, Loop>(), forward: new WeakMap<object, Loop>() };
const bySource = new Map<string, Loop>();
let made = 0;

function loopFor(kind: Kind, fn: object): Loop {
  const cached = byFunction[kind].get(fn);
  if (cached !== undefined) return cached;
  const key = `${kind}:${String(fn)}`;
  let loop = bySource.get(key);
  if (loop === undefined) {
    // The comment makes each source unique: V8 caches compiled code by source text, and a shared
    // compilation would share the type feedback this copy exists to separate.
    // biome-ignore lint/security/noGlobalEval: constant source, see the header comment
    loop = new Function(...PARAMS[kind], `// surrograd ${kind} loop ${++made}\n${BODIES[kind]}`) as Loop;
    bySource.set(key, loop);
  }
  byFunction[kind].set(fn, loop);
  return loop;
}

/** The loop that applies local derivative `h`. */
export function derivativeLoop(h: Derivative): DerivativeLoop {
  return loopFor('derivative', h) as DerivativeLoop;
}

/** The loop that applies elementwise backward `b`. */
export function backwardLoop(b: ElementBackward): BackwardLoop {
  return loopFor('backward', b) as BackwardLoop;
}

/** The loop that applies forward `f`. */
export function forwardLoop(f: (x: number) => number): ForwardLoop {
  return loopFor('forward', f) as ForwardLoop;
}

/** How many loops have been compiled (for tests: it must stay bounded). */
export function compiledLoopCount(): number {
  return made;
}
