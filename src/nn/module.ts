// The Module base class, as PyTorch's nn.Module in camelCase.
//
// A module's structure is its own properties: every property holding a `Parameter` is one of
// its parameters, every property holding a `Module` is a child, and tensors registered with
// `registerBuffer` are buffers (state that is saved but not trained, like BatchNorm's running
// statistics). So a model is written as a class with fields:
//
//   class Net extends nn.Module {
//     fc1 = new nn.Linear(784, 128);
//     act = new nn.ReLU({ backward: 'sigmoid' });
//     fc2 = new nn.Linear(128, 10);
//     forward(x: Tensor) { return this.fc2.forward(this.act.forward(this.fc1.forward(x))); }
//   }
//
// and `namedParameters()` yields 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias' in
// declaration order.
import * as nd from '../nd';
import { ArgumentError, formatShape } from '../errors';
import { validator } from '../validate';
import { Tensor } from '../tensor';

/**
 * A tensor that is a module's trainable parameter: a leaf that requires grad (unless frozen).
 * It shares the storage of the tensor it is made from (a strided view is copied, since
 * optimizers update parameters in place).
 */
export class Parameter extends Tensor {
  /** Makes a parameter sharing the storage of `data` (copied if it is a strided view), requiring grad by default. */
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new ArgumentError('Parameter: expected a Tensor');
    super(nd.contiguous(data.data), requiresGrad, true);
  }
}

/** Tensors by dotted name: parameters and persistent buffers (copies, detached). */
export type StateDict = Record<string, Tensor>;

/** Options of `Module.loadStateDict`. */
export interface LoadStateDictOptions {
  /** Require the keys to match exactly (default true). Shape mismatches are errors either way. */
  strict?: boolean;
}

/** What `Module.loadStateDict` did not match: missing and unexpected keys, shape mismatches. */
export interface LoadStateDictResult {
  /** Keys the module expected that the state dict lacks. */
  missingKeys: string[];
  /** Keys of the state dict the module does not have. */
  unexpectedKeys: string[];
}

/** A state-dict entry whose shape differs from the module's tensor. */
export interface ShapeMismatch {
  /** The state-dict key. */
  key: string;
  /** The module's shape for that key. */
  expected: number[];
  /** The state dict's shape for that key. */
  got: number[];
}

/** A state dict that does not fit a module: every problem at once; the module was not changed. */
export class StateDictError extends ArgumentError {
  /** Keys the module expected that the state dict lacks. */
  readonly missingKeys: string[];
  /** Keys of the state dict the module does not have. */
  readonly unexpectedKeys: string[];
  /** Keys whose tensor shape differs from the module's. */
  readonly shapeMismatches: ShapeMismatch[];
  /** Keys whose value is not a Tensor. */
  readonly invalidKeys: string[];

  /** Creates the error from the problems found loading a state dict into `owner` (listed in its message). */
  constructor(
    owner: string,
    problems: { missingKeys: string[]; unexpectedKeys: string[]; shapeMismatches: ShapeMismatch[]; invalidKeys: string[] },
  ) {
    const lines: string[] = [];
    if (problems.missingKeys.length > 0) lines.push(`missing keys: ${problems.missingKeys.join(', ')}`);
    if (problems.unexpectedKeys.length > 0) lines.push(`unexpected keys: ${problems.unexpectedKeys.join(', ')}`);
    for (const m of problems.shapeMismatches) {
      lines.push(`shape mismatch for '${m.key}': the module has ${formatShape(m.expected)}, the state dict ${formatShape(m.got)}`);
    }
    if (problems.invalidKeys.length > 0) lines.push(`not tensors: ${problems.invalidKeys.join(', ')}`);
    super(`${owner}.loadStateDict: the state dict does not fit; the module was not changed.\n  ${lines.join('\n  ')}`);
    this.missingKeys = problems.missingKeys;
    this.unexpectedKeys = problems.unexpectedKeys;
    this.shapeMismatches = problems.shapeMismatches;
    this.invalidKeys = problems.invalidKeys;
  }
}

