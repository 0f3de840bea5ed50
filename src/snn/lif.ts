// LIF: the leaky integrate-and-fire neuron, as snnTorch's `Leaky`.
//
//   U[t] = β·U[t−1] + I[t] − R[t]·Θ        reset 'subtract' (default)
//   U[t] = β·(1 − R[t])·U[t−1] + I[t]      reset 'zero'
//   U[t] = β·U[t−1] + I[t]                 reset 'none'
//   S[t] = heaviside(U[t] − Θ)             with R[t] = S[t−1] = heaviside(U[t−1] − Θ)
//
// One step at a time with explicit state, `const [spk, mem2] = lif.step(cur, mem)`, or a whole
// sequence in one call, `lif.forward(seq)` with seq [T, N, ...features] (or one tensor per step).
// The features may have any shape (after a Linear, [N, F]; after a convolution, [N, C, H, W]).
import { ArgumentError } from '../errors';
import { Tensor } from '../tensor';
import { stack } from '../ops';
import { Parameter } from '../nn/module';
import { shouldRecord } from '../autograd/tape';
import { unrecorded } from '../ops/record';
import { isAnomalyEnabled } from '../autograd/anomaly';
import * as nd from '../nd';
import { lifMembrane, lifStepInPlace } from './membrane';
import { lifSequence, lifSpikeSequence } from './fused';
import { leakyMaxOverTime, maxOverTime } from './readout';
import { type DecayInit, type NeuronOptions, type RunOptions, NEURON_OPTION_KEYS, SpikingNeuron, checkOptionKeys, decayTensor, splitSteps } from './neuron';

export interface LIFOptions extends NeuronOptions {
  /** The membrane decay β per step, in [0, 1]: one value, or one per neuron (feature shape). */
  beta: DecayInit;
}

/** What a LIF layer returns for a whole sequence. */
export interface LIFSequence {
  /** The spikes of every step, each [N, ...features]. */
  spikes: Tensor[];
  /** The membrane potential after every step, each [N, ...features] (empty with `{ membranes: false }`). */
  membranes: Tensor[];
  /** The last membrane potential: the state to continue from. */
  mem: Tensor;
}

/** What `LIF.runSequence` returns: whole sequences as tensors. */
export interface LIFSequenceTensors {
  /** The spikes of every step, [T, N, ...features]. */
  spikes: Tensor;
  /** The membrane potential after every step, [T, N, ...features]. */
  membranes: Tensor;
  /** The last membrane potential, [N, ...features]: the state to continue from. */
  mem: Tensor;
}

export class LIF extends SpikingNeuron {
  protected readonly layerName: string = 'LIF';
  /** β: a 0-d tensor or one value per neuron; a Parameter when learnBeta. */
  readonly beta: Tensor;

  /** Creates the neuron layer from its options (decay `beta`, threshold, reset, spike rule). */
  constructor(options: LIFOptions) {
    checkOptionKeys('LIF', options, ['beta', ...NEURON_OPTION_KEYS]);
    if (options.beta === undefined) throw new ArgumentError('LIF: beta (the membrane decay per step, in [0, 1]) is required, e.g. new snn.LIF({ beta: 0.9 })');
    const beta = decayTensor('LIF', 'beta', options.beta, options.dtype ?? 'float32');
    super('LIF', options);
    this.beta = this.learnableOrBuffer('beta', beta, options.learnBeta === true);
  }

  /** Whether the decay β is learnt. */
  get learnBeta(): boolean {
    return this.beta instanceof Parameter;
  }

  /** The membrane at rest (zeros) for inputs shaped like `input` (or of this shape). */
  initState(input: Tensor | readonly number[]): Tensor {
    if (!(input instanceof Tensor) && !(Array.isArray(input) && input.every((d) => Number.isInteger(d) && d >= 0))) {
      throw new ArgumentError('LIF.initState: expected the input tensor or its shape (an array of non-negative integers)');
    }
    return this.zerosOf(input);
  }

  /**
   * One time step: the input current [N, ...features] and the previous membrane (zeros when
   * omitted) give `[spikes, membrane]`. The reset comes from the previous membrane's spike.
   */
  step(input: Tensor, mem?: Tensor): [Tensor, Tensor] {
    const x = this.checkTensor('step', 'input', input);
    const u = mem === undefined ? this.zerosOf(x) : this.checkState('step', 'mem', mem, x);
    this.checkDecayFits('step', 'beta', this.beta, x.shape);
    const beta = this.effectiveDecay(this.beta);
    const reset = this.resetMode === 'none' ? null : this.resetFrom(u);
    const next = lifMembrane(x, u, reset, beta, this.threshold, this.resetMode);
    const spikes = this.fire(next);
    this.emit(spikes);
    return [spikes, next];
  }

