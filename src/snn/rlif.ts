// RLIF: a leaky integrate-and-fire layer whose own spikes feed back into its input, as
// snnTorch's `RLeaky`:
//
//   U[t] = β·U[t−1] + I[t] + V(S[t−1]) − R[t]·Θ     (reset modes as LIF)
//
// V is a Linear(F, F) from the layer's spikes to its input (all-to-all, the default; features
// must be one-dimensional), or, with `allToAll: false`, an elementwise weight V (one value or one
// per neuron; learnt unless `learnRecurrent: false`).
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { tensor } from '../creation';
import { add, mul, stack } from '../ops';
import { Linear } from '../nn/linear';
import { Parameter } from '../nn/module';
import type { Generator } from '../random';
import * as nd from '../nd';
import { shouldRecord } from '../autograd/tape';
import { unrecorded } from '../ops/record';
import { lifMembrane, lifStepInPlace } from './membrane';
import { type DecayInit, type NeuronOptions, type RunOptions, NEURON_OPTION_KEYS, SpikingNeuron, checkOptionKeys, decayTensor } from './neuron';

export interface RLIFOptions extends NeuronOptions {
  /** The membrane decay β per step, in [0, 1]: one value or one per neuron. */
  beta: DecayInit;
  /** The number of neurons F (required for all-to-all recurrence: V is a Linear(F, F)). */
  features?: number;
  /** Recurrent connections all-to-all through a Linear (default true), or one-to-one through V. */
  allToAll?: boolean;
  /** The one-to-one recurrent weight (allToAll false): one value or one per neuron (default 1). */
  V?: number | readonly number[];
  /** Learn the recurrent weights (default true). */
  learnRecurrent?: boolean;
  /** The random source of the recurrent Linear's initial weights. */
  generator?: Generator;
}

/** What an RLIF layer returns for a whole sequence. */
export interface RLIFSequence {
  /** The spikes of every step, each [N, ...features]. */
  spikes: Tensor[];
  /** The membrane potential after every step, each [N, ...features]. */
  membranes: Tensor[];
  /** The last spikes and membrane: the state to continue from. */
  spk: Tensor;
  /** The last membrane potential. */
  mem: Tensor;
}

export class RLIF extends SpikingNeuron {
  protected readonly layerName: string = 'RLIF';
  /** β: a 0-d tensor or one value per neuron; a Parameter when learnBeta. */
  readonly beta: Tensor;
  /** The all-to-all recurrent layer (null for one-to-one). */
  readonly recurrent: Linear | null;
  /** The one-to-one recurrent weight (null for all-to-all). */
  readonly V: Tensor | null;

  /** Creates the recurrent neuron layer from its options (decay `beta`, recurrent weights, threshold, reset, spike rule). */
  constructor(options: RLIFOptions) {
    checkOptionKeys('RLIF', options, ['beta', 'features', 'allToAll', 'V', 'learnRecurrent', 'generator', ...NEURON_OPTION_KEYS]);
    if (options.beta === undefined) throw new ArgumentError('RLIF: beta (the membrane decay per step, in [0, 1]) is required');
    const dtype = options.dtype ?? 'float32';
    const beta = decayTensor('RLIF', 'beta', options.beta, dtype);
    const allToAll = options.allToAll ?? true;
    if (typeof allToAll !== 'boolean') throw new ArgumentError(`RLIF: allToAll must be true or false, got ${String(allToAll)}`);
    const learn = options.learnRecurrent ?? true;
    let recurrent: Linear | null = null;
    let V: Tensor | null = null;
    if (allToAll) {
      const f = options.features;
      if (typeof f !== 'number' || !Number.isInteger(f) || f < 1) {
        throw new ArgumentError(`RLIF: features (the number of neurons) must be a positive integer for all-to-all recurrence, got ${String(f)}`);
      }
      if (options.V !== undefined) throw new ArgumentError('RLIF: V is the one-to-one weight; pass allToAll: false to use it');
      recurrent = new Linear(f, f, { dtype, generator: options.generator });
      if (!learn) for (const p of recurrent.parameters()) p.requiresGrad = false;
    } else {
      const v = options.V ?? 1;
      const values = typeof v === 'number' ? [v] : Array.isArray(v) ? (v as number[]) : null;
      if (values === null || values.length === 0 || !values.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        throw new ArgumentError(`RLIF: V must be a finite number or an array of them (one per neuron), got ${String(v)}`);
      }
      const t = tensor(values, { shape: typeof v === 'number' ? [] : [values.length], dtype });
      V = learn ? new Parameter(t) : t;
    }
    super('RLIF', options);
    this.beta = this.learnableOrBuffer('beta', beta, options.learnBeta === true);
    this.recurrent = recurrent;
    if (V !== null && !(V instanceof Parameter)) this.registerBuffer('V', V, false); // fixed: converted by to(), not saved
    this.V = V;
  }