type Slots = Record<string, unknown>;

/**
 * Called after a module's forward with the module, its inputs and its output (as PyTorch's
 * forward hooks). Return a tensor to use it as the output instead; return nothing to keep it.
 */
export type ForwardHook<M extends Module = Module> = (module: M, inputs: readonly Tensor[], output: Tensor) => Tensor | void;

/** What `registerForwardHook` returns: `remove()` unregisters the hook (calling it again does nothing). */
export interface RemovableHandle {
  /** Unregisters the hook; calling it again does nothing. */
  remove(): void;
}

/** The base class of layers and models (as PyTorch's nn.Module): parameters, buffers and children found by name, train/eval mode, state dicts, forward hooks. */
export abstract class Module {
  /** Training mode (dropout active, batch statistics) or evaluation mode; see train()/eval(). */
  training = true;
  /** Buffer names, each with whether it is persistent (saved in the state dict). */
  readonly #buffers = new Map<string, boolean>();
  /** The forward hooks in registration order; null while there are none (see registerForwardHook). */
  #forwardHooks: { readonly hook: ForwardHook }[] | null = null;
  /** The instance's own `forward` property from before the hooks wrapped it (normally none). */
  #ownForward: PropertyDescriptor | undefined = undefined;

  /** The computation. Call it directly: `model.forward(x)`. */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** The class name shown by toString(). */
  protected typeName(): string {
    return this.constructor.name;
  }

  /** What toString() shows in the parentheses after the type name (options, sizes). */
  protected extraRepr(): string {
    return '';
  }

  // ---- registration ----

  /** Set a property to a parameter (a tensor is wrapped in a Parameter sharing its storage). */
  registerParameter(name: string, value: Tensor | null): void {
    checkName('registerParameter', name);
    (this as unknown as Slots)[name] = value === null || value instanceof Parameter ? value : new Parameter(value);
  }

  /**
   * Set a property to a buffer: a tensor saved in the state dict (unless `persistent` is false)
   * and converted by `to()`, but not trained.
   */
  registerBuffer(name: string, value: Tensor | null, persistent = true): void {
    checkName('registerBuffer', name);
    if (value !== null && !(value instanceof Tensor)) throw new ArgumentError(`registerBuffer: '${name}' must be a Tensor or null`);
    this.#buffers.set(name, persistent);
    (this as unknown as Slots)[name] = value;
  }

  /** Set a property to a child module (for names that are not identifiers, such as '0'). */
  registerModule(name: string, module: Module | null): void {
    checkName('registerModule', name);
    if (module !== null && !(module instanceof Module)) throw new ArgumentError(`registerModule: '${name}' must be a Module or null`);
    (this as unknown as Slots)[name] = module;
  }

  // ---- traversal ----

  private ownEntries(): [string, unknown][] {
    return Object.entries(this as unknown as Slots);
  }

  /** This module's own parameters (not its children's), by property name. */
  private ownParameters(): [string, Parameter][] {
    return this.ownEntries().filter((e): e is [string, Parameter] => e[1] instanceof Parameter);
  }

