// Synaptic: a second-order leaky integrate-and-fire layer, as snnTorch's `Synaptic`: the input
// charges a synaptic current with its own decay α, which charges the membrane.
//
//   'subtract': I_syn[t] = α·I_syn[t−1] + X[t];   U[t] = β·U[t−1] + I_syn[t] − R[t]·Θ
//   'none':     the same without the reset term
//   'zero':     both updated as 'none', then both multiplied by (1 − R[t]) (snnTorch's order)
//   S[t] = heaviside(U[t] − Θ), R[t] = S[t−1]
import { ArgumentError } from '../errors';
import { Tensor } from '../tensor';
import { mul, neg, add, stack } from '../ops';
import { Parameter } from '../nn/module';
import * as nd from '../nd';
import { shouldRecord } from '../autograd/tape';
import { unrecorded } from '../ops/record';
import { lifMembrane, synapticStepInPlace } from './membrane';
import { lifSequence, lifSpikeSequence } from './fused';
import { type DecayInit, type NeuronOptions, type RunOptions, NEURON_OPTION_KEYS, SpikingNeuron, checkOptionKeys, decayTensor, splitSteps } from './neuron';

export interface SynapticOptions extends NeuronOptions {
  /** The synaptic current's decay α per step, in [0, 1]: one value or one per neuron. */
  alpha: DecayInit;
  /** The membrane decay β per step, in [0, 1]: one value or one per neuron. */
  beta: DecayInit;
  /** Learn α (clamped to [0, 1] when used; default false). */
  learnAlpha?: boolean;
}

/** What a Synaptic layer returns for a whole sequence. */
export interface SynapticSequence {
  /** The spikes of every step, each [N, ...features]. */
  spikes: Tensor[];
  /** The membrane potential after every step, each [N, ...features]. */
  membranes: Tensor[];
  /** The last synaptic current and membrane: the state to continue from. */
  syn: Tensor;
  /** The last membrane potential. */
  mem: Tensor;
}

/** What `Synaptic.runSequence` returns: whole sequences as tensors. */
export interface SynapticSequenceTensors {
  /** The spikes of every step, [T, N, ...features]. */
  spikes: Tensor;
  /** The membrane potential after every step, [T, N, ...features]. */
  membranes: Tensor;
  /** The last synaptic current, [N, ...features]. */
  syn: Tensor;
  /** The last membrane potential, [N, ...features]. */
  mem: Tensor;
}

export class Synaptic extends SpikingNeuron {
  protected readonly layerName: string = 'Synaptic';
  /** α, the synaptic decay: a 0-d tensor or one value per neuron; a Parameter when learnAlpha. */
  readonly alpha: Tensor;
  /** β, the membrane decay: a 0-d tensor or one value per neuron; a Parameter when learnBeta. */
  readonly beta: Tensor;

  /** Creates the neuron layer from its options (synaptic decay `alpha`, membrane decay `beta`, ...). */
  constructor(options: SynapticOptions) {
    checkOptionKeys('Synaptic', options, ['alpha', 'beta', 'learnAlpha', ...NEURON_OPTION_KEYS]);
    if (options.alpha === undefined || options.beta === undefined) {
      throw new ArgumentError('Synaptic: alpha (synaptic decay) and beta (membrane decay), each in [0, 1], are required');
    }
    const dtype = options.dtype ?? 'float32';
    const alpha = decayTensor('Synaptic', 'alpha', options.alpha, dtype);
    const beta = decayTensor('Synaptic', 'beta', options.beta, dtype);
    if (options.learnAlpha !== undefined && typeof options.learnAlpha !== 'boolean') {
      throw new ArgumentError(`Synaptic: learnAlpha must be true or false, got ${String(options.learnAlpha)}`);
    }
    super('Synaptic', options);
    this.alpha = this.learnableOrBuffer('alpha', alpha, options.learnAlpha === true);
    this.beta = this.learnableOrBuffer('beta', beta, options.learnBeta === true);
  }

  /** Whether the synaptic decay α is learnt. */
  get learnAlpha(): boolean {
    return this.alpha instanceof Parameter;
  }

  /** Whether the membrane decay β is learnt. */
  get learnBeta(): boolean {
    return this.beta instanceof Parameter;
  }

  /** Synaptic current and membrane at rest (zeros), `[syn, mem]`. */
  initState(input: Tensor | readonly number[]): [Tensor, Tensor] {
    return [this.zerosOf(input), this.zerosOf(input)];
  }

