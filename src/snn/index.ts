// The `snn` namespace: spiking neuron layers, spike encoders, spike losses and readouts.
export { LIF } from './lif';
export type { LIFOptions, LIFSequence, LIFSequenceTensors } from './lif';
export { SpikingNeuron, RESET_MODES } from './neuron';
export type { NeuronOptions, DecayInit, SpikeListener, RunOptions } from './neuron';
export type { ResetMode } from './membrane';
export { RLIF } from './rlif';
export type { RLIFOptions, RLIFSequence } from './rlif';
export { Synaptic } from './synaptic';
export type { SynapticOptions, SynapticSequence, SynapticSequenceTensors } from './synaptic';
export { rate, latency, delta } from './spikegen';
export type { RateOptions, LatencyOptions, DeltaOptions } from './spikegen';
export { ceCountLoss, ceMembraneLoss, mseRateLoss, accuracy, firingRate } from './loss';
export type { OutputSequence, MembraneLossOptions, RateLossOptions } from './loss';
export { SpikeEvents, eventLinear } from './events';
export { maxOverTime } from './readout';
export { spikeLinear } from './spike-linear';

/**
 * The snn layer's differentiable ops (recorded on the tape by the layers and functions above):
 * each has a generated float64 check in test/snn/ops-table.test.ts, keyed by this list — finite
 * differences, or, for the spike op whose forward is a step, the finite-difference-checked
 * membranes op composed with the surrogate.
 */
export const SNN_OPS = ['lifMembrane', 'lifSequence', 'lifSpikeSequence', 'leakyMaxOverTime', 'maxOverTime', 'eventLinear', 'spikeLinear'] as const;
/** The name of a differentiable op of the snn layer. */
export type SnnOpName = (typeof SNN_OPS)[number];
