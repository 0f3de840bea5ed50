// What every spiking neuron layer shares: the decay beta (one value or one per neuron), the
// threshold, the reset mode, the spike (heaviside with a backward rule), option checking, the
// state checks and the spike listeners that diagnostics use.
//
// snnTorch's semantics throughout: the spike is heaviside(U − Θ) (1 where U > Θ); the reset R
// applied at step t is the spike of step t − 1, i.e. heaviside(U[t−1] − Θ); the reset is
// detached from the graph unless `detachReset: false` (snnTorch always detaches it); a learnable
// beta is clamped to [0, 1] in the forward pass (as snnTorch's `beta.clamp(0, 1)`), so the
// optimizer may move the raw parameter outside [0, 1] but the neuron never decays with a value
// outside it, and the gradient is zero while the raw value is outside.
import { ArgumentError, ShapeError, formatShape } from '../errors';
import type { Dtype } from '../nd';
import { Tensor } from '../tensor';
import { tensor, zeros } from '../creation';
import { clamp, sub } from '../ops';
import { heaviside } from '../activations';
import { bindForCall, getEntry, resolveChoice, resolveForCall } from '../activations/registry';
import type { BoundRule, Rule, RuleChoice } from '../activations/rule';
import { noGrad } from '../autograd/tape';
import { Module, Parameter, type RemovableHandle } from '../nn/module';
import { type RuleHost, ruleParameterEntries, syncRuleChild } from '../nn/rule-host';
import { stepOf, withLayerContext } from '../activations/context';
import * as nd from '../nd';
import type { ResetMode } from './membrane';
import type { ResetGradient, SpikeGradient } from './fused';

/** How a neuron's membrane resets after a spike: subtract the threshold, set it to zero, or no reset. */
export const RESET_MODES: readonly ResetMode[] = ['subtract', 'zero', 'none'];

/** A decay: one value for the whole layer, or one per neuron (an array or a tensor of the feature shape). */
export type DecayInit = number | readonly number[] | Tensor;

/** Options every spiking neuron layer takes. */
export interface NeuronOptions {
  /** Spike threshold Θ > 0 (default 1). */
  threshold?: number;
  /** What a spike does to the membrane: 'subtract' Θ (default), 'zero' it, or 'none'. */
  reset?: ResetMode;
  /**
   * The heaviside's backward rule (the surrogate gradient): a name ('atan', 'fastSigmoid',
   * 'sigmoid', 'triangle', 'exact', ...), a rule object or an inline rule. Default 'atan'
   * (α = 2), as snnTorch. Set on the layer, it beats `withBackward` scopes and `setBackward`.
   */
  backward?: RuleChoice;
  /** Cut the gradient through the reset term (default true, as snnTorch; Zenke & Vogels 2021). */
  detachReset?: boolean;
  /** Make the decay a parameter the optimizer updates (default false); it is clamped to [0, 1] when used. */
  learnBeta?: boolean;
  /** Make the threshold a parameter the optimizer updates (default false). */
  learnThreshold?: boolean;
  /** What `forward` returns: the spikes (default) or the membrane potentials, both [T, N, ...]. */
  output?: 'spikes' | 'membrane';
  /** float32 (default) or float64: the dtype of the decay, the threshold and the states. */
  dtype?: Dtype;
  /**
   * Replace heaviside(U − Θ) by another function of u = U − Θ, in the forward pass and for the
   * reset (e.g. `(u) => u.mul(5).sigmoid()`, a smooth stand-in for gradient checks). `backward`
   * is then unused.
   */
  spikeFunction?: (u: Tensor) => Tensor;
}

export const NEURON_OPTION_KEYS = [
  'threshold', 'reset', 'backward', 'detachReset', 'learnBeta', 'learnThreshold', 'output', 'dtype', 'spikeFunction',
] as const;

/** Options of a neuron layer's `run`. */
export interface RunOptions {
  /**
   * Return the membrane potential of every step (default true). With false, `membranes` is empty
   * and, when nothing is recorded (under `noGrad`, or nothing requires grad), the time loop updates
   * one state buffer per state variable in place: a step then allocates only its spikes (and, for
   * RLIF, its recurrent input). With gradients the membranes are kept by the tape whatever this says.
   */
  membranes?: boolean;
}

/** Called with each time step's spikes, [N, ...features] (see `onSpikes`). */
export type SpikeListener = (spikes: Tensor) => void;

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value instanceof Tensor) return `a tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

/** Check option keys: a typo is an error that lists the valid keys. */
export function checkOptionKeys(layer: string, options: object, allowed: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new ArgumentError(`${layer}: options must be an object such as { beta: 0.9 }, got ${show(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new ArgumentError(`${layer}: unknown option '${key}'; the options are ${allowed.join(', ')}`);
  }
}

