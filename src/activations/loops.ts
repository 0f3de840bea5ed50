// The activations' elementwise loops come from the one elementwise engine in src/nd/loops.ts
// (the same compiled-copy-per-function loops that nd.map / nd.zip use for arithmetic ops).
import * as nd from '../nd';
import type { FloatArray } from '../nd';
import type { Derivative, ElementBackward } from './rule';

/** out[i] = g[i] · h(x[i], y[i]) */
export type DerivativeLoop = (h: Derivative, g: FloatArray, x: FloatArray, y: FloatArray, out: FloatArray) => void;
/** out[i] = b(g[i], x[i], y[i]) */
export type BackwardLoop = (b: ElementBackward, g: FloatArray, x: FloatArray, y: FloatArray, out: FloatArray) => void;
/** y[i] = f(x[i]) */
export type ForwardLoop = (f: (x: number) => number, x: FloatArray, y: FloatArray) => void;

/** The loop that applies local derivative `h`. */
export function derivativeLoop(h: Derivative): DerivativeLoop {
  return nd.loopFor('derivative', h);
}

/** The loop that applies elementwise backward `b`. */
export function backwardLoop(b: ElementBackward): BackwardLoop {
  return nd.loopFor('backward', b);
}

/** The loop that applies forward `f`. */
export function forwardLoop(f: (x: number) => number): ForwardLoop {
  return nd.loopFor('map', f);
}

/** How many loops have been compiled (for tests: it must stay bounded). */
export const compiledLoopCount = nd.compiledLoopCount;
