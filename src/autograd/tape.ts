// The tape: plain records, one per differentiable call, {op, rule, backward, inputs, saved
// values}. The graph hangs off its tensors, as PyTorch's grad_fn: an op's output holds its record
// (`Tensor.gradFn`) and a record holds its inputs, so the graph is exactly what live tensors
// reach. When nothing refers to an output any more the garbage collector frees its records and
// saved values with it — synchronously, in any loop — with no global map and no finalizers.
//
// `backward()` collects the records reachable from its root (an explicit stack, no recursion),
// runs them in reverse recording order (each record has a sequence number) and sums gradients
// per tensor. Without `retainGraph` it then releases each record it ran: the saved values and the
// links to the inputs are dropped (memory goes as soon as backward returns, even while the caller
// still holds the loss), and a second backward through it is refused with a GraphError.
import * as nd from '../nd';
import { ArgumentError, GraphError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { validator } from '../validate';
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
  /** The op's inputs; emptied when the record is released. */
  inputs: readonly Tensor[];
  /** Each input's `version` when recorded: a later in-place change makes the record stale. */
  readonly inputVersions: readonly number[];
  readonly outputId: number;
  readonly outputShape: readonly number[];
  /** What the forward saved for backward; undefined once released. */
  saved: unknown;
  /** True once a backward pass without retainGraph (or `releaseGraph`) has used and freed it. */
  released: boolean;
}

/** What `listTape()` reports of a record: plain data, safe to print. */
export interface TapeEntry {
  /** Position in recording order. */
  seq: number;
  /** The op's name. */
  op: string;
  /** The backward rule recorded for the op. */
  rule: string;
  /** The ids of the input tensors. */
  inputIds: number[];
  /** The id of the output tensor. */
  outputId: number;
  /** The shape of the output. */
  outputShape: number[];
}

let seqCounter = 0;
let gradEnabled = true;
let lastRulesUsed: Map<string, Set<string>> = new Map();

/** Whether ops are being recorded for backward now (false inside `noGrad`), as `torch.is_grad_enabled`. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run `fn` without recording anything; its results do not require grad. Nests; restores on throw. */
export function noGrad<T>(fn: () => T): T {
  validator('noGrad').func('fn', fn);
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
  validator('enableGrad').func('fn', fn);
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
 * Attach a record to `output` (a tensor already made with requiresGrad = true and isLeaf = false)
 * for an op whose inputs are `inputs`. Ops call this through `ops/record.ts`.
 */
export function appendRecord<S>(
  op: string,
  rule: string,
  backward: BackwardFn<S>,
  inputs: readonly Tensor[],
  output: Tensor,
  saved: S,
): void {
  const inputVersions = new Array<number>(inputs.length);
  for (let i = 0; i < inputs.length; i++) inputVersions[i] = inputs[i].version;
  output.gradFn = {
    seq: seqCounter++,
    op,
    rule,
    backward: backward as BackwardFn<unknown>,
    inputs,
    inputVersions,
    outputId: output.id,
    outputShape: output.shape,
    saved,
    released: false,
  };
}

/**
 * The records reachable from `root` (the graph that `root.backward()` would run), in recording
 * order, as plain data. Empty for a leaf or a tensor made under noGrad. Records already released
 * by a backward pass are not listed (their links to their inputs are gone).
 */
export function listTape(root: Tensor): TapeEntry[] {
  checkRoot('listTape', root);
  return liveRecords(root)
    .sort((a, b) => a.seq - b.seq)
    .map((r) => ({
      seq: r.seq,
      op: r.op,
      rule: r.rule,
      inputIds: r.inputs.map((t) => t.id),
      outputId: r.outputId,
      outputShape: [...r.outputShape],
    }));
}

/**
 * How many unreleased records are reachable from `root`: the size of the graph that tensor keeps
 * alive. There is no global count — records belong to their output tensors and are freed with them.
 */
export function tapeSize(root: Tensor): number {
  checkRoot('tapeSize', root);
  return liveRecords(root).length;
}

/**
 * Release the graph reachable from `root` now (drop saved values and links to inputs), as a
 * backward pass without retainGraph does; backward through it afterwards is a GraphError.
 * Dropping every reference to `root` has the same effect on memory.
 */
export function clearTape(root: Tensor): void {
  checkRoot('clearTape', root);
  for (const record of liveRecords(root)) release(record);
}

/** For each op, the rules the most recent backward pass used (a summary, not graph data). */
export function lastBackwardRules(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [op, rules] of lastRulesUsed) out[op] = [...rules];
  return out;
}