/** A decay in [0, 1] as a tensor of `dtype`: 0-d for a number, the given shape for an array or tensor. */
export function decayTensor(layer: string, name: string, value: unknown, dtype: Dtype): Tensor {
  let values: number[];
  let shape: number[];
  if (typeof value === 'number') {
    values = [value];
    shape = [];
  } else if (Array.isArray(value)) {
    values = value as number[];
    shape = [values.length];
  } else if (value instanceof Tensor) {
    values = Array.from(value.toTypedArray());
    shape = [...value.shape];
  } else {
    throw new ArgumentError(`${layer}: ${name} must be a number in [0, 1], an array of them or a tensor (one per neuron), got ${show(value)}`);
  }
  if (values.length === 0) throw new ArgumentError(`${layer}: ${name} must not be empty`);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      const where = shape.length === 0 ? '' : ` (element ${i})`;
      throw new ArgumentError(`${layer}: ${name} must be in [0, 1] (a decay per time step), got ${show(v)}${where}`);
    }
  }
  return tensor(values, { shape, dtype });
}

/** A heaviside rule bound for the fused ops: the rule, where it reads the membrane, its tape label. */
interface BoundSpikeRule {
  readonly rule: Exclude<BoundRule, { context: unknown }>;
  readonly center: number;
  readonly label: string;
}

/**
 * The bindings of plain local-derivative rules for the fused ops, by rule, then by the threshold
 * the rule is bound at ('at 0' with learnThreshold: read at U − Θ, the centre passed per call) and
 * the tape label.
 */
const plainBindings = new WeakMap<Rule, Map<string, BoundSpikeRule>>();

/** Everything the neuron layers share. */
export abstract class SpikingNeuron extends Module implements RuleHost {
  /** The threshold Θ (a 0-d parameter when learnThreshold). */
  readonly threshold: Tensor;
  /** What a spike does to the membrane: 'subtract', 'zero' or 'none'. */
  readonly resetMode: ResetMode;
  /** Whether the gradient through the reset term is cut. */
  readonly detachReset: boolean;
  /** What `forward` returns: 'spikes' or 'membrane'. */
  readonly output: 'spikes' | 'membrane';
  /** Whether the spike and reset use `spikeFunction` instead of heaviside. */
  protected readonly spikeFunction: ((u: Tensor) => Tensor) | undefined;
  #backward: RuleChoice;
  #listeners: SpikeListener[] = [];
  /** The layer's class name, used in every message. */
  protected abstract readonly layerName: string;

  /** @internal marks spiking layers for diagnostics without an import cycle. */
  readonly isSpikingNeuron = true;

