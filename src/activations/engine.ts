// Applying an activation: forward in one loop, the rule resolved once per call, and a backward
// that is one fused loop grad_in[i] = g[i] · h(x[i], y[i]) whatever the rule, so an artificial
// rule costs what the exact one costs plus its own arithmetic.
import * as nd from '../nd';
import { ArgumentError } from '../errors';
import { Tensor } from '../tensor';
import { shouldRecord } from '../autograd/tape';
import { defineOp, record, unrecorded, type OpDef } from '../ops/record';
import { type Derivative, type ElementBackward, type ElementKernel, type RuleChoice, kernelOf } from './rule';
import { type ActivationEntry, bindForCall, resolveForCall } from './registry';
import { backwardLoop, derivativeLoop, forwardLoop } from './loops';
import { recordContext, recordLearnable } from './record-rules';

/** What an activation's tape record keeps: input, output and the rule bound at record time. */
interface Saved {
  readonly x: nd.Nd;
  readonly y: nd.Nd;
  readonly h: Derivative | null;
  readonly b: ElementBackward | null;
  /** h's (or b's) float32 fast path (rule.ts `attachKernel`), tried before the loop. */
  readonly kernel?: ElementKernel;
}

/**
 * out = the rule's backward of (g, x, y) on its float32 fast path, if it has one and all four
 * arrays are float32: true when that ran (out written), false when the JS loop must.
 */
function ranKernel(kernel: Saved['kernel'], od: nd.FloatArray, gd: nd.FloatArray, xd: nd.FloatArray, yd: nd.FloatArray): boolean {
  return (
    kernel !== undefined &&
    od instanceof Float32Array && gd instanceof Float32Array && xd instanceof Float32Array && yd instanceof Float32Array &&
    kernel(od, gd, xd, yd)
  );
}

/** grad_in = g · h(x, y), one loop (its own copy per h: see loops.ts). */
function derivativeBackward(g: nd.Nd, saved: Saved): [nd.Nd] {
  const h = saved.h as Derivative;
  const out = nd.pooledEmpty(saved.x.shape, nd.dtypeOf(saved.x)); // every element is written below
  const gd = nd.contiguous(g).data;
  const { x: { data: xd }, y: { data: yd } } = saved;
  if (!ranKernel(saved.kernel, out.data, gd, xd, yd)) derivativeLoop(h)(h, gd, xd, yd, out.data);
  return [out];
}

/** grad_in = b(g, x, y), one loop (rules that need the upstream gradient). */
function elementBackward(g: nd.Nd, saved: Saved): [nd.Nd] {
  const b = saved.b as ElementBackward;
  const out = nd.pooledEmpty(saved.x.shape, nd.dtypeOf(saved.x)); // every element is written below
  const gd = nd.contiguous(g).data;
  const { x: { data: xd }, y: { data: yd } } = saved;
  if (!ranKernel(saved.kernel, out.data, gd, xd, yd)) backwardLoop(b)(b, gd, xd, yd, out.data);
  return [out];
}

const ops = new Map<string, OpDef<Saved>>();

function opFor(name: string): OpDef<Saved> {
  let op = ops.get(name);
  if (op === undefined) {
    op = defineOp<Saved>(name, derivativeBackward);
    ops.set(name, op);
  }
  return op;
}

/** Run activation `entry` on `x` with these options ({ backward, ...params }). */
export function applyActivation(entry: ActivationEntry, x: Tensor, options: object | undefined): Tensor {
  if (!(x instanceof Tensor)) {
    throw new ArgumentError(`${entry.name}: expected a Tensor, got ${x === null ? 'null' : typeof x}`);
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ArgumentError(`${entry.name}: options must be an object such as { backward: 'exact' }, got ${String(options)}`);
  }
  if (options !== undefined) checkOptionKeys(entry, options);
  const kernel = entry.kernelFor(options);
  const input = nd.contiguous(x.data);
  const out = nd.zeros(input.shape, nd.dtypeOf(input));
  if (kernel.forwardLoop !== undefined) kernel.forwardLoop(input.data, out.data);
  else forwardLoop(kernel.forward)(kernel.forward, input.data, out.data);

  // Resolve and bind even when nothing is recorded, so a bad rule (a misspelt name, peakNormalised
  // on an activation without a peak, a blend's λ out of range) fails the same way under noGrad.
  const choice = (options as { backward?: RuleChoice } | undefined)?.backward;
  const resolved = resolveForCall(entry, choice);
  const bound = bindForCall(entry, kernel, resolved.rule);
  const label = bound.label ?? resolved.label;
  // rules with learnable parameters or context: their own record (learnable.ts, context.ts)
  if (bound.derivative !== undefined && bound.learnable !== undefined) return recordLearnable(opFor(entry.name), x, input, out, bound.derivative, bound.learnable, label);
  if (!shouldRecord([x])) return unrecorded(entry.name, label, [x], out);
  if (bound.context !== undefined) return recordContext(opFor(entry.name), entry.name, x, input, out, bound.context, label);

  if (bound.derivative !== undefined) {
    return record(opFor(entry.name), [x], out, { x: input, y: out, h: bound.derivative, b: null, kernel: kernelOf(bound.derivative) }, label, derivativeBackward);
  }
  return record(opFor(entry.name), [x], out, { x: input, y: out, h: null, b: bound.backward, kernel: kernelOf(bound.backward) }, label, elementBackward);
}

function checkOptionKeys(entry: ActivationEntry, options: object): void {
  for (const key in options) {
    if (key === 'backward' || entry.paramKeys.includes(key)) continue;
    if ((options as Record<string, unknown>)[key] === undefined) continue;
    const valid = ['backward', ...entry.paramKeys].join(', ');
    throw new ArgumentError(`${entry.name}: unknown option '${key}'; its options are: ${valid}`);
  }
}
