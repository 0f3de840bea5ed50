// Rule hosts: any module holding backward-rule choices (activation layers, spiking neurons,
// binarized and quantized layers). Each choice's learnable tensors are held by a child module
// (`rule`, or e.g. `weightRule`), so they appear as `<layer>.rule.alpha` in `namedParameters()`,
// the state dict and checkpoints, and a RuleSchedule finds every host through `ruleChoices()`.
import { ArgumentError, RuleError } from '../errors';
import type { Tensor } from '../tensor';
import type { RuleChoice } from '../activations/rule';
import { ruleSources } from '../activations/learnable';
import { Module, Parameter } from './module';

/**
 * The learnable parameters of a layer's backward rule, as a child module named `rule` (so they
 * appear as `<layer>.rule.alpha` in `namedParameters()` and the state dict). Made by the layer
 * whenever its rule changes; not called directly.
 */
export class RuleParameters extends Module {
  /** Holds `entries` as named parameters (made by the layer, not called directly). */
  constructor(entries: readonly [string, Tensor][]) {
    super();
    for (const [name, tensor] of entries) (this as unknown as Record<string, Tensor>)[name] = tensor;
  }

  override forward(): Tensor {
    throw new ArgumentError('RuleParameters holds the learnable parameters of a layer\'s rule; it has no forward');
  }
}

/** A module holding backward-rule choices: each by the name of its child slot ('rule', 'weightRule'). */
export interface RuleHost {
  /** The module's rule choices, by slot: `[['rule', choice]]` (undefined: the layer follows scoped / global choices). */
  ruleChoices(): [string, RuleChoice | undefined][];
}

/** Whether a module exposes its rule choices. */
export function isRuleHost(value: unknown): value is Module & RuleHost {
  return value instanceof Module && typeof (value as Partial<RuleHost>).ruleChoices === 'function';
}

/**
 * The learnable tensors of `choice`, checked: a tensor that requires grad must be an
 * `nn.Parameter` (e.g. `nn.learnable(2)`), since a layer registers that very object for the
 * optimizer; a plain tensor could not be registered without copying it, and the rule would then
 * read a tensor the optimizer never updates. Throws a RuleError naming `where` otherwise.
 */
export function ruleParameterEntries(choice: RuleChoice | undefined, where: string): [string, Tensor][] {
  const tensors = ruleSources(choice).tensors;
  for (const [name, t] of tensors) {
    if (!(t instanceof Parameter)) {
      throw new RuleError(
        `${where}: the rule's parameter '${name}' is a tensor with requiresGrad that is not an nn.Parameter, so the layer cannot hand it to an optimizer or a checkpoint; ` +
          `use nn.learnable(value) (or wrap it: new nn.Parameter(t), and pass that same object to the rule)`,
      );
    }
  }
  return tensors;
}

/**
 * Keep `module`'s child `slot` (the learnable parameters of `choice`) in step with the choice:
 * removed when the rule has none, replaced when they changed. Call `ruleParameterEntries` first to
 * check the choice before the module changes anything else.
 */
export function syncRuleChild(module: Module, slot: string, choice: RuleChoice | undefined, where: string): void {
  const tensors = ruleParameterEntries(choice, where);
  const slots = module as unknown as Record<string, unknown>;
  if (tensors.length === 0) {
    if (slots[slot] instanceof RuleParameters) delete slots[slot];
    return;
  }
  const current = slots[slot];
  if (current instanceof RuleParameters) {
    const names = current.namedParameters({ recurse: false });
    if (names.length === tensors.length && names.every(([n, p], i) => n === tensors[i][0] && p === tensors[i][1])) return;
  }
  slots[slot] = new RuleParameters(tensors);
}
