// How the engine records an activation whose rule is not a plain elementwise function: a context
// rule (whole-tensor backward, context.ts) or a rule with learnable parameters (learnable.ts).
// Kept apart from those files because it needs the tape and tensors, which the rule factories
// (loaded while tensor.ts loads) must not import.
import * as nd from '../nd';
import { RuleError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { shouldRecord } from '../autograd/tape';
import { record, unrecorded, type OpDef } from '../ops/record';
import type { ContextBackward, Derivative, LearnableBinding, RuleContext } from './rule';
import { currentRuleContext } from './context';

// ---------------------------------------------------------------------------------------------
// Recording a context rule
// ---------------------------------------------------------------------------------------------

interface ContextSaved {
  readonly x: nd.Nd;
  readonly y: nd.Nd;
  readonly fn: ContextBackward;
  readonly context: RuleContext;
  readonly activation: string;
  readonly label: string;
}

function contextBackward(g: nd.Nd, saved: ContextSaved): [nd.Nd] {
  const { x, y, fn, context, activation, label } = saved;
  const gd = nd.contiguous(g).data;
  const result = fn(gd, x.data, y.data, x.shape, context);
  const where = `${activation}: the context rule ${label}`;
  if (result === null || typeof result !== 'object' || typeof (result as { length?: unknown }).length !== 'number') {
    throw new RuleError(`${where} returned ${result === null ? 'null' : typeof result}; it must return an array of ${x.size} numbers (one per element of x)`);
  }
  if (result.length !== x.size) {
    throw new ShapeError(
      `${where} returned ${result.length} values for an input of shape ${formatShape(x.shape)} (${x.size} elements); ` +
        'return one gradient value per element of x, in the same (row-major) order',
    );
  }
  const out = nd.zeros(x.shape, nd.dtypeOf(x));
  const od = out.data;
  for (let i = 0; i < od.length; i++) {
    const v = result[i];
    if (typeof v !== 'number' || (Number.isNaN(v) && !Number.isNaN(gd[i]) && !Number.isNaN(x.data[i]))) {
      throw new RuleError(
        `${where} returned ${String(v)} at element ${i} (x = ${x.data[i]}, g = ${gd[i]}), where its inputs are numbers; ` +
          'a rule must return a finite gradient for finite inputs',
      );
    }
    od[i] = v;
  }
  return [out];
}

/** Record an activation whose bound rule is a context backward (engine.ts calls this). */
export function recordContext<S>(
  op: OpDef<S>,
  activation: string,
  x: Tensor,
  input: nd.Nd,
  out: nd.Nd,
  fn: ContextBackward,
  label: string,
): Tensor {
  const saved: ContextSaved = { x: input, y: out, fn, context: currentRuleContext(), activation, label };
  return record(op as unknown as OpDef<ContextSaved>, [x], out, saved, label, contextBackward);
}


// ---------------------------------------------------------------------------------------------
// Recording an activation whose rule has learnable parameters
// ---------------------------------------------------------------------------------------------

interface LearnableSaved {
  readonly x: nd.Nd;
  readonly y: nd.Nd;
  readonly h: Derivative;
  readonly binding: LearnableBinding;
}

function learnableBackward(g: nd.Nd, saved: LearnableSaved, needs: readonly boolean[]): (nd.Nd | null)[] {
  const gd = nd.contiguous(g).data;
  const xd = saved.x.data;
  const yd = saved.y.data;
  const grads: (nd.Nd | null)[] = [];
  if (needs[0]) {
    const out = nd.zeros(saved.x.shape, nd.dtypeOf(saved.x));
    const od = out.data;
    const h = saved.h;
    for (let i = 0; i < od.length; i++) od[i] = gd[i] * h(xd[i], yd[i]);
    grads.push(out);
  } else {
    grads.push(null);
  }
  saved.binding.tensors.forEach((tensor, k) => {
    if (!needs[k + 1]) {
      grads.push(null);
      return;
    }
    const dS = saved.binding.dS[k];
    let sum = 0;
    for (let i = 0; i < gd.length; i++) sum += gd[i] * dS(xd[i], yd[i]);
    const grad = nd.zeros(tensor.shape, tensor.dtype);
    grad.data[0] = sum;
    grads.push(grad);
  });
  return grads;
}

/** Record an activation whose bound rule has learnable parameters (engine.ts calls this). */
export function recordLearnable<S>(
  op: OpDef<S>,
  x: Tensor,
  input: nd.Nd,
  out: nd.Nd,
  h: Derivative,
  binding: LearnableBinding,
  label: string,
): Tensor {
  const inputs = [x, ...binding.tensors];
  if (!shouldRecord(inputs)) return unrecorded(op.name, label, inputs, out);
  const saved: LearnableSaved = { x: input, y: out, h, binding };
  return record(op as unknown as OpDef<LearnableSaved>, inputs, out, saved, label, learnableBackward);
}
