// The tape: a Wengert list of plain records. Each differentiable call appends one record
// {op, rule, backward, inputs, output id, saved values}; `backward()` collects the records that
// lead to its root and runs them in reverse order of recording, summing gradients per tensor id.
//
// Records are kept in a Map keyed by the output's id (a Map iterates in insertion order, so it
// is still the list in recording order). A record is freed when a backward pass has used it, or,
// for a graph that is never differentiated (say, an evaluation pass outside `noGrad`), when its
// output tensor is garbage-collected, so memory does not grow from step to step either way.
import * as nd from '../nd';
import { GraphError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { anomalyEnabled, anomalyOnBackward } from './anomaly'; // ANOMALY MODE (issue 12)

/** Gradients for an op's inputs, in input order; null where an input gets none. */
export type Grads = readonly (nd.Nd | null)[];

/**
 * One backward signature for every op and rule: the upstream gradient `g` (shaped like the
 * output), the values the forward saved, and which inputs need a gradient.
 */
export type BackwardFn<S> = (g: nd.Nd, saved: S, needs: readonly boolean[]) => Grads;

export interface TapeRecord {
  /** Position in recording order; backward runs records from the highest seq down. */
  readonly seq: number;
  readonly op: string;
  readonly rule: string;
  readonly backward: BackwardFn<unknown>;
  readonly inputs: readonly Tensor[];
  /** Each input's `version` when recorded: a later in-place change makes the record stale. */
  readonly inputVersions: readonly number[];
  readonly outputId: number;
  readonly outputShape: readonly number[];
  readonly saved: unknown;
}

/** What `listTape()` reports of a record: plain data, safe to print. */
export interface TapeEntry {
  seq: number;
  op: string;
  rule: string;
  inputIds: number[];
  outputId: number;
  outputShape: number[];
}

const records = new Map<number, TapeRecord>();
let seqCounter = 0;
let gradEnabled = true;
let lastRulesUsed: Map<string, Set<string>> = new Map();

const collector = new FinalizationRegistry<number>((outputId) => {
  records.delete(outputId);
});

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run `fn` without recording anything; its results do not require grad. Nests; restores on throw. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Run `fn` with recording on, even inside `noGrad`. Nests; restores on throw. */
export function enableGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Whether an op with these inputs would be recorded right now. */
export function shouldRecord(inputs: readonly Tensor[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * Append a record for an op whose output is `output` (a tensor already made with
 * requiresGrad = true and isLeaf = false). Ops call this through `ops/record.ts`.
 */
export function appendRecord<S>(
  op: string,
  rule: string,
  backward: BackwardFn<S>,
  inputs: readonly Tensor[],
  output: Tensor,
  saved: S,
): void {
  const record: TapeRecord = {
    seq: seqCounter++,
    op,
    rule,
    backward: backward as BackwardFn<unknown>,
    inputs,
    inputVersions: inputs.map((t) => t.version),
    outputId: output.id,
    outputShape: output.shape,
    saved,
  };
  records.set(output.id, record);
  collector.register(output, output.id);
}

/** The live records in recording order (op and rule of each). */
export function listTape(): TapeEntry[] {
  return [...records.values()].map((r) => ({
    seq: r.seq,
    op: r.op,
    rule: r.rule,
    inputIds: r.inputs.map((t) => t.id),
    outputId: r.outputId,
    outputShape: [...r.outputShape],
  }));
}

/** How many records are alive: a deterministic measure of tape memory. */
export function tapeSize(): number {
  return records.size;
}

/** Drop every record (graphs built so far can no longer be differentiated). */
export function clearTape(): void {
  records.clear();
}

/** For each op, the rules the most recent backward pass used. */
export function lastBackwardRules(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [op, rules] of lastRulesUsed) out[op] = [...rules];
  return out;
}

export interface RunBackwardOptions {
  retainGraph?: boolean;
}

export function backward(root: Tensor, gradient: Tensor | undefined, options: RunBackwardOptions): void {
  if (!root.requiresGrad) {
    throw new GraphError(
      'backward: this tensor does not require grad, so there is nothing to differentiate. ' +
        'Create the inputs with { requiresGrad: true } (and compute outside noGrad).',
    );
  }
  const seed = seedGradient(root, gradient);
  const retainGraph = options.retainGraph ?? false;

  const grads = new Map<number, nd.Nd>();
  const owned = new Set<number>(); // gradient buffers this pass allocated and may add into
  const targets = new Map<number, Tensor>(); // leaves and retainGrad tensors that get .grad
  grads.set(root.id, seed);
  if (root.isLeaf || root.retainsGrad) targets.set(root.id, root);

  const order = root.isLeaf ? [] : reachableRecords(root);
  const rulesUsed = new Map<string, Set<string>>();

  for (const record of order) {
    const g = grads.get(record.outputId);
    if (g === undefined) continue;
    if (!targets.has(record.outputId)) grads.delete(record.outputId); // free intermediates early
    let rules = rulesUsed.get(record.op);
    if (!rules) rulesUsed.set(record.op, (rules = new Set()));
    rules.add(record.rule);

    checkVersions(record);
    const needs = record.inputs.map((t) => t.requiresGrad);
    const inputGrads = record.backward(g, record.saved, needs);
    if (anomalyEnabled) anomalyOnBackward(record, g, inputGrads); // ANOMALY MODE (issue 12): NaN/Inf in a returned gradient
    if (inputGrads.length !== record.inputs.length) {
      throw new GraphError(
        `backward of '${record.op}' (rule '${record.rule}') returned ${inputGrads.length} gradients ` +
          `for ${record.inputs.length} inputs; return one per input, null where there is none`,
      );
    }
    for (let i = 0; i < inputGrads.length; i++) {
      const gi = inputGrads[i];
      const input = record.inputs[i];
      if (gi === null || !needs[i]) continue;
      if (!sameShape(gi.shape, input.shape)) {
        throw new GraphError(
          `backward of '${record.op}' (rule '${record.rule}') returned a gradient of shape ` +
            `${formatShape(gi.shape)} for input ${i} of shape ${formatShape(input.shape)}`,
        );
      }
      accumulate(grads, owned, input.id, gi);
      if (input.isLeaf || input.retainsGrad) targets.set(input.id, input);
    }
  }

  for (const [id, t] of targets) {
    const g = grads.get(id);
    if (g === undefined) continue;
    if (t.grad === null) {
      // never alias a buffer someone else holds (the caller's seed, a saved value)
      const mine = owned.has(id) && nd.isContiguous(g) && nd.dtypeOf(g) === t.dtype;
      t.grad = new Tensor(mine ? g : nd.copy(g, t.dtype));
    } else {
      nd.addInto(t.grad.data, g);
    }
  }

  lastRulesUsed = rulesUsed;
  if (!retainGraph) for (const record of order) records.delete(record.outputId);
}

/** Refuse a record whose inputs were changed in place after it was taken (as PyTorch does). */
function checkVersions(record: TapeRecord): void {
  for (let i = 0; i < record.inputs.length; i++) {
    if (record.inputs[i].version === record.inputVersions[i]) continue;
    throw new GraphError(
      `backward of '${record.op}': input ${i} (shape ${formatShape(record.inputs[i].shape)}) was modified in ` +
        'place after the forward pass used it (an optimizer step, an initialiser or loadStateDict), so the ' +
        'gradient would be computed from the wrong values. Call backward() before step(), or recompute the forward pass.',
    );
  }
}

function seedGradient(root: Tensor, gradient: Tensor | undefined): nd.Nd {
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new GraphError(
        `backward: the output has shape ${formatShape(root.shape)}, not a scalar; pass the gradient ` +
          `of the loss with respect to it, e.g. y.backward(onesLike(y)), or reduce it first (y.sum())`,
      );
    }
    return nd.full(root.shape, 1, root.dtype);
  }
  if (!sameShape(gradient.shape, root.shape)) {
    throw new GraphError(
      `backward: the gradient has shape ${formatShape(gradient.shape)} but the output has shape ` +
        `${formatShape(root.shape)}; they must match`,
    );
  }
  return gradient.data;
}

