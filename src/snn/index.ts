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