function checkRoot(fn: string, root: Tensor): void {
  if (!(root instanceof Tensor)) {
    throw new ArgumentError(
      `${fn}: expected the tensor whose graph to inspect (e.g. ${fn}(loss)), got ${root === null ? 'null' : typeof root}; ` +
        'records belong to their output tensors, so there is no global tape',
    );
  }
}

/** Unreleased records reachable from `root`, in no particular order (no recursion). */
function liveRecords(root: Tensor): TapeRecord[] {
  const found: TapeRecord[] = [];
  const first = root.gradFn;
  if (first === null || first.released) return found;
  const seen = new Set<TapeRecord>([first]);
  const stack = [first];
  while (stack.length > 0) {
    const record = stack.pop() as TapeRecord;
    found.push(record);
    for (const input of record.inputs) {
      const producer = input.gradFn;
      if (producer === null || producer.released || seen.has(producer)) continue;
      seen.add(producer);
      stack.push(producer);
    }
  }
  return found;
}

function release(record: TapeRecord): void {
  record.released = true;
  record.saved = undefined;
  record.inputs = [];
}

export interface RunBackwardOptions {
  retainGraph?: boolean;
  /**
   * Internal (PyTorch's `backward(inputs=...)`): accumulate `.grad` into these tensors only. Every
   * other leaf and retainGrad tensor is left as found, and no gradient is computed for a leaf not
   * listed. Used by grad/valueAndGrad, gradcheck and gradientAgreement; not a public option.
   */
  inputs?: readonly Tensor[];
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
  const only = options.inputs === undefined ? null : new Set(options.inputs);
  /** Whether backward writes `t.grad`: leaves and retainGrad tensors, or only the listed inputs. */
  const isTarget = (t: Tensor): boolean => (only === null ? t.isLeaf || t.retainsGrad : only.has(t));

  // Gradients per tensor id. Buffers from the pool are reference-counted while this pass holds
  // them (in `grads`, or as the list a backward just returned): a buffer goes back to the pool
  // when its count reaches zero, and is adopted as `.grad` only when this pass is its sole holder.
  const grads = new Map<number, nd.Nd>();
  const refs = new Map<nd.FloatArray, number>();
  const hold = (g: nd.Nd): void => {
    if (nd.isPooled(g.data)) refs.set(g.data, (refs.get(g.data) ?? 0) + 1);
  };
  const drop = (g: nd.Nd): void => {
    const count = refs.get(g.data);
    if (count === undefined) return;
    if (count > 1) {
      refs.set(g.data, count - 1);
    } else {
      refs.delete(g.data);
      nd.release(g.data);
    }
  };
  /** Store `g` as (part of) tensor `id`'s gradient, summing in place when this pass owns the sum. */
  const accumulate = (id: number, g: nd.Nd): void => {
    const existing = grads.get(id);
    if (existing === undefined) {
      grads.set(id, g);
      hold(g);
      return;
    }
    if (refs.get(existing.data) === 1 && nd.isContiguous(existing)) {
      nd.addInto(existing, g);
      return;
    }
    const sum = nd.pooledEmpty(existing.shape, nd.dtypeOf(existing));
    nd.assignInto(sum, existing);
    nd.addInto(sum, g);
    drop(existing);
    grads.set(id, sum);
    hold(sum);
  };

  const targets = new Map<number, Tensor>(); // leaves and retainGrad tensors that get .grad
  grads.set(root.id, seed);
  hold(seed);
  if (isTarget(root)) targets.set(root.id, root);

  const order = root.isLeaf ? [] : reachableRecords(root);
  const rulesUsed = new Map<string, Set<string>>();