  /**
   * A whole sequence: a [T, N, ...features] tensor, or one [N, ...features] tensor per step (the
   * same tensor T times for a constant input current), from membrane `mem` (default zeros; it is
   * never modified). A [T, N, ...] tensor runs as one fused op (see `runSequence`) and the lists
   * are views of its results; with gradients, each list element's backward then writes into a
   * slice of a sequence-sized gradient, so prefer `runSequence` (or `forward`) for long training
   * sequences. One tensor per step, a `spikeFunction`, or a rule the fused op cannot use run step
   * by step: the state buffers are not copied between steps, and with gradients each step
   * allocates only its membrane and its spikes, which the tape keeps for backward anyway. With
   * nothing recorded and `{ membranes: false }`, one membrane buffer is updated in place and a
   * step allocates only its spikes.
   */
  run(inputs: Tensor | readonly Tensor[], mem?: Tensor, options: RunOptions = {}): LIFSequence {
    const keepMembranes = this.keepMembranes(options);
    const list = inputs instanceof Tensor ? [inputs] : inputs;
    if (list.length === 1) {
      const seq = this.checkSequence('run', list[0]);
      const start = mem === undefined ? undefined : this.checkState('run', 'mem', mem, seq.shape.slice(1));
      this.checkDecayFits('run', 'beta', this.beta, seq.shape.slice(1));
      // evaluation without membranes keeps the in-place step loop below: one membrane buffer, not T
      if (keepMembranes || shouldRecord([seq, this.beta, this.threshold, ...(start === undefined ? [] : [start])])) {
        const fused = this.#fused(seq, start);
        if (fused !== null) return { spikes: splitSteps(fused.spikes), membranes: keepMembranes ? splitSteps(fused.membranes) : [], mem: fused.mem };
      }
    }
    const steps = this.stepsOf('run', list);
    const first = steps[0];
    let u = mem === undefined ? this.zerosOf(first) : this.checkState('run', 'mem', mem, first);
    this.checkDecayFits('run', 'beta', this.beta, first.shape);
    const beta = this.effectiveDecay(this.beta);
    const spikes: Tensor[] = [];
    const membranes: Tensor[] = [];
    if (!keepMembranes && this.spikeFunction === undefined && !shouldRecord([...steps, u, beta, this.threshold])) {
      // evaluation: one membrane buffer, updated in place (a copy of `mem`: the caller's is kept)
      const owned = mem === undefined ? u.data : nd.copy(u.data);
      for (const x of steps) {
        const s = nd.zeros(owned.shape, owned.dtype);
        lifStepInPlace(x, owned, s, beta, this.threshold, this.resetMode);
        unrecorded('lifMembrane', 'exact', [x, beta, this.threshold], owned); // anomaly mode's forward check (free when off)
        const spike = new Tensor(s);
        this.emit(spike);
        spikes.push(spike);
      }
      return { spikes, membranes, mem: new Tensor(owned) };
    }
    let reset = this.resetMode === 'none' ? null : this.resetFrom(u);
    for (const x of steps) {
      u = lifMembrane(x, u, reset, beta, this.threshold, this.resetMode);
      const s = this.fire(u);
      this.emit(s);
      spikes.push(s);
      if (keepMembranes) membranes.push(u);
      if (this.resetMode !== 'none') reset = this.resetFromSpike(s);
    }
    return { spikes, membranes, mem: u };
  }

  /**
   * A whole sequence [T, N, ...features] from membrane `mem` (default zeros; never modified), with
   * the spikes and membranes as [T, N, ...features] tensors. Runs as two tape records whatever T:
   * one fused op for the membranes (its forward one loop over the steps, its backward one reverse
   * loop of backpropagation through time) and one heaviside over all of them, so every heaviside
   * rule works as it does step by step. Runs step by step instead (same values and gradients,
   * T times the records) with a `spikeFunction`, a context rule (it reads one step's batch), or,
   * with `detachReset: false`, a rule other than a plain local derivative h(x, y).
   */
  runSequence(seq: Tensor, mem?: Tensor): LIFSequenceTensors {
    const x = this.checkSequence('runSequence', seq);
    const start = mem === undefined ? undefined : this.checkState('runSequence', 'mem', mem, x.shape.slice(1));
    this.checkDecayFits('runSequence', 'beta', this.beta, x.shape.slice(1));
    const fused = this.#fused(x, start);
    if (fused !== null) return fused;
    const out = this.run(x, start);
    return { spikes: stack(out.spikes, 0), membranes: stack(out.membranes, 0), mem: out.mem };
  }