  /** Sets the options common to every neuron (for subclasses). */
  protected constructor(layer: string, options: NeuronOptions) {
    super();
    const threshold = options.threshold ?? 1;
    if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold <= 0) {
      throw new ArgumentError(`${layer}: threshold must be a finite number > 0, got ${show(threshold)}`);
    }
    const reset = options.reset ?? 'subtract';
    if (!RESET_MODES.includes(reset)) {
      throw new ArgumentError(`${layer}: reset must be one of 'subtract', 'zero', 'none', got ${show(reset)}`);
    }
    for (const key of ['detachReset', 'learnBeta', 'learnThreshold'] as const) {
      if (options[key] !== undefined && typeof options[key] !== 'boolean') {
        throw new ArgumentError(`${layer}: ${key} must be true or false, got ${show(options[key])}`);
      }
    }
    const output = options.output ?? 'spikes';
    if (output !== 'spikes' && output !== 'membrane') {
      throw new ArgumentError(`${layer}: output must be 'spikes' or 'membrane', got ${show(output)}`);
    }
    const dtype = options.dtype ?? 'float32';
    if (dtype !== 'float32' && dtype !== 'float64') throw new ArgumentError(`${layer}: dtype must be 'float32' or 'float64', got ${show(dtype)}`);
    if (options.spikeFunction !== undefined && typeof options.spikeFunction !== 'function') {
      throw new ArgumentError(`${layer}: spikeFunction must be a function (u) => Tensor, got ${show(options.spikeFunction)}`);
    }
    const backward = options.backward ?? 'atan';
    resolveChoice(getEntry('heaviside', layer), backward, `${layer}({ backward })`); // a bad rule fails here
    ruleParameterEntries(backward, `${layer}({ backward })`);
    this.#backward = backward;
    const th = tensor(threshold, { dtype });
    this.threshold = this.learnableOrBuffer('threshold', th, options.learnThreshold === true);
    this.resetMode = reset;
    this.detachReset = options.detachReset ?? true;
    this.output = output;
    this.spikeFunction = options.spikeFunction;
    // the rule's learnable parameters, as the child `rule` (`<layer>.rule.alpha`)
    syncRuleChild(this, 'rule', backward, `${layer}({ backward })`);
  }

  /** The layer's rule choice, for RuleSchedule (its learnable parameters are the child `rule`). */
  ruleChoices(): [string, RuleChoice | undefined][] {
    return [['rule', this.#backward]];
  }

  /**
   * The dtype of the decay, the threshold and the states: the threshold's, so `module.to(dtype)`
   * (which converts parameters and buffers in place) changes it.
   */
  get dtype(): Dtype {
    return this.threshold.dtype;
  }

  /**
   * A learnt constant (threshold, decay, ...) as a Parameter, or a fixed one registered as a
   * non-persistent buffer (not in the state dict, but converted by `to()`).
   */
  protected learnableOrBuffer(name: string, value: Tensor, learn: boolean): Tensor {
    if (learn) return new Parameter(value);
    this.registerBuffer(name, value, false);
    return value;
  }

  /** The heaviside's backward rule this layer records. */
  get backward(): RuleChoice {
    return this.#backward;
  }

  /** Whether the threshold is learnt. */
  get learnThreshold(): boolean {
    return this.threshold instanceof Parameter;
  }

  /** The spike of membrane `mem`: heaviside(mem − Θ) with the layer's rule (or spikeFunction). */
  protected fire(mem: Tensor): Tensor {
    if (this.spikeFunction !== undefined) return this.spikeFunction(sub(mem, this.threshold));
    // the rule sees the layer's training flag and, with a RuleSchedule, its step
    return withLayerContext(this.training, stepOf(this), () =>
      this.learnThreshold
        ? heaviside(sub(mem, this.threshold), { backward: this.#backward })
        : heaviside(mem, { threshold: this.threshold.item(), backward: this.#backward }),
    );
  }

  /** The reset signal from the previous membrane: its spike, detached unless detachReset is false. */
  protected resetFrom(mem: Tensor): Tensor {
    return this.detachReset ? noGrad(() => this.fire(mem)) : this.fire(mem);
  }

  /** The reset from the previous step's spike (no new buffer when detached). */
  protected resetFromSpike(spike: Tensor): Tensor {
    return this.detachReset ? spike.detach() : spike;
  }

  /** A decay as used in the forward: clamped to [0, 1] when it is a learnt parameter. */
  protected effectiveDecay(decay: Tensor): Tensor {
    return decay instanceof Parameter ? clamp(decay, 0, 1) : decay;
  }

  /**
   * Call `listener` with every time step's spikes from now on (from `step` and from whole
   * sequences); `remove()` on the returned handle stops it. Diagnostics use this to count firing.
   */
  onSpikes(listener: SpikeListener): RemovableHandle {
    if (typeof listener !== 'function') throw new ArgumentError(`${this.layerName}.onSpikes: expected a function (spikes) => void`);
    const entry: SpikeListener = (s) => listener(s);
    this.#listeners.push(entry);
    return {
      remove: () => {
        const i = this.#listeners.indexOf(entry);
        if (i >= 0) this.#listeners.splice(i, 1);
      },
    };
  }

  /** @internal whether anything listens to the spikes (a readout's spikes need not be made when nothing does). */
  protected get hasSpikeListeners(): boolean {
    return this.#listeners.length > 0;
  }

  /** @internal */
  protected emit(spikes: Tensor): void {
    for (const listener of this.#listeners) listener(spikes);
  }

  /** @internal the spikes of a whole sequence [T, N, ...], to the listeners one step at a time (views, no copy). */
  protected emitSequence(spikes: Tensor): void {
    if (this.#listeners.length === 0) return;
    const stepShape = spikes.shape.slice(1);
    const n = nd.sizeOf(stepShape);
    const data = nd.contiguous(spikes.data).data;
    for (let t = 0; t < spikes.shape[0]; t++) this.emit(new Tensor(nd.wrap(data.subarray(t * n, (t + 1) * n), stepShape)));
  }

  /**
   * How the fused whole-sequence op (fused.ts) handles the reset's gradient for this layer now, or
   * null when the sequence must run step by step: with a `spikeFunction` (the reset is its value,
   * not a spike), with a context rule (a whole-tensor backward that reads one step's batch), or
   * with the reset's gradient kept (`detachReset: false`) and a rule that is not a plain local
   * derivative (a rule with learnable parameters, whose gradient through the reset the fused op
   * does not compute, or a backward b(g, x, y), which is not linear in g). The rule is resolved
   * as `fire` resolves it (the layer's `backward`, unless `withExactRules`), in the layer's context.
   */
  protected fusedReset(): ResetGradient | null {
    const bound = this.#boundSpikeRule();
    if (bound === null) return null;
    if (this.detachReset || this.resetMode === 'none') return { detach: true };
    if (bound.rule.derivative === undefined || bound.rule.learnable !== undefined) return null;
    return { detach: false, h: bound.rule.derivative, center: bound.center };
  }

  /**
   * The spike's rule for the fused spike op (`lifSpikeSequence`, spikes made inside the op), or
   * null when the layer must record its spikes with heaviside as `fire` does: with a
   * `spikeFunction` or a context rule (then the whole sequence runs step by step, see
   * `fusedReset`), or with a rule that has learnable parameters (its parameters' gradient comes
   * from the heaviside record). With the reset's gradient kept the rule must be a local derivative.
   */
  protected fusedSpikes(): SpikeGradient | null {
    const bound = this.#boundSpikeRule();
    if (bound === null) return null;
    const { rule, center, label } = bound;
    if (rule.learnable !== undefined) return null;
    const detachReset = this.detachReset || this.resetMode === 'none';
    if (rule.derivative !== undefined) return { h: rule.derivative, b: null, center, detachReset, label };
    if (!detachReset) return null;
    return { h: null, b: rule.backward, center, detachReset, label };
  }

  /**
   * The heaviside rule bound as `fire` binds it (centred at Θ, or with learnThreshold at 0 and
   * read at U − Θ), with its tape label; null with a spikeFunction or a context rule.
   */
  #boundSpikeRule(): BoundSpikeRule | null {
    if (this.spikeFunction !== undefined) return null;
    const entry = getEntry('heaviside', this.layerName);
    const learnThreshold = this.learnThreshold;
    const threshold = this.threshold.item();
    return withLayerContext(this.training, stepOf(this), () => {
      const resolved = resolveForCall(entry, this.#backward);
      // A plain local derivative binds to the same function every time (h read at x − Θ), so the
      // binding is kept: a new closure per call would make the loop that applies it see a new
      // callee on every iteration, and V8 then stops inlining it (measured: 3× slower).
      // Kept for every layer (by rule object, then by the threshold it is bound at and the label),
      // so that layers made one after another (the runs of an experiment) share it too. With
      // learnThreshold the rule is bound at 0 and read at U − Θ: one binding whatever Θ, the
      // centre Θ (which the optimizer moves) is added per call.
      const center = learnThreshold ? threshold : 0;
      const plain = resolved.rule.derivative !== undefined;
      const key = `${learnThreshold ? 'at 0' : threshold} ${resolved.label}`;
      const cached = plain ? plainBindings.get(resolved.rule)?.get(key) : undefined;
      if (cached !== undefined) return { rule: cached.rule, center, label: cached.label };
      const kernel = entry.kernelFor(learnThreshold ? undefined : { threshold });
      const bound = bindForCall(entry, kernel, resolved.rule);
      if (bound.context !== undefined) return null;
      const made = { rule: bound, center, label: bound.label ?? resolved.label };
      if (plain) {
        let byKey = plainBindings.get(resolved.rule);
        if (byKey === undefined) plainBindings.set(resolved.rule, (byKey = new Map()));
        if (byKey.size >= 64) byKey.clear(); // thresholds changed by hand many times: stay bounded
        byKey.set(key, made);
      }
      return made;
    });
  }

  /** Zeros of `shape` (or of `like`'s shape) in the layer's dtype: the state at rest. */
  protected zerosOf(like: Tensor | readonly number[]): Tensor {
    return zeros(like instanceof Tensor ? like.shape : like, { dtype: this.dtype });
  }

  /** Check that a tensor argument is a tensor of the layer's dtype. */
  protected checkTensor(method: string, name: string, x: unknown): Tensor {
    if (!(x instanceof Tensor)) throw new ArgumentError(`${this.layerName}.${method}: ${name} must be a Tensor, got ${show(x)}`);
    if (x.dtype !== this.dtype) {
      throw new ArgumentError(
        `${this.layerName}.${method}: ${name} is ${x.dtype} but the layer is ${this.dtype}; convert with .to('${this.dtype}') or make the layer with { dtype: '${x.dtype}' }`,
      );
    }
    if (x.ndim === 0) throw new ShapeError(`${this.layerName}.${method}: ${name} must have at least one dimension (the batch), got a 0-d tensor`);
    return x;
  }

  /** Whether `run` returns every membrane (checks the options of `run`). */
  protected keepMembranes(options: RunOptions): boolean {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new ArgumentError(`${this.layerName}.run: options must be an object such as { membranes: false }, got ${show(options)}`);
    }
    for (const key of Object.keys(options)) if (key !== 'membranes') throw new ArgumentError(`${this.layerName}.run: unknown option '${key}'; the option is membranes`);
    const keep = options.membranes ?? true;
    if (typeof keep !== 'boolean') throw new ArgumentError(`${this.layerName}.run: membranes must be true or false, got ${show(keep)}`);
    return keep;
  }

  /** Check a state against the input it goes with. */
  protected checkState(method: string, name: string, state: unknown, input: Tensor | readonly number[]): Tensor {
    const s = this.checkTensor(method, name, state);
    const shape = input instanceof Tensor ? input.shape : input;
    if (!sameShape(s.shape, shape)) {
      throw new ShapeError(
        `${this.layerName}.${method}: the state ${name} has shape ${formatShape(s.shape)} but the input has shape ${formatShape(shape)}; ` +
          `a state left from another batch or layer? Start each sequence from ${this.layerName.toLowerCase()}.initState(input) (or pass no state)`,
      );
    }
    return s;
  }

  /** Check that a per-neuron decay fits the features of `input` (its trailing dimensions). */
  protected checkDecayFits(method: string, name: string, decay: Tensor, shape: readonly number[]): void {
    if (decay.ndim === 0) return;
    const tail = shape.slice(shape.length - decay.ndim);
    if (decay.ndim >= shape.length || !sameShape(tail, decay.shape)) {
      throw new ShapeError(
        `${this.layerName}.${method}: ${name} has one value per neuron, shape ${formatShape(decay.shape)}, but the input has shape ${formatShape(shape)}; ` +
          `the input's trailing dimensions (after the batch) must be ${formatShape(decay.shape)}`,
      );
    }
  }

  /** Check a whole sequence [T, N, ...features]: a tensor of the layer's dtype, rank ≥ 2, T ≥ 1. */
  protected checkSequence(method: string, input: unknown): Tensor {
    const seq = this.checkTensor(method, 'the sequence', input);
    if (seq.ndim < 2) {
      throw new ShapeError(
        `${this.layerName}.${method}: expected a sequence of shape [T, N, ...features] (rank ≥ 2), got shape ${formatShape(seq.shape)}; ` +
          'for a single time step use step(input, mem)',
      );
    }
    if (seq.shape[0] === 0) throw new ShapeError(`${this.layerName}.${method}: the sequence has no time steps (shape ${formatShape(seq.shape)})`);
    return seq;
  }

  /** The per-step inputs of a sequence: a [T, N, ...] tensor or a list of [N, ...] tensors. */
  protected stepsOf(method: string, inputs: readonly Tensor[]): Tensor[] {
    if (inputs.length === 0) throw new ArgumentError(`${this.layerName}.${method}: expected a sequence [T, N, ...features] or one tensor per time step, got nothing`);
    if (inputs.length === 1) return splitSteps(this.checkSequence(method, inputs[0]));
    const first = this.checkTensor(method, 'the input of step 0', inputs[0]);
    for (let t = 1; t < inputs.length; t++) {
      const x = this.checkTensor(method, `the input of step ${t}`, inputs[t]);
      if (!sameShape(x.shape, first.shape)) {
        throw new ShapeError(`${this.layerName}.${method}: the input of step ${t} has shape ${formatShape(x.shape)}, step 0 has ${formatShape(first.shape)}; every step needs one shape`);
      }
    }
    return [...inputs];
  }
}

/**
 * The steps of a sequence [T, ...] as T tensors. Without gradients these are views. With
 * gradients, slicing each step straight from the sequence would make every step's backward
 * allocate a gradient the size of the whole sequence (O(T²) memory traffic); halving it
 * recursively makes that O(T log T).
 */
export function splitSteps(seq: Tensor): Tensor[] {
  const T = seq.shape[0];
  if (!seq.requiresGrad) {
    const steps: Tensor[] = [];
    for (let t = 0; t < T; t++) steps.push(seq.slice([[t, t + 1]]).squeeze(0));
    return steps;
  }
  if (T === 1) return [seq.squeeze(0)];
  const mid = T >> 1;
  return [...splitSteps(seq.slice([[0, mid]])), ...splitSteps(seq.slice([[mid, T]]))];
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
