// One call for the whole picture on a reference batch: a forward and backward pass with a
// monitor attached, and optionally the agreement of the model's rules with the exact ones.
// The model is left as it was found (parameters' .grad, BatchNorm running statistics).
import { ArgumentError, GraphError } from '../errors';
import { Tensor } from '../tensor';
import type { Module } from '../nn/module';
import { monitor, type MonitorOptions, type MonitorReport } from './monitor';
import { ruleAgreement, type LayerAgreement } from './agreement';
import { restoreState, saveState } from './state';

/** Options of `diagnostics.diagnose`. */
export interface DiagnoseOptions extends MonitorOptions {
  /** Also compare each layer's gradient with the exact one (a second forward and backward). Default false. */
  agreement?: boolean;
}

/** What `diagnostics.diagnose` measured on a reference batch. */
export interface DiagnosticsReport extends MonitorReport {
  /** The loss of the reference batch. */
  loss: number;
  /** Per weight layer, present when `agreement` was asked for. */
  agreement?: LayerAgreement[];
}

/**
 * Diagnose `model` on the loss that `loss()` computes (it runs the forward pass, e.g.
 * `() => model.forward(x).crossEntropy(labels)`): per-layer gradient norms of weights and layer
 * outputs, the first/last ratio, dead and saturated units, activation statistics, and with
 * `{ agreement: true }` how far the model's rules are from the exact gradient per layer.
 * Nothing about the model changes; the mode (train/eval) is used as it is.
 */
export function diagnose(model: Module, loss: () => Tensor, options: DiagnoseOptions = {}): DiagnosticsReport {
  if (typeof loss !== 'function') throw new ArgumentError('diagnose: loss must be a function that runs the model and returns a scalar loss');
  const { agreement, ...monitorOptions } = options;
  const state = saveState(model);
  const m = monitor(model, monitorOptions);
  let report: MonitorReport;
  let value: number;
  try {
    model.zeroGrad();
    const out = loss();
    if (!(out instanceof Tensor) || out.size !== 1) throw new GraphError('diagnose: loss() must return a one-element tensor (a scalar loss)');
    value = out.item();
    if (out.requiresGrad) out.backward();
    report = m.report();
  } finally {
    m.remove();
    restoreState(state);
  }
  const result: DiagnosticsReport = { loss: value, ...report };
  if (agreement === true) result.agreement = ruleAgreement(model, loss);
  return result;
}