  /** The fused path for a checked sequence, or null when this layer must run step by step. */
  #fused(seq: Tensor, mem: Tensor | undefined): LIFSequenceTensors | null {
    const membranes = this.#fusedMembranes(seq, mem);
    if (membranes === null) return null;
    const spikes = this.fire(membranes);
    this.emitSequence(spikes);
    const T = seq.shape[0];
    return { spikes, membranes, mem: membranes.slice([[T - 1, T]]).squeeze(0) };
  }

  /** The membranes [T, N, ...] of the fused op, or null when this layer must run step by step. */
  #fusedMembranes(seq: Tensor, mem: Tensor | undefined): Tensor | null {
    const reset = this.fusedReset();
    if (reset === null) return null;
    const mem0 = mem ?? this.zerosOf(seq.shape.slice(1));
    return lifSequence(seq, mem0, this.effectiveDecay(this.beta), this.threshold, this.resetMode, reset);
  }

  /**
   * The largest membrane potential of each neuron over a whole sequence [T, N, ...features] from
   * rest: [N, ...features], the values and gradients of
   * `snn.maxOverTime(lif.runSequence(seq).membranes)` — the readout of SpyTorch's tutorials (a
   * leaky output layer that does not spike, read at its maximum). With reset 'none', a fixed β and
   * nothing listening to the layer's spikes (and anomaly mode off) it runs as one op that keeps no membranes; otherwise
   * as runSequence, then maxOverTime.
   */
  maxMembrane(seq: Tensor): Tensor {
    const x = this.checkSequence('maxMembrane', seq);
    this.checkDecayFits('maxMembrane', 'beta', this.beta, x.shape.slice(1));
    // the one-op form never holds the membranes, so anomaly mode (which checks every op's output) takes the composition
    if (this.resetMode === 'none' && !this.learnBeta && !this.hasSpikeListeners && !isAnomalyEnabled()) return leakyMaxOverTime(x, this.beta);
    return maxOverTime(this.runSequence(x).membranes);
  }

  /** The spikes [T, N, ...] from rest of the fused spike op, or null when the layer records its spikes with heaviside. */
  #fusedSpikes(seq: Tensor): Tensor | null {
    const spike = this.fusedSpikes();
    if (spike === null) return null;
    const spikes = lifSpikeSequence(seq, this.zerosOf(seq.shape.slice(1)), this.effectiveDecay(this.beta), this.threshold, this.resetMode, spike);
    this.emitSequence(spikes);
    return spikes;
  }

  /**
   * A whole sequence from rest: one tensor [T, N, ...features], or several tensors (one per time
   * step). Returns the spikes [T, N, ...features], or the membrane potentials with
   * `output: 'membrane'`. One tensor runs as `runSequence` (fused) when the layer allows it; for
   * the spikes alone, one op makes them with the membranes (on the tape as 'lifSpikeSequence',
   * with the heaviside rule as its rule) unless the rule has learnable parameters.
   */
  override forward(...inputs: Tensor[]): Tensor {
    if (inputs.length === 1) {
      const seq = this.checkSequence('run', inputs[0]);
      this.checkDecayFits('run', 'beta', this.beta, seq.shape.slice(1));
      // evaluation of spikes keeps the in-place step loop: one membrane buffer, not T
      if (this.output === 'membrane' && !this.hasSpikeListeners) {
        // only the membranes are wanted (a readout): no spikes are made
        const membranes = this.#fusedMembranes(seq, undefined);
        if (membranes !== null) return membranes;
      } else if (this.output === 'membrane' || shouldRecord([seq, this.beta, this.threshold])) {
        // only the spikes are wanted (a hidden layer): one op makes them with the membranes
        const spikes = this.output === 'spikes' ? this.#fusedSpikes(seq) : null;
        if (spikes !== null) return spikes;
        const fused = this.#fused(seq, undefined);
        if (fused !== null) return this.output === 'spikes' ? fused.spikes : fused.membranes;
      }
    }
    const { spikes, membranes } = this.run(inputs.length === 1 ? inputs[0] : inputs, undefined, { membranes: this.output === 'membrane' });
    return stack(this.output === 'spikes' ? spikes : membranes, 0);
  }

  protected override extraRepr(): string {
    const beta = this.beta.ndim === 0 ? String(this.beta.item()) : `[${this.beta.shape}]`;
    return `beta=${beta}, threshold=${this.threshold.item()}, reset=${this.resetMode}, learnBeta=${this.learnBeta}`;
  }
}
