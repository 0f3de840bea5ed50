// The optimizer base: parameter groups with per-group options, per-parameter state kept in
// typed arrays, `step()` / `zeroGrad()` / `stateDict()` / `loadStateDict()` as in PyTorch.
//
// Optimizers never touch the tape. A step reads each parameter's `.grad`, and writes the
// parameter's data in place in one fused loop per parameter, allocating nothing after the first
// step (state buffers are created the first time a parameter has a gradient). Everything that
// could make a step fail (an option set to a bad value after construction, a gradient of the
// wrong shape) is checked for every parameter before any parameter is written, so a step that
// throws leaves every parameter as it was.
import * as nd from '../nd';
import { ArgumentError, ShapeError, formatShape } from '../errors';
import { Tensor } from '../tensor';
import { type Validator, describeValue, validator } from '../validate';

/** A Float32Array or a Float64Array. */
export type FloatArray = Float32Array | Float64Array;

/** A per-parameter state entry: a step count or another scalar, a buffer, or "not yet made". */
export type StateValue = number | FloatArray | null;
/** One parameter's optimizer state (momentum buffers, step counts, ...). */
export type ParamState = Record<string, StateValue>;

/** The values an option can take: what `stateDict()` writes and `loadStateDict()` accepts. */
export type OptionValue = number | boolean | string | readonly number[];

/** Options every optimizer has: a learning rate that schedulers may change between steps. */
export interface BaseOptions {
  /** The learning rate. */
  lr: number;
}

/** One parameter group: its parameters and its own copy of every option. */
export type ParamGroup<O extends BaseOptions> = O & {
  params: Tensor[];
  /** The learning rate a scheduler started from (set by the first scheduler attached). */
  initialLr?: number;
};

/** What the constructor and `addParamGroup` accept: parameters plus any options to override. */
export type ParamGroupSpec<O extends BaseOptions> = Partial<O> & { params: Iterable<Tensor> };

/** What an optimizer takes: parameters, or parameter groups with their own options. */
export type Params<O extends BaseOptions> = Iterable<Tensor> | readonly ParamGroupSpec<O>[];

/** PyTorch's layout: state keyed by parameter index (counting through the groups in order). */
export interface OptimizerStateDict {
  /** The optimizer's class name, checked on load. */
  type: string;
  /** Per-parameter state, keyed by parameter index across the groups. */
  state: Record<string, ParamState>;
  /** Each group's options, with its parameters as indices. */
  paramGroups: (Record<string, OptionValue> & { params: number[] })[];
}

/** The base class of optimizers: parameter groups with their options, per-parameter state, `step()`, `zeroGrad()`, state dicts. Optimizers read `param.grad` and never touch the tape. */
export abstract class Optimizer<O extends BaseOptions, S extends ParamState> {
  /** The optimizer's name, used in error messages and stored in state dicts. */
  abstract readonly name: string;
  /** The options given at construction over the optimizer's defaults (frozen); a group's unset options come from here. */
  readonly defaults: Readonly<O>;
  /** The parameter groups, each with its parameters and its own copy of every option. */
  readonly paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, created when a parameter first has a gradient. */
  readonly state = new Map<Tensor, S>();