  #update(x: Tensor, syn: Tensor, mem: Tensor, reset: Tensor | null, alpha: Tensor, beta: Tensor): [Tensor, Tensor] {
    const nextSyn = lifMembrane(x, syn, null, alpha, this.threshold, 'none');
    if (this.resetMode !== 'zero') return [nextSyn, lifMembrane(nextSyn, mem, reset, beta, this.threshold, this.resetMode)];
    const nextMem = lifMembrane(nextSyn, mem, null, beta, this.threshold, 'none');
    const keep = add(neg(reset as Tensor), 1);
    return [mul(nextSyn, keep), mul(nextMem, keep)];
  }

  /** One step from the previous synaptic current and membrane (zeros when omitted): `[spikes, syn, mem]`. */
  step(input: Tensor, syn?: Tensor, mem?: Tensor): [Tensor, Tensor, Tensor] {
    const x = this.checkTensor('step', 'input', input);
    const i = syn === undefined ? this.zerosOf(x) : this.checkState('step', 'syn', syn, x);
    const u = mem === undefined ? this.zerosOf(x) : this.checkState('step', 'mem', mem, x);
    this.checkDecayFits('step', 'alpha', this.alpha, x.shape);
    this.checkDecayFits('step', 'beta', this.beta, x.shape);
    const reset = this.resetMode === 'none' ? null : this.resetFrom(u);
    const [nextSyn, nextMem] = this.#update(x, i, u, reset, this.effectiveDecay(this.alpha), this.effectiveDecay(this.beta));
    const out = this.fire(nextMem);
    this.emit(out);
    return [out, nextSyn, nextMem];
  }

  /**
   * A whole sequence ([T, N, ...] or one tensor per step) from the given state (default zeros;
   * never modified). A [T, N, ...] tensor with reset 'subtract' or 'none' runs as fused ops (see
   * `runSequence`) and the lists are views of their results. With nothing recorded and
   * `{ membranes: false }`, the synaptic current and the membrane are updated in place and a step
   * allocates only its spikes.
   */
  run(inputs: Tensor | readonly Tensor[], state: { syn?: Tensor; mem?: Tensor } = {}, options: RunOptions = {}): SynapticSequence {
    const keepMembranes = this.keepMembranes(options);
    const list = inputs instanceof Tensor ? [inputs] : inputs;
    if (list.length === 1) {
      const seq = this.checkSequence('run', list[0]);
      const start = this.#checkStart('run', seq, state);
      const given = [start.syn, start.mem].filter((t): t is Tensor => t !== undefined);
      // evaluation without membranes keeps the in-place step loop below: one buffer per state, not T
      if (keepMembranes || shouldRecord([seq, this.alpha, this.beta, this.threshold, ...given])) {
        const fused = this.#fused(seq, start);
        if (fused !== null) {
          return { spikes: splitSteps(fused.spikes), membranes: keepMembranes ? splitSteps(fused.membranes) : [], syn: fused.syn, mem: fused.mem };
        }
      }
    }
    const steps = this.stepsOf('run', list);
    const first = steps[0];
    let i = state.syn === undefined ? this.zerosOf(first) : this.checkState('run', 'syn', state.syn, first);
    let u = state.mem === undefined ? this.zerosOf(first) : this.checkState('run', 'mem', state.mem, first);
    this.checkDecayFits('run', 'alpha', this.alpha, first.shape);
    this.checkDecayFits('run', 'beta', this.beta, first.shape);
    const alpha = this.effectiveDecay(this.alpha);
    const beta = this.effectiveDecay(this.beta);
    const spikes: Tensor[] = [];
    const membranes: Tensor[] = [];
    if (!keepMembranes && this.spikeFunction === undefined && !shouldRecord([...steps, i, u, alpha, beta, this.threshold])) {
      // evaluation: the two state buffers updated in place (copies of a given state: the caller's is kept)
      const syn = state.syn === undefined ? i.data : nd.copy(i.data);
      const mem = state.mem === undefined ? u.data : nd.copy(u.data);
      for (const x of steps) {
        const s = nd.zeros(mem.shape, mem.dtype);
        synapticStepInPlace(x, syn, mem, s, alpha, beta, this.threshold, this.resetMode);
        unrecorded('synaptic', 'exact', [x, alpha, beta, this.threshold], mem); // anomaly mode's forward check (free when off)
        const spike = new Tensor(s);
        this.emit(spike);
        spikes.push(spike);
      }
      return { spikes, membranes, syn: new Tensor(syn), mem: new Tensor(mem) };
    }
    let reset = this.resetMode === 'none' ? null : this.resetFrom(u);
    for (const x of steps) {
      [i, u] = this.#update(x, i, u, reset, alpha, beta);
      const s = this.fire(u);
      this.emit(s);
      spikes.push(s);
      if (keepMembranes) membranes.push(u);
      if (this.resetMode !== 'none') reset = this.resetFromSpike(s);
    }
    return { spikes, membranes, syn: i, mem: u };
  }

  /**
   * A whole sequence [T, N, ...features] from the given state (default zeros; never modified),
   * with the spikes and membranes as [T, N, ...features] tensors. With reset 'subtract' or 'none'
   * it runs as three tape records whatever T: the synaptic current and the membrane are each one
   * fused op (fused.ts; the current is a leaky integrator without reset), then one heaviside over
   * all membranes. Reset 'zero' (which also zeroes the current), a `spikeFunction`, a context rule
   * or, with `detachReset: false`, a rule other than a plain local derivative run step by step.
   */
  runSequence(seq: Tensor, state: { syn?: Tensor; mem?: Tensor } = {}): SynapticSequenceTensors {
    const x = this.checkSequence('runSequence', seq);
    const start = this.#checkStart('runSequence', x, state);
    const fused = this.#fused(x, start);
    if (fused !== null) return fused;
    const out = this.run(x, start);
    return { spikes: stack(out.spikes, 0), membranes: stack(out.membranes, 0), syn: out.syn, mem: out.mem };
  }

  /** Check a whole sequence's starting state and the decays against the step shape. */
  #checkStart(method: string, seq: Tensor, state: { syn?: Tensor; mem?: Tensor }): { syn?: Tensor; mem?: Tensor } {
    if (state === null || typeof state !== 'object') throw new ArgumentError(`Synaptic.${method}: the state must be an object { syn?, mem? }`);
    const stepShape = seq.shape.slice(1);
    const syn = state.syn === undefined ? undefined : this.checkState(method, 'syn', state.syn, stepShape);
    const mem = state.mem === undefined ? undefined : this.checkState(method, 'mem', state.mem, stepShape);
    this.checkDecayFits(method, 'alpha', this.alpha, stepShape);
    this.checkDecayFits(method, 'beta', this.beta, stepShape);
    return { syn, mem };
  }

  /** The fused path for a checked sequence, or null when this layer must run step by step. */
  #fused(seq: Tensor, start: { syn?: Tensor; mem?: Tensor }): SynapticSequenceTensors | null {
    if (this.resetMode === 'zero') return null; // the reset zeroes the current too: not a leaky integrator
    const reset = this.fusedReset();
    if (reset === null) return null;
    const stepShape = seq.shape.slice(1);
    const currents = lifSequence(seq, start.syn ?? this.zerosOf(stepShape), this.effectiveDecay(this.alpha), this.threshold, 'none', { detach: true });
    const membranes = lifSequence(currents, start.mem ?? this.zerosOf(stepShape), this.effectiveDecay(this.beta), this.threshold, this.resetMode, reset);
    const spikes = this.fire(membranes);
    this.emitSequence(spikes);
    const T = seq.shape[0];
    const last = (s: Tensor): Tensor => s.slice([[T - 1, T]]).squeeze(0);
    return { spikes, membranes, syn: last(currents), mem: last(membranes) };
  }

  /** The spikes [T, N, ...] from rest of the fused spike op, or null when the layer records its spikes with heaviside (or runs step by step). */
  #fusedSpikes(seq: Tensor): Tensor | null {
    if (this.resetMode === 'zero') return null; // the reset zeroes the current too: not a leaky integrator
    const spike = this.fusedSpikes();
    if (spike === null) return null;
    const rest = this.zerosOf(seq.shape.slice(1));
    const currents = lifSequence(seq, rest, this.effectiveDecay(this.alpha), this.threshold, 'none', { detach: true });
    const spikes = lifSpikeSequence(currents, this.zerosOf(rest), this.effectiveDecay(this.beta), this.threshold, this.resetMode, spike);
    this.emitSequence(spikes);
    return spikes;
  }

  /** A whole sequence from rest; the spikes [T, N, ...] (or the membranes with output 'membrane'). One tensor runs fused when `runSequence` would. */
  override forward(...inputs: Tensor[]): Tensor {
    if (inputs.length === 1) {
      const seq = this.checkSequence('run', inputs[0]);
      const start = this.#checkStart('run', seq, {});
      // evaluation of spikes keeps the in-place step loop: one buffer per state, not T
      if (this.output === 'membrane' || shouldRecord([seq, this.alpha, this.beta, this.threshold])) {
        // only the spikes are wanted: one op makes them with the membranes
        const spikes = this.output === 'spikes' ? this.#fusedSpikes(seq) : null;
        if (spikes !== null) return spikes;
        const fused = this.#fused(seq, start);
        if (fused !== null) return this.output === 'spikes' ? fused.spikes : fused.membranes;
      }
    }
    const { spikes, membranes } = this.run(inputs.length === 1 ? inputs[0] : inputs, {}, { membranes: this.output === 'membrane' });
    return stack(this.output === 'spikes' ? spikes : membranes, 0);
  }
}
