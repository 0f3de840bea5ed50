// Rules with context: a whole-tensor backward that sees the upstream gradient, x and y as arrays
// (the first axis is the batch) and `{ step, training }`, and returns the gradient for x. It is
// resolved, bound and recorded like any other rule (the context is read when the op is recorded,
// so a later step or mode change never changes a graph already built); its result is checked
// (length, finiteness) before it reaches the tape, with an error naming the rule and activation.
//
// Where the context comes from: `training` is the calling layer's flag (`nn.ReLU` passes its own;
// a bare function call sees true), `step` is the count of a `RuleSchedule` attached to the model
// (schedule.ts), and `withRuleContext({ step, training }, fn)` sets either for direct calls.
import { RuleError } from '../errors';
import type { AdaptiveRule, BoundRule, ContextRule, RuleChoice, RuleContext, RuleTarget } from './rule';

// ---------------------------------------------------------------------------------------------
// The context in force
// ---------------------------------------------------------------------------------------------

let current: RuleContext = { step: 0, training: true };

/** The context a rule recorded now would see. */
export function currentRuleContext(): RuleContext {
  return current;
}

/**
 * Run `fn` with this rule context (missing fields keep their current value); restores it when
 * `fn` returns or throws. `fn` must be synchronous.
 */
export function withRuleContext<T>(context: Partial<RuleContext>, fn: () => T): T {
  if (context === null || typeof context !== 'object') {
    throw new RuleError(`withRuleContext: expected { step?, training? }, got ${String(context)}`);
  }
  for (const key of Object.keys(context)) {
    if (key !== 'step' && key !== 'training') throw new RuleError(`withRuleContext: unknown key '${key}'; the keys are step, training`);
  }
  const { step, training } = context;
  if (step !== undefined && !(Number.isInteger(step) && step >= 0)) {
    throw new RuleError(`withRuleContext: step must be an integer ≥ 0, got ${String(step)}`);
  }
  if (training !== undefined && typeof training !== 'boolean') {
    throw new RuleError(`withRuleContext: training must be true or false, got ${String(training)}`);
  }
  const previous = current;
  current = { step: step ?? previous.step, training: training ?? previous.training };
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** What a layer holding a rule (activation, spiking, binary, quantized) runs its call in: its training flag, and its step when a RuleSchedule is attached. */
export function withLayerContext<T>(training: boolean, step: number | undefined, fn: () => T): T {
  const previous = current;
  if (previous.training === training && (step === undefined || step === previous.step)) return fn();
  current = { step: step ?? previous.step, training };
  try {
    return fn();
  } finally {
    current = previous;
  }
}

const stepSources = new WeakMap<object, () => number>();

/** Make `owner` (a layer holding a rule) read its step from `source` (a RuleSchedule's count). */
export function attachStepSource(owner: object, source: () => number): void {
  stepSources.set(owner, source);
}

/** The step `owner` reads, if a source is attached. */
export function stepOf(owner: object): number | undefined {
  return stepSources.get(owner)?.();
}

// ---------------------------------------------------------------------------------------------
// Built-in rules with context
// ---------------------------------------------------------------------------------------------

/** Rows of a tensor of `shape`: the first axis is the batch (a 0-d or 1-d tensor is one row). */
function rowsOf(shape: readonly number[], size: number): [number, number] {
  const rows = shape.length >= 2 ? shape[0] : 1;
  return [rows, rows === 0 ? 0 : size / rows];
}

/**
 * Batch-normalised surrogate: grad_in = g · h(x, y) / mean|h|, the mean over every element of
 * the batch, so the rule's local derivative has mean magnitude 1 whatever its shape or width
 * (ReLU's exact h: 1 on the active fraction p, so each active unit passes g / p). `base` is the
 * elementwise rule whose h is normalised (default the exact derivative). All-zero h gives zero.
 */
export function batchNormalised(options: { base?: RuleChoice } = {}): AdaptiveRule {
  if (options === null || typeof options !== 'object') throw new RuleError('rules.batchNormalised: options must be an object such as { base: "sigmoid" }');
  const base = options.base ?? 'exact';
  const baseName = typeof base === 'string' ? base : 'name' in base && typeof base.name === 'string' ? base.name : 'inline';
  return Object.freeze({
    name: 'batchNormalised',
    exact: false,
    description:
      `h(x)/mean_batch|h|, h = ${baseName}: the base rule's local derivative rescaled so that its mean magnitude over the ` +
      'batch (all elements of the call) is 1; grad_in = g·h/mean|h|, 0 where every h is 0. A context rule (needs the batch).',
    params: Object.freeze({}),
    bind: (t: RuleTarget): BoundRule => {
      const bound = t.bind(base);
      if (bound.derivative === undefined) {
        throw new RuleError(`rules.batchNormalised on ${t.activation}: the base rule must be a local derivative h(x, y), not a backward or context rule`);
      }
      const h = bound.derivative;
      return {
        label: `batchNormalised(${baseName})`,
        context: (g, x, y) => {
          const out = new Float64Array(x.length);
          let total = 0;
          for (let i = 0; i < x.length; i++) {
            const v = h(x[i], y[i]);
            out[i] = v;
            total += Math.abs(v);
          }
          const scale = total === 0 ? 0 : x.length / total;
          for (let i = 0; i < x.length; i++) out[i] = g[i] * out[i] * scale;
          return out;
        },
      };
    },
  });
}

/**
 * Redirected gradient for units in a flat region (Lucid, `lucid/misc/redirected_relu_grad.py`,
 * Olah, Mordvintsev & Schubert, "Feature Visualization", Distill 2017): per batch row, if the
 * exact gradient g·f'(x) is zero everywhere in the row, pass g instead wherever it pushes x back
 * toward where f' > 0 (x below it and g < 0, or above it and g > 0, gradient descent moving x
 * by −g); rows where some gradient gets through keep the exact gradient. Only for the first
 * `steps` steps (Lucid: 16), then the exact gradient.
 */
export function redirected(options: { steps?: number } = {}): AdaptiveRule {
  if (options === null || typeof options !== 'object') throw new RuleError('rules.redirected: options must be an object such as { steps: 16 }');
  const steps = options.steps ?? 16;
  if (typeof steps !== 'number' || !(Number.isInteger(steps) && steps >= 0)) {
    throw new RuleError(`rules.redirected: steps must be an integer ≥ 0, got ${String(steps)}`);
  }
  return Object.freeze({
    name: 'redirected',
    exact: false,
    description:
      `redirected gradient, steps = ${steps}: per batch row, when g·f'(x) is zero in the whole row, pass g where it moves x ` +
      "back toward f' > 0 (x in the flat region below and g < 0, or above and g > 0); the exact gradient in other rows and " +
      'after step `steps`. Lucid redirected_relu_grad (Olah et al., Feature Visualization, Distill 2017; Lucid uses 16 steps). ' +
      'A context rule (reads the batch rows and the step).',
    params: Object.freeze({ steps }),
    bind: (t: RuleTarget): BoundRule => {
      const d = t.derivative;
      return {
        context: (g, x, y, shape, ctx) => {
          const out = new Float64Array(x.length);
          for (let i = 0; i < x.length; i++) out[i] = g[i] * d(x[i], y[i]);
          if (ctx.step >= steps) return out;
          const [rows, width] = rowsOf(shape, x.length);
          for (let r = 0; r < rows; r++) {
            let blocked = true;
            for (let i = r * width; i < (r + 1) * width; i++) if (out[i] !== 0) blocked = false;
            if (!blocked) continue;
            for (let i = r * width; i < (r + 1) * width; i++) {
              if (d(x[i], y[i]) !== 0) {
                out[i] = g[i];
                continue;
              }
              // at the boundary x = 0 either direction is toward the active side (Lucid passes g there too)
              const towardActive = x[i] === 0 || (x[i] < 0 && g[i] < 0) || (x[i] > 0 && g[i] > 0);
              out[i] = towardActive ? g[i] : 0;
            }
          }
          return out;
        },
      };
    },
  });
}

/** Whether a rule (or choice) is a context rule given directly (not adaptive). */
export function isContextRule(rule: object): rule is ContextRule {
  return typeof (rule as { context?: unknown }).context === 'function';
}