  /**
   * `defaults` holds every option of the subclass with its default value (its keys are the valid
   * options); `options` are the user's overrides, which may only use those keys.
   */
  protected constructor(name: string, params: Params<O>, defaults: O, options: Partial<O> = {}) {
    // 1. validate: the options, then every group (each checked against the new defaults)
    const v = validator(name);
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw v.error(`options must be an object such as { lr: 0.1 }, got ${describeValue(options)}`);
    }
    const unknown = unknownKeys(options, defaults);
    if (unknown.length > 0) throw v.error(unknownOptionsMessage(unknown, '', defaults));
    const merged = withOwnArrays({ ...defaults, ...options });
    this.checkOptions(v, merged);
    const specs = toGroupSpecs(name, params);
    if (specs.length === 0) throw v.error('got an empty parameter list; pass model.parameters()');
    const groups: ParamGroup<O>[] = [];
    for (const spec of specs) groups.push(this.makeGroup(name, spec, merged, groups));
    // 2. mutate
    this.defaults = Object.freeze(merged);
    this.paramGroups.push(...groups);
  }

  /** Throw an ArgumentError (through `v`) naming the option and its value if any option is invalid. */
  protected abstract checkOptions(v: Validator, options: O): void;

  /** A fresh state for `param` (zeros, or whatever the algorithm starts from). */
  protected abstract initState(param: Tensor, group: ParamGroup<O>): S;

  /**
   * The fused update of one parameter in place: `p` its data, `g` its gradient (both contiguous,
   * same length). Must not allocate.
   */
  protected abstract update(p: FloatArray, g: FloatArray, state: S, group: ParamGroup<O>): void;

  /** Add a group of parameters with options that override the defaults. */
  addParamGroup(group: ParamGroupSpec<O>): void {
    const made = this.makeGroup(this.name, group, this.defaults, []); // validate
    this.paramGroups.push(made); // then mutate
  }

  /** A checked param group made from `spec` over `defaults`; `pending` are groups made but not yet added. */
  private makeGroup(name: string, spec: ParamGroupSpec<O>, defaults: O, pending: readonly ParamGroup<O>[]): ParamGroup<O> {
    const index = this.paramGroups.length + pending.length;
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec) || spec.params === undefined) {
      throw new ArgumentError(`${name}: param group ${index} must be an object with a 'params' list, got ${describeValue(spec)}`);
    }
    const iterable = spec.params as unknown;
    if (iterable instanceof Tensor) {
      throw new ArgumentError(`${name}: the params of param group ${index} are a single Tensor; wrap it in a list: [t]`);
    }
    if (iterable === null || typeof iterable !== 'object' || typeof (iterable as Iterable<unknown>)[Symbol.iterator] !== 'function') {
      throw new ArgumentError(`${name}: the params of param group ${index} must be a list of tensors, got ${describeValue(iterable)}`);
    }
    const params = [...(iterable as Iterable<Tensor>)];
    for (const [i, p] of params.entries()) {
      if (!(p instanceof Tensor)) {
        throw new ArgumentError(`${name}: param group ${index}, entry ${i} is not a Tensor`);
      }
      if (!p.isLeaf) {
        throw new ArgumentError(
          `${name}: param group ${index}, entry ${i} (shape ${formatShape(p.shape)}) is not a leaf tensor; ` +
            'an optimizer updates leaves (parameters), not results of ops: use detach()',
        );
      }
      if (!nd.isContiguous(p.data)) {
        throw new ArgumentError(
          `${name}: param group ${index}, entry ${i} (shape ${formatShape(p.shape)}) is a strided view; ` +
            'parameters are updated in place and must be contiguous: use clone().detach()',
        );
      }
    }
    const seen = new Set<Tensor>([...this.paramGroups, ...pending].flatMap((g) => g.params));
    for (const p of params) {
      if (seen.has(p)) {
        throw new ArgumentError(`${name}: a parameter appears in more than one place; each parameter may be in one group once`);
      }
      seen.add(p);
    }
    const unknown = unknownKeys(spec, defaults, GROUP_KEYS);
    if (unknown.length > 0) {
      throw new ArgumentError(`${name}: ${unknownOptionsMessage(unknown, ` in param group ${index}`, defaults)}`);
    }
    const options = withOwnArrays({ ...defaults }) as Record<string, unknown>;
    for (const [key, value] of Object.entries(spec)) {
      if (key === 'params' || value === undefined) continue;
      options[key] = Array.isArray(value) ? [...value] : value;
    }
    const group = { ...options, params } as ParamGroup<O>;
    this.checkOptions(validator(`${name} (param group ${index})`), group);
    if (group.initialLr !== undefined) validator(`${name} (param group ${index})`).number('initialLr', group.initialLr, { min: 0 });
    return group;
  }

  /**
   * Update every parameter that has a gradient. With a closure, the closure is called first
   * (it should recompute the loss and its gradients) and its result is returned.
   */
  step<T = undefined>(closure?: () => T): T | undefined {
    if (closure !== undefined) validator(`${this.name}.step`).func('closure', closure);
    const result = closure === undefined ? undefined : closure();
    this.checkStep();
    const groups = this.paramGroups;
    for (let gi = 0; gi < groups.length; gi++) {
      const group = groups[gi];
      const params = group.params;
      for (let pi = 0; pi < params.length; pi++) {
        const param = params[pi];
        const grad = param.grad;
        if (grad === null) continue;
        let state = this.state.get(param);
        if (state === undefined) {
          state = this.initState(param, group);
          this.state.set(param, state);
        }
        this.update(param.data.data, grad.data.data, state, group);
        param.bumpVersion(); // graphs recorded before this step can no longer be differentiated
      }
    }
    return result;
  }

  /**
   * Everything a step needs, checked before any parameter is written: every group's options
   * (a scheduler or the user may have changed them) and every gradient's shape and layout.
   */
  private checkStep(): void {
    const groups = this.paramGroups;
    for (let gi = 0; gi < groups.length; gi++) {
      const group = groups[gi];
      this.checkOptions(validator(`${this.name} (param group ${gi})`), group);
      const params = group.params;
      for (let pi = 0; pi < params.length; pi++) {
        const param = params[pi];
        const grad = param.grad;
        if (grad === null) continue;
        if (!(grad instanceof Tensor)) {
          throw new ArgumentError(`${this.name}.step: the .grad of param ${pi} in group ${gi} is not a Tensor`);
        }
        if (!sameShape(grad.shape, param.shape)) {
          throw new ShapeError(
            `${this.name}.step: param ${pi} in group ${gi} has shape ${formatShape(param.shape)} but its .grad ` +
              `has shape ${formatShape(grad.shape)}; nothing was updated`,
          );
        }
        // a gradient set by hand may be a strided view: give the parameter a contiguous copy
        if (!nd.isContiguous(grad.data)) param.grad = new Tensor(nd.copy(grad.data));
      }
    }
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

  /** Every parameter, in group order. */
  parameters(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** A copy of the state: parameters by index, options per group. Buffers are copied. */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const out: Record<string, OptionValue> & { params: number[] } = { params: [] };
      for (const [key, value] of Object.entries(group)) {
        if (key === 'params') continue;
        out[key] = Array.isArray(value) ? [...(value as number[])] : (value as OptionValue);
      }
      for (const p of group.params) {
        index.set(p, index.size);
        out.params.push(index.get(p) as number);
      }
      return out;
    });
    const state: Record<string, ParamState> = {};
    for (const [param, s] of this.state) {
      const i = index.get(param);
      if (i === undefined) continue;
      const copy: ParamState = {};
      for (const [key, value] of Object.entries(s)) copy[key] = isFloatArray(value) ? value.slice() : value;
      state[String(i)] = copy;
    }
    return { type: this.name, state, paramGroups };
  }

  /**
   * Restore a state dict taken from an optimizer of the same kind over parameters of the same
   * shapes in the same groups. Options come from the state dict (as in PyTorch). Everything is
   * checked before anything changes; on error the optimizer is left as it was.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    // 1. validate: build the new groups and state aside, collecting every problem
    const where = `${this.name}.loadStateDict`;
    if (dict === null || typeof dict !== 'object' || !Array.isArray(dict.paramGroups) || typeof dict.state !== 'object') {
      throw new ArgumentError(`${where}: expected { type, state, paramGroups }, as made by stateDict()`);
    }
    if (dict.type !== undefined && dict.type !== this.name) {
      throw new ArgumentError(`${where}: the state dict is from a ${dict.type} optimizer, not ${this.name}`);
    }
    if (dict.paramGroups.length !== this.paramGroups.length) {
      throw new ArgumentError(
        `${where}: the state dict has ${dict.paramGroups.length} param groups, this optimizer has ${this.paramGroups.length}`,
      );
    }
    const params = this.parameters();
    const newGroups: ParamGroup<O>[] = [];
    const byIndex = new Map<number, Tensor>();
    const errors: string[] = [];
    dict.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi];
      if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) {
        errors.push(`param group ${gi} of the state dict is ${describeValue(saved)}, not an object`);
        return;
      }
      if (!Array.isArray(saved.params) || saved.params.length !== group.params.length) {
        errors.push(`param group ${gi} has ${saved.params?.length} params in the state dict but ${group.params.length} here`);
        return;
      }
      saved.params.forEach((id, k) => {
        if (!Number.isInteger(id) || id < 0 || byIndex.has(id)) errors.push(`param group ${gi} of the state dict lists param index ${describeValue(id)}, which is not a new integer ≥ 0`);
        else byIndex.set(id, group.params[k]);
      });
      const unknown = unknownKeys(saved, this.defaults, GROUP_KEYS);
      if (unknown.length > 0) errors.push(unknownOptionsMessage(unknown, ` in param group ${gi} of the state dict`, this.defaults));
      const options = { ...group } as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(saved)) {
        if (key === 'params' || unknown.includes(key)) continue;
        options[key] = Array.isArray(value) ? [...value] : value;
      }
      const candidate = { ...options, params: group.params } as ParamGroup<O>;
      try {
        const v = validator(`${this.name} (param group ${gi} of the state dict)`);
        this.checkOptions(v, candidate);
        if (candidate.initialLr !== undefined) v.number('initialLr', candidate.initialLr, { min: 0 });
      } catch (e) {
        errors.push((e as Error).message);
      }
      newGroups.push(candidate);
    });
    const newState = new Map<Tensor, S>();
    if (dict.state === null || Array.isArray(dict.state)) errors.push(`state must be an object keyed by param index, got ${describeValue(dict.state)}`);
    for (const [key, saved] of Object.entries(dict.state ?? {})) {
      const param = byIndex.get(Number(key));
      if (param === undefined) {
        errors.push(`state entry '${key}' refers to no parameter (there are ${params.length})`);
        continue;
      }
      const group = newGroups.find((g) => g.params.includes(param)) as ParamGroup<O>;
      if (saved === null || typeof saved !== 'object' || Array.isArray(saved)) {
        errors.push(`state entry '${key}' is ${describeValue(saved)}, not an object`);
        continue;
      }
      const fresh = this.initState(param, group) as ParamState;
      const restored: ParamState = {};
      for (const [k, v] of Object.entries(saved)) {
        if (!(k in fresh)) {
          errors.push(`state entry '${key}' has an unknown field '${k}' (expected ${Object.keys(fresh).join(', ')})`);
        } else if (typeof v === 'number' && Number.isNaN(v)) {
          errors.push(`state entry '${key}'.${k} is NaN`);
        } else if (typeof v === 'number' || v === null) {
          restored[k] = v;
        } else if (isFloatArray(v) || Array.isArray(v)) {
          if (v.length !== param.size) {
            errors.push(`state entry '${key}'.${k} has ${v.length} values but the parameter has ${param.size}`);
          } else if (Array.isArray(v) && v.some((x) => typeof x !== 'number')) {
            errors.push(`state entry '${key}'.${k} holds a value that is not a number`);
          } else {
            const buffer = nd.alloc(param.dtype, param.size);
            buffer.set(v);
            restored[k] = buffer;
          }
        } else {
          errors.push(`state entry '${key}'.${k} is neither a number nor an array`);
        }
      }
      newState.set(param, { ...fresh, ...restored } as S);
    }
    if (errors.length > 0) {
      throw new ArgumentError(`${where}: the state dict does not fit this optimizer; nothing was changed:\n  ${errors.join('\n  ')}`);
    }
    // 2. mutate
    newGroups.forEach((g, i) => Object.assign(this.paramGroups[i], g));
    this.state.clear();
    for (const [p, s] of newState) this.state.set(p, s);
  }
}

/** `options` with each array option (betas) copied, so no two optimizers or groups share one. */
function withOwnArrays<T extends object>(options: T): T {
  const out = { ...options } as Record<string, unknown>;
  for (const [key, value] of Object.entries(out)) if (Array.isArray(value)) out[key] = [...value];
  return out as T;
}

