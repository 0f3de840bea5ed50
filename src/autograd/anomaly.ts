// Anomaly mode, as PyTorch's detect_anomaly: while it is on, the first NaN or ±Infinity that an
// op produces — in a forward pass or in a backward pass — throws an AnomalyError naming the op,
// the backward rule in force, the record's position, and where the op was called (a stack
// captured when the op ran, only while the mode is on).
//
// Off (the default), it costs one boolean test per op recorded and per record run backward:
// the call sites (`ops/record.ts` record() and unrecorded(), the path of the activations that
// skip record() when nothing is recorded, and the backward loop in `autograd/tape.ts`) test
// `anomalyEnabled` before calling in here.
import * as nd from '../nd';
import { SurrogradError, formatShape } from '../errors';
import { validator } from '../validate';
import type { Tensor } from '../tensor';

/** A NaN or an infinity found by anomaly mode: where it came from and how the op was called. */
export class AnomalyError extends SurrogradError {
  /** Creates the error with its message and the anomaly found. */
  constructor(
    message: string,
    /** What was found, as data. */
    readonly anomaly: AnomalyReport,
  ) {
    super(message);
  }
}

/** What anomaly mode reports. */
export interface AnomalyReport {
  /** 'forward': an op's output; 'backward': the gradient a record's backward returned for one input. */
  phase: 'forward' | 'backward';
  /** The op's name ('div', 'log', 'relu', ...). */
  op: string;
  /** The backward rule in force for the op ('exact', 'sigmoidShaped(k=1)', ...). */
  rule: string;
  /**
   * The record's position: in a forward, the op's index among the ops run since anomaly mode was
   * turned on (0 first); in a backward, the record's sequence number on the tape.
   */
  position: number;
  /** For 'backward': which input's gradient (0-based). */
  input: number | null;
  /** The first bad element: its flat index (C order) and value. */
  index: number;
  /** The value of that first bad element (NaN or ±Infinity). */
  value: number;
  /** How many elements are NaN or infinite. */
  count: number;
  /** Shape of the tensor that holds it. */
  shape: number[];
  /** For 'backward': whether the upstream gradient the record received was finite everywhere. */
  upstreamFinite: boolean | null;
  /** For 'forward': which inputs already held a NaN or an infinity (empty: the op produced it). */
  nonFiniteInputs: number[];
  /** The stack where the op was called (captured when it ran; '' when it ran with the mode off). */
  stack: string;
}

/** Options of anomaly mode (`setDetectAnomaly(true, options)`, `detectAnomaly(fn, options)`). */
export interface AnomalyOptions {
  /** Check op outputs in the forward pass too (default true); false checks gradients only. */
  forward?: boolean;
}

/** Read by the two call sites before anything else: the whole cost when the mode is off. */
export let anomalyEnabled = false;
let checkForward = true;
let opCounter = 0;

/** Creation stacks of the ops run in anomaly mode, keyed by the inputs list the op's record keeps. */
const stacks = new WeakMap<object, { stack: string; position: number }>();

/** Whether anomaly mode is on. */
export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/** Turn anomaly mode on or off; returns whether it was on. Prefer `detectAnomaly(fn)`, which restores it. */
export function setDetectAnomaly(enabled: boolean, options: AnomalyOptions = {}): boolean {
  const v = validator('setDetectAnomaly');
  v.boolean('enabled', enabled);
  const o = v.options(options, ['forward'], { example: '{ forward: false }' });
  const forward = v.boolean('forward', o.forward ?? true);
  const previous = anomalyEnabled;
  if (enabled && !previous) opCounter = 0;
  anomalyEnabled = enabled;
  checkForward = forward;
  return previous;
}

/**
 * Run `fn` with anomaly mode on (PyTorch's `with detect_anomaly()`), restoring the previous mode
 * on exit, also on throw. Returns what `fn` returns.
 *
 *   detectAnomaly(() => { const loss = model.forward(x).mseLoss(y); loss.backward(); });
 */
export function detectAnomaly<T>(fn: () => T, options: AnomalyOptions = {}): T {
  validator('detectAnomaly').func('fn', fn);
  const previousEnabled = anomalyEnabled;
  const previousForward = checkForward;
  setDetectAnomaly(true, options);
  try {
    return fn();
  } finally {
    anomalyEnabled = previousEnabled;
    checkForward = previousForward;
  }
}

