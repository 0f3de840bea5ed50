// surrograd.diagnostics: what gradients do inside a model. Per-layer gradient norms (weights and
// layer outputs) and the first/last-layer ratio, dead ReLU units, saturated sigmoid/tanh units,
// activation statistics, and the agreement of the chosen backward rules with the exact gradient.
//
// Gradient norms of parameters are read from `.grad` (`layerGradNorms`, cheap after every step);
// everything else is collected by forward hooks that a `monitor` attaches and `remove()` takes
// off again, so a model that is not being watched pays nothing.
export { gradNorms, layerGradNorms, firstLastRatio } from './norms';
export type { LayerGradNorm } from './norms';
export { monitor, Monitor, DEFAULT_SATURATION, DEFAULT_RECTIFIERS } from './monitor';
export type { MonitorOptions, MonitorReport, ActivationReport, SpikingReport } from './monitor';
export { ruleAgreement } from './agreement';
export type { LayerAgreement } from './agreement';
export { diagnose } from './diagnose';
export type { DiagnoseOptions, DiagnosticsReport } from './diagnose';
export { weightLayers, activationLayers } from './layers';
export type { WeightLayer } from './layers';