/** Keys a param group holds besides options: its parameters and a scheduler's starting lr. */
const GROUP_KEYS: readonly string[] = ['params', 'initialLr'];

/**
 * The keys of `given` that are not options (keys of `defaults`) nor in `alsoAllowed`. A misspelt
 * option (`learningRate` for `lr`) would otherwise be carried along unread and training would
 * silently use the default; PyTorch raises TypeError for the same mistake.
 */
function unknownKeys(given: object, defaults: object, alsoAllowed: readonly string[] = []): string[] {
  return Object.keys(given).filter((key) => !Object.hasOwn(defaults, key) && !alsoAllowed.includes(key));
}

/** "unknown option 'x' in param group 1; valid options: lr, momentum, ..." */
function unknownOptionsMessage(keys: readonly string[], place: string, defaults: object): string {
  const names = keys.map((key) => `'${key}'`).join(', ');
  const option = keys.length === 1 ? 'option' : 'options';
  return `unknown ${option} ${names}${place}; valid options: ${Object.keys(defaults).join(', ')}`;
}

function toGroupSpecs<O extends BaseOptions>(name: string, params: Params<O>): ParamGroupSpec<O>[] {
  if (params instanceof Tensor) {
    throw new ArgumentError(`${name}: params must be a list of tensors or of param groups, got a single Tensor; wrap it: [t]`);
  }
  if (params === null || params === undefined || typeof (params as Iterable<unknown>)[Symbol.iterator] !== 'function') {
    throw new ArgumentError(`${name}: params must be an iterable of tensors (model.parameters()) or of param groups`);
  }
  const list = [...(params as Iterable<Tensor | ParamGroupSpec<O>>)];
  if (list.length === 0) return [];
  if (list.length > 0 && !(list[0] instanceof Tensor)) return list as ParamGroupSpec<O>[];
  return [{ params: list as Tensor[] } as unknown as ParamGroupSpec<O>];
}

/** A zero-filled buffer of the same dtype as `like`. */
export function allocLike(like: FloatArray, length: number = like.length): FloatArray {
  return like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length);
}

export function isFloatArray(v: unknown): v is FloatArray {
  return v instanceof Float32Array || v instanceof Float64Array;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