/** The first non-finite element of `a` (C order) and how many there are; null if all are finite. */
function firstNonFinite(a: nd.Nd): { index: number; value: number; count: number } | null {
  const flat = nd.isContiguous(a) ? a.data.subarray(a.offset, a.offset + a.size) : nd.contiguous(a).data;
  let first = -1;
  let count = 0;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (v - v !== 0) {
      // NaN - NaN and ±Infinity - ±Infinity are NaN; a finite v gives 0
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0 ? null : { index: first, value: flat[first], count };
}

function captureStack(): string {
  // deep enough to get past the library's own frames (op function, Tensor method, record) to the caller
  const errorClass = Error as { stackTraceLimit?: number };
  const limit = errorClass.stackTraceLimit;
  errorClass.stackTraceLimit = 20;
  const stack = new Error().stack ?? '';
  errorClass.stackTraceLimit = limit;
  // drop the "Error" line and the frames inside anomaly mode and record() itself
  return stack
    .split('\n')
    .slice(1)
    .filter((line) => !/src[\\/]autograd[\\/]anomaly\.[jt]s|src[\\/]ops[\\/]record\.[jt]s/.test(line))
    .join('\n');
}

function valueText(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

/**
 * Called by record() and unrecorded() (ops/record.ts) for every op while anomaly mode is on: remembers where the op
 * was called, and in a forward check throws if its output holds a NaN or an infinity.
 */
export function anomalyOnRecord(op: string, rule: string, inputs: readonly Tensor[], out: nd.Nd): void {
  const position = opCounter++;
  const stack = captureStack();
  const entry = { stack, position };
  stacks.set(inputs, entry);
  if (!checkForward) return;
  const bad = firstNonFinite(out);
  if (bad === null) return;
  const nonFiniteInputs = inputs.flatMap((t, i) => (firstNonFinite(t.data) === null ? [] : [i]));
  const report: AnomalyReport = {
    phase: 'forward',
    op,
    rule,
    position,
    input: null,
    index: bad.index,
    value: bad.value,
    count: bad.count,
    shape: [...out.shape],
    upstreamFinite: null,
    nonFiniteInputs,
    stack,
  };
  const origin =
    nonFiniteInputs.length === 0
      ? `from finite inputs: '${op}' produced it`
      : `input${nonFiniteInputs.length > 1 ? 's' : ''} ${nonFiniteInputs.join(', ')} already held NaN or infinite values ` +
        '(a tensor made outside any op: check the data or the parameters)';
  throw new AnomalyError(
    `anomaly mode: the forward of '${op}' (rule '${rule}', op #${position} in anomaly mode) gave ${valueText(bad.value)} ` +
      `at flat index ${bad.index} of its output of shape ${formatShape(out.shape)} (${bad.count} non-finite element${bad.count > 1 ? 's' : ''}), ${origin}.\n` +
      `The op was called at:\n${stack}`,
    report,
  );
}

/** What the backward loop knows of a record (a subset of the tape's record). */
export interface AnomalyRecord {
  readonly op: string;
  readonly rule: string;
  readonly seq: number;
  readonly inputs: readonly Tensor[];
}

/**
 * Called by the backward loop (autograd/tape.ts) after each record's backward while anomaly mode is
 * on: throws if a gradient it returned for an input that needs one (`needs`, as the backward was
 * given) holds a NaN or an infinity.
 */
export function anomalyOnBackward(
  record: AnomalyRecord,
  upstream: nd.Nd,
  grads: readonly (nd.Nd | null)[],
  needs: readonly boolean[] = record.inputs.map((t) => t.requiresGrad),
): void {
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i];
    if (g === null || g === undefined || !needs[i]) continue; // a gradient nobody asked for is not checked
    const bad = firstNonFinite(g);
    if (bad === null) continue;
    const upstreamFinite = firstNonFinite(upstream) === null;
    const created = stacks.get(record.inputs);
    const stack = created?.stack ?? '';
    const report: AnomalyReport = {
      phase: 'backward',
      op: record.op,
      rule: record.rule,
      position: record.seq,
      input: i,
      index: bad.index,
      value: bad.value,
      count: bad.count,
      shape: [...g.shape],
      upstreamFinite,
      nonFiniteInputs: [],
      stack,
    };
    const origin = upstreamFinite
      ? `from a finite upstream gradient: the backward of '${record.op}' under rule '${record.rule}' produced it` +
        (record.rule === 'exact' ? '' : ' (an artificial rule: compare with the exact one, withExactRules(...))')
      : 'the upstream gradient it received already held NaN or infinite values (the seed passed to backward())';
    const where = stack === '' ? 'The op ran before anomaly mode was turned on, so its call site was not recorded; run the forward inside detectAnomaly too.' : `The op was called at:\n${stack}`;
    throw new AnomalyError(
      `anomaly mode: the backward of '${record.op}' (rule '${record.rule}', tape record #${record.seq}) returned ` +
        `${valueText(bad.value)} in the gradient of input ${i} (shape ${formatShape(g.shape)}) at flat index ${bad.index} ` +
        `(${bad.count} non-finite element${bad.count > 1 ? 's' : ''}), ${origin}.\n${where}`,
      report,
    );
  }
}