  private ownBuffers(persistentOnly: boolean): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [name, persistent] of this.#buffers) {
      const value = (this as unknown as Slots)[name];
      if (value instanceof Tensor && (persistent || !persistentOnly)) out.push([name, value]);
    }
    return out;
  }

  /** The direct children, by property name. */
  namedChildren(): [string, Module][] {
    return this.ownEntries().filter((e): e is [string, Module] => e[1] instanceof Module);
  }

  /** The direct child modules, in property order, as `nn.Module.children()`. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every module below it, depth first, with dotted names ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const visit = (module: Module, name: string): void => {
      if (seen.has(module)) return;
      seen.add(module);
      out.push([name, module]);
      for (const [childName, child] of module.namedChildren()) visit(child, name === '' ? childName : `${name}.${childName}`);
    };
    visit(this, prefix);
    return out;
  }

  /** This module and every module below it, depth first, each once, as `nn.Module.modules()`. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Every parameter with its dotted name ('0.weight'), each parameter once. */
  namedParameters(options: { prefix?: string; recurse?: boolean } = {}): [string, Parameter][] {
    const modules: [string, Module][] = options.recurse === false ? [[options.prefix ?? '', this]] : this.namedModules(options.prefix);
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [moduleName, module] of modules) {
      for (const [name, p] of module.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push([join(moduleName, name), p]);
      }
    }
    return out;
  }

  /** Every parameter of this module and (unless `recurse` is false) its descendants, each once. */
  parameters(options: { recurse?: boolean } = {}): Parameter[] {
    return this.namedParameters(options).map(([, p]) => p);
  }

  /** Every buffer (persistent or not) with its dotted name. */
  namedBuffers(): [string, Tensor][] {
    return this.namedModules().flatMap(([moduleName, m]) =>
      m.ownBuffers(false).map(([name, b]): [string, Tensor] => [join(moduleName, name), b]),
    );
  }

  /** Every buffer (persistent or not) of this module and its descendants. */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** Call `fn` on every child (recursively), then on this module, as PyTorch; returns this. */
  apply(fn: (module: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  // ---- forward hooks ----

  /**
   * Run `hook(module, inputs, output)` after every call of this module's `forward`, whoever makes
   * the call (a Sequential, a parent's forward, your own code); returns a handle whose `remove()`
   * unregisters it. Hooks run in registration order, also inside `noGrad`.
   *
   * How: while this module has at least one hook, the instance carries its own non-enumerable
   * `forward` that calls the class's forward and then the hooks. Subclasses keep overriding
   * `forward` as usual and callers keep calling it, so nothing else changes; and when the last
   * hook is removed that property is deleted, so a module without hooks runs exactly the code it
   * ran before: no check, no wrapper, no cost.
   */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    if (typeof hook !== 'function') {
      throw new ArgumentError(`${this.typeName()}.registerForwardHook: expected a function (module, inputs, output) => void, got ${typeof hook}`);
    }
    const hooks = this.#forwardHooks ?? this.#wrapForward();
    const entry = { hook: hook as ForwardHook };
    hooks.push(entry);
    let removed = false;
    return {
      remove: () => {
        if (removed) return;
        removed = true;
        const i = hooks.indexOf(entry);
        if (i >= 0) hooks.splice(i, 1);
        if (hooks.length === 0 && this.#forwardHooks === hooks) this.#unwrapForward();
      },
    };
  }

  /** How many forward hooks are registered on this module (not its children). */
  get forwardHookCount(): number {
    return this.#forwardHooks?.length ?? 0;
  }

  #wrapForward(): { readonly hook: ForwardHook }[] {
    const hooks: { readonly hook: ForwardHook }[] = [];
    this.#forwardHooks = hooks;
    this.#ownForward = Object.getOwnPropertyDescriptor(this, 'forward');
    const inner = this.forward;
    Object.defineProperty(this, 'forward', {
      configurable: true,
      enumerable: false, // not a slot: traversal (parameters, children) never sees it
      writable: true,
      value: (...inputs: Tensor[]): Tensor => {
        let output = inner.apply(this, inputs);
        for (const { hook } of hooks.slice()) {
          const replaced = hook(this, inputs, output);
          if (replaced === undefined) continue;
          if (!(replaced instanceof Tensor)) {
            throw new ArgumentError(`${this.typeName()}: a forward hook returned ${typeof replaced}; return a Tensor to replace the output, or nothing`);
          }
          output = replaced;
        }
        return output;
      },
    });
    return hooks;
  }

  #unwrapForward(): void {
    if (this.#ownForward === undefined) delete (this as unknown as Slots).forward;
    else Object.defineProperty(this, 'forward', this.#ownForward);
    this.#forwardHooks = null;
    this.#ownForward = undefined;
  }

  // ---- modes and gradients ----

  /** Set training mode on this module and every module below it; returns this. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new ArgumentError(`train: mode must be true or false, got ${String(mode)}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode (dropout off, BatchNorm uses its running statistics); returns this. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clear every parameter's gradient. By default set it to null, as PyTorch ≥ 2 does
   * (`set_to_none=True`): the next backward allocates a fresh `.grad`, and an optimizer skips a
   * parameter that received none. `zeroGrad(false)` instead fills the existing `.grad` buffers with
   * zeros and keeps them, so backward accumulates into the same memory every step (no allocation;
   * a parameter that receives no gradient then has a zero `.grad` and is still stepped, so
   * momentum and weight decay move it — the same trade-off as PyTorch's `set_to_none=False`).
   */
  zeroGrad(setToNone = true): void {
    if (typeof setToNone !== 'boolean') {
      throw new ArgumentError(`zeroGrad: setToNone must be true or false, got ${String(setToNone)}`);
    }
    for (const p of this.parameters()) {
      if (setToNone || p.grad === null) p.grad = null;
      else if (nd.isContiguous(p.grad.data)) p.grad.data.data.fill(0);
      else p.grad = new Tensor(nd.zeros(p.shape, p.dtype)); // a strided view set by hand: never write through it
    }
  }

  /** Freeze (false) or unfreeze (true) every parameter; returns this. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** How many numbers the parameters hold (each shared parameter counted once). */
  numParameters(options: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!options.trainableOnly || p.requiresGrad) n += p.size;
    return n;
  }

  /**
   * Convert every parameter and buffer to `dtype`, in place: each keeps its identity (only its
   * storage and dtype change), so optimizers made before, rules that read a parameter and any
   * module sharing it keep working. Gradients of converted tensors are dropped, and graphs recorded
   * before can no longer be differentiated. An optimizer's existing state (momentum buffers, ...)
   * keeps its dtype. Learnable rule parameters (`nn.learnable`) stay float64. Returns this.
   */
  to(dtype: nd.Dtype): this {
    if (!nd.isDtype(dtype)) throw new ArgumentError(`to: unknown dtype '${String(dtype)}'; use one of ${nd.DTYPES.join(', ')}`);
    const done = new Set<Tensor>();
    for (const module of this.modules()) {
      const slots = module as unknown as Slots;
      for (const [name, b] of module.ownBuffers(false)) {
        // a buffer holding an op's output cannot have its storage swapped: replace it (detached)
        if ((!b.isLeaf || b.gradFn !== null) && b.dtype !== dtype) slots[name] = new Tensor(nd.copy(b.data, dtype));
      }
      const tensors: Tensor[] = [...module.ownParameters().map(([, p]) => p), ...module.ownBuffers(false).map(([, b]) => b)];
      for (const t of tensors) {
        if (done.has(t)) continue;
        done.add(t);
        if (t.dtype !== dtype && (t as { fixedDtype?: boolean }).fixedDtype !== true) t._setData(nd.copy(t.data, dtype));
      }
    }
    return this;
  }

  // ---- state ----

  /** Parameters and persistent buffers by dotted name, as detached copies (safe to keep). */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [key, t] of this.stateEntries()) out[key] = new Tensor(nd.copy(t.data));
    return out;
  }

  /** The live tensors the state dict is made of, by dotted name (shared parameters under each name). */
  private stateEntries(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [moduleName, module] of this.namedModules()) {
      for (const [name, p] of module.ownParameters()) out.push([join(moduleName, name), p]);
      for (const [name, b] of module.ownBuffers(true)) out.push([join(moduleName, name), b]);
    }
    return out;
  }

  /**
   * Copy a state dict's tensors into this module's parameters and buffers (in place, converting
   * the dtype if needed; optimizers keep working). Missing and unexpected keys (errors when
   * `strict`, the default) and shape mismatches (always errors) are all reported in one
   * StateDictError, and then nothing has been changed.
   */
  loadStateDict(state: StateDict, options: LoadStateDictOptions = {}): LoadStateDictResult {
    // 1. validate: keys, types and shapes of every entry
    const owner = this.typeName();
    if (state === null || typeof state !== 'object') {
      throw new ArgumentError(`${owner}.loadStateDict: expected an object of tensors by name, got ${String(state)}`);
    }
    const v = validator(`${owner}.loadStateDict`);
    const o = v.options(options, ['strict'], { example: '{ strict: false }' });
    const strict = v.boolean('strict', o.strict ?? true);
    const targets = this.stateEntries();
    const expected = new Set(targets.map(([key]) => key));
    const missingKeys = targets.map(([key]) => key).filter((key) => !Object.hasOwn(state, key));
    const unexpectedKeys = Object.keys(state).filter((key) => !expected.has(key));
    const shapeMismatches: ShapeMismatch[] = [];
    const invalidKeys: string[] = [];
    const copies: [Tensor, Tensor][] = [];
    for (const [key, target] of targets) {
      if (!Object.hasOwn(state, key)) continue;
      const value = state[key];
      if (!(value instanceof Tensor)) {
        invalidKeys.push(key);
      } else if (!sameShape(value.shape, target.shape)) {
        shapeMismatches.push({ key, expected: [...target.shape], got: [...value.shape] });
      } else {
        copies.push([target, value]);
      }
    }
    const keyProblems = strict && (missingKeys.length > 0 || unexpectedKeys.length > 0);
    if (keyProblems || shapeMismatches.length > 0 || invalidKeys.length > 0) {
      throw new StateDictError(owner, {
        missingKeys: strict ? missingKeys : [],
        unexpectedKeys: strict ? unexpectedKeys : [],
        shapeMismatches,
        invalidKeys,
      });
    }
    // 2. mutate (everything above only read)
    for (const [target, value] of copies) copyInto(target, value);
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** A readable summary: the module tree with options, parameter shapes and backward rules. */
  toString(): string {
    const total = this.numParameters();
    const trainable = this.numParameters({ trainableOnly: true });
    const count = trainable === total ? `${fmtCount(total)} parameters` : `${fmtCount(total)} parameters, ${fmtCount(trainable)} trainable`;
    return `${this.repr()}\n(${count})`;
  }

  /** One module's line, and its children's indented below it. */
  private repr(): string {
    const own = this.ownParameters().map(([name, p]) => `${name} ${formatShape(p.shape)}${p.requiresGrad ? '' : ' (frozen)'}`);
    const shapes = own.length > 0 ? `{${own.join(', ')}}` : '';
    const children = this.namedChildren();
    if (children.length === 0) return `${this.typeName()}(${this.extraRepr()})${shapes === '' ? '' : `  ${shapes}`}`;
    const lines = children.map(([name, child]) => `  (${name}): ${child.repr().split('\n').join('\n  ')}`);
    if (shapes !== '') lines.unshift(`  ${shapes}`);
    const extra = this.extraRepr();
    return `${this.typeName()}(${extra === '' ? '' : `${extra},`}\n${lines.join('\n')}\n)`;
  }
}

/** Copy `value` into `target` in place (converting the dtype), whatever their layouts. */
export function copyInto(target: Tensor, value: Tensor): void {
  target.bumpVersion();
  const src = nd.contiguous(value.data).data;
  const dst = target.data;
  if (nd.isContiguous(dst)) {
    dst.data.set(src);
    return;
  }
  // parameters are contiguous; a strided buffer set by hand is written element by element
  const tmp = nd.wrap(nd.alloc(target.dtype, target.size), target.shape);
  tmp.data.set(src);
  const flatIndex = new Array<number>(dst.shape.length).fill(0);
  for (let i = 0; i < tmp.data.length; i++) {
    let offset = dst.offset;
    for (let d = 0; d < flatIndex.length; d++) offset += flatIndex[d] * dst.stride[d];
    dst.data[offset] = tmp.data[i];
    for (let d = flatIndex.length - 1; d >= 0; d--) {
      if (++flatIndex[d] < dst.shape[d]) break;
      flatIndex[d] = 0;
    }
  }
}

function checkName(op: string, name: string): void {
  if (typeof name !== 'string' || name.length === 0 || name.includes('.')) {
    throw new ArgumentError(`${op}: the name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
  }
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}