  for (const record of order) {
    const g = grads.get(record.outputId);
    if (g === undefined) continue;
    const kept = targets.has(record.outputId);
    if (!kept) grads.delete(record.outputId); // free intermediates early
    let rules = rulesUsed.get(record.op);
    if (!rules) rulesUsed.set(record.op, (rules = new Set()));
    rules.add(record.rule);

    checkVersions(record);
    const inputs = record.inputs;
    const needs = new Array<boolean>(inputs.length);
    // a leaf that is not a target gets no gradient: skip computing it (an intermediate still needs one)
    for (let i = 0; i < inputs.length; i++) needs[i] = inputs[i].requiresGrad && (only === null || !inputs[i].isLeaf || only.has(inputs[i]));
    const inputGrads = record.backward(g, record.saved, needs);
    if (anomalyEnabled) anomalyOnBackward(record, g, inputGrads, needs); // ANOMALY MODE (issue 12): NaN/Inf in a returned gradient
    if (inputGrads.length !== inputs.length) {
      throw new GraphError(
        `backward of '${record.op}' (rule '${record.rule}') returned ${inputGrads.length} gradients ` +
          `for ${inputs.length} inputs; return one per input, null where there is none`,
      );
    }
    for (let i = 0; i < inputGrads.length; i++) {
      const gi = inputGrads[i];
      if (gi === null || !needs[i]) continue;
      if (!sameShape(gi.shape, inputs[i].shape)) {
        throw new GraphError(
          `backward of '${record.op}' (rule '${record.rule}') returned a gradient of shape ` +
            `${formatShape(gi.shape)} for input ${i} of shape ${formatShape(inputs[i].shape)}`,
        );
      }
    }
    // the returned list holds its buffers until every one is stored (two inputs may share one)
    for (const gi of inputGrads) if (gi !== null) hold(gi);
    for (let i = 0; i < inputGrads.length; i++) {
      const gi = inputGrads[i];
      const input = inputs[i];
      if (gi === null || !needs[i]) continue;
      accumulate(input.id, gi);
      if (isTarget(input)) targets.set(input.id, input);
    }
    for (const gi of inputGrads) if (gi !== null) drop(gi);
    if (!kept) drop(g);
  }

  for (const [id, t] of targets) {
    const g = grads.get(id);
    if (g === undefined) continue;
    if (t.grad === null) {
      // adopt a buffer only this pass holds; never alias the caller's seed, a saved value or a view
      const sole = refs.get(g.data) === 1 && nd.isContiguous(g) && nd.dtypeOf(g) === t.dtype;
      if (sole) {
        refs.delete(g.data);
        nd.adopt(g.data);
        t.grad = new Tensor(g);
      } else {
        t.grad = new Tensor(nd.copy(g, t.dtype));
        drop(g);
      }
    } else {
      nd.addInto(t.grad.data, g);
      drop(g);
    }
  }

  // a root that is a leaf but not a target (backward with `inputs` not listing it) still holds its seed
  for (const [id, g] of grads) if (!targets.has(id)) drop(g);

  lastRulesUsed = rulesUsed;
  if (!retainGraph) for (const record of order) release(record);
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
    const ones = nd.pooledEmpty(root.shape, root.dtype);
    ones.data.fill(1);
    return ones;
  }
  if (!sameShape(gradient.shape, root.shape)) {
    throw new GraphError(
      `backward: the gradient has shape ${formatShape(gradient.shape)} but the output has shape ` +
        `${formatShape(root.shape)}; they must match`,
    );
  }
  return gradient.data;
}

/** The records that lead to `root`, latest first; a released one means the graph was freed. */
function reachableRecords(root: Tensor): TapeRecord[] {
  const first = root.gradFn;
  if (first === null || first.released) throw freedError();
  const seen = new Set<TapeRecord>([first]);
  const stack = [first];
  const found: TapeRecord[] = [];
  while (stack.length > 0) {
    const record = stack.pop() as TapeRecord;
    found.push(record);
    for (const input of record.inputs) {
      if (!input.requiresGrad || input.isLeaf) continue;
      const producer = input.gradFn;
      if (producer === null || producer.released) throw freedError();
      if (seen.has(producer)) continue;
      seen.add(producer);
      stack.push(producer);
    }
  }
  return found.sort((a, b) => b.seq - a.seq);
}

function freedError(): GraphError {
  return new GraphError(
    'backward: the graph behind this tensor was freed — by an earlier backward() through it (which frees ' +
      'what it used unless told otherwise) or by clearTape(). Pass { retainGraph: true } to the earlier ' +
      'backward() to run backward through the same graph again, or recompute the forward pass.',
  );
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
