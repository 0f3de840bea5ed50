// Losses as modules, wrapping the loss functions of src/ops: `new nn.CrossEntropyLoss()`
// then `criterion.forward(logits, labels)`. Each takes { reduction: 'mean' | 'sum' | 'none' }.
import type { Tensor } from '../tensor';
import { validator } from '../validate';
import { binaryCrossEntropyWithLogits, crossEntropy, l1Loss, mseLoss, nllLoss } from '../ops';
import type { LossOptions, Reduction } from '../ops';
import { Module } from './module';

const REDUCTIONS: readonly Reduction[] = ['none', 'mean', 'sum'];

abstract class Loss extends Module {
  /** How the per-element losses are combined: 'mean', 'sum' or 'none'. */
  readonly reduction: Reduction;

  /** Creates the loss with its `reduction` (default 'mean'). */
  constructor(options: LossOptions = {}) {
    super();
    const v = validator(new.target.name);
    const o = v.options(options, ['reduction'], { example: "{ reduction: 'sum' }" });
    const reduction = v.oneOf('reduction', o.reduction ?? 'mean', REDUCTIONS);
    this.reduction = reduction;
  }

  protected override extraRepr(): string {
    return `reduction='${this.reduction}'`;
  }
}

/** Mean squared error, (input − target)². */
export class MSELoss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error, |input − target|. */
export class L1Loss extends Loss {
  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Softmax cross-entropy of logits [N, C] against class labels [N]. */
export class CrossEntropyLoss extends Loss {
  override forward(logits: Tensor, labels: Tensor | readonly number[]): Tensor {
    return crossEntropy(logits, labels, { reduction: this.reduction });
  }
}

/** Negative log-likelihood of log-probabilities [N, C] (e.g. from logSoftmax) against labels [N]. */
export class NLLLoss extends Loss {
  override forward(logProbs: Tensor, labels: Tensor | readonly number[]): Tensor {
    return nllLoss(logProbs, labels, { reduction: this.reduction });
  }
}

/** Binary cross-entropy of logits against targets in [0, 1], computed stably from the logits. */
export class BCEWithLogitsLoss extends Loss {
  override forward(logits: Tensor, targets: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(logits, targets, { reduction: this.reduction });
  }
}