/** The records that lead to `root`, latest first. */
function reachableRecords(root: Tensor): TapeRecord[] {
  const first = records.get(root.id);
  if (first === undefined) throw freedError();
  const seen = new Set<number>([root.id]);
  const stack = [first];
  const found: TapeRecord[] = [];
  while (stack.length > 0) {
    const record = stack.pop() as TapeRecord;
    found.push(record);
    for (const input of record.inputs) {
      if (!input.requiresGrad || input.isLeaf || seen.has(input.id)) continue;
      seen.add(input.id);
      const producer = records.get(input.id);
      if (producer === undefined) throw freedError();
      stack.push(producer);
    }
  }
  return found.sort((a, b) => b.seq - a.seq);
}

function freedError(): GraphError {
  return new GraphError(
    'backward: the records of this graph are gone: either a backward() already ran through it and freed them ' +
      '(pass { retainGraph: true } to the first backward() to run backward through it again), or clearTape() ' +
      'dropped them. Recompute the forward pass.',
  );
}

function accumulate(grads: Map<number, nd.Nd>, owned: Set<number>, id: number, g: nd.Nd): void {
  const existing = grads.get(id);
  if (existing === undefined) {
    grads.set(id, g);
    return;
  }
  if (owned.has(id)) {
    nd.addInto(existing, g);
  } else {
    const sum = nd.copy(existing);
    nd.addInto(sum, g);
    grads.set(id, sum);
    owned.add(id);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