  /** Whether the decay β is learnt. */
  get learnBeta(): boolean {
    return this.beta instanceof Parameter;
  }

  /** Spikes and membrane at rest (zeros), `[spk, mem]`, for inputs shaped like `input`. */
  initState(input: Tensor | readonly number[]): [Tensor, Tensor] {
    return [this.zerosOf(input), this.zerosOf(input)];
  }

  #feedback(spk: Tensor): Tensor {
    if (this.recurrent !== null) return this.recurrent.forward(spk);
    return mul(spk, this.V as Tensor);
  }

  #checkFeatures(method: string, shape: readonly number[]): void {
    this.checkDecayFits(method, 'beta', this.beta, shape);
    if (this.recurrent !== null && (shape.length !== 2 || shape[1] !== this.recurrent.inFeatures)) {
      throw new ShapeError(`RLIF.${method}: all-to-all recurrence over ${this.recurrent.inFeatures} neurons needs inputs [N, ${this.recurrent.inFeatures}], got ${formatShape(shape)}`);
    }
    if (this.V !== null) this.checkDecayFits(method, 'V', this.V, shape);
  }

  /** One step from the previous spikes and membrane (zeros when omitted): `[spikes, membrane]`. */
  step(input: Tensor, spk?: Tensor, mem?: Tensor): [Tensor, Tensor] {
    const x = this.checkTensor('step', 'input', input);
    const s = spk === undefined ? this.zerosOf(x) : this.checkState('step', 'spk', spk, x);
    const u = mem === undefined ? this.zerosOf(x) : this.checkState('step', 'mem', mem, x);
    this.#checkFeatures('step', x.shape);
    const reset = this.resetMode === 'none' ? null : this.resetFrom(u);
    const next = lifMembrane(add(x, this.#feedback(s)), u, reset, this.effectiveDecay(this.beta), this.threshold, this.resetMode);
    const out = this.fire(next);
    this.emit(out);
    return [out, next];
  }

  /**
   * A whole sequence ([T, N, F] or one tensor per step) from the given state (default zeros; never
   * modified). With nothing recorded and `{ membranes: false }`, the membrane is updated in place
   * and a step allocates only its spikes and its input plus feedback.
   */
  run(inputs: Tensor | readonly Tensor[], state: { spk?: Tensor; mem?: Tensor } = {}, options: RunOptions = {}): RLIFSequence {
    const keepMembranes = this.keepMembranes(options);
    const steps = this.stepsOf('run', inputs instanceof Tensor ? [inputs] : inputs);
    const first = steps[0];
    let s = state.spk === undefined ? this.zerosOf(first) : this.checkState('run', 'spk', state.spk, first);
    let u = state.mem === undefined ? this.zerosOf(first) : this.checkState('run', 'mem', state.mem, first);
    this.#checkFeatures('run', first.shape);
    const beta = this.effectiveDecay(this.beta);
    const spikes: Tensor[] = [];
    const membranes: Tensor[] = [];
    const weights = this.recurrent !== null ? this.recurrent.parameters() : [this.V as Tensor];
    if (!keepMembranes && this.spikeFunction === undefined && !shouldRecord([...steps, s, u, beta, this.threshold, ...weights])) {
      // evaluation: one membrane buffer updated in place (a copy of a given state: the caller's is kept)
      const mem = state.mem === undefined ? u.data : nd.copy(u.data);
      for (const x of steps) {
        const next = nd.zeros(mem.shape, mem.dtype);
        lifStepInPlace(add(x, this.#feedback(s)), mem, next, beta, this.threshold, this.resetMode);
        unrecorded('lifMembrane', 'exact', [x, beta, this.threshold], mem); // anomaly mode's forward check (free when off)
        s = new Tensor(next);
        this.emit(s);
        spikes.push(s);
      }
      return { spikes, membranes, spk: s, mem: new Tensor(mem) };
    }
    let reset = this.resetMode === 'none' ? null : this.resetFrom(u);
    for (const x of steps) {
      u = lifMembrane(add(x, this.#feedback(s)), u, reset, beta, this.threshold, this.resetMode);
      s = this.fire(u);
      this.emit(s);
      spikes.push(s);
      if (keepMembranes) membranes.push(u);
      if (this.resetMode !== 'none') reset = this.resetFromSpike(s);
    }
    return { spikes, membranes, spk: s, mem: u };
  }

  /** A whole sequence from rest; the spikes [T, N, F] (or the membranes with output 'membrane'). */
  override forward(...inputs: Tensor[]): Tensor {
    const { spikes, membranes } = this.run(inputs.length === 1 ? inputs[0] : inputs, {}, { membranes: this.output === 'membrane' });
    return stack(this.output === 'spikes' ? spikes : membranes, 0);
  }
}
