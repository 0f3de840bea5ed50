// Checkpoints: a model's parameters and buffers, the backward rule of each activation layer, and
// optionally an optimizer's and a scheduler's state and some user metadata, in one file.
//
// File format, version 1 (all integers little-endian):
//
//   offset  size  field
//   0       8     magic: the ASCII bytes "SRGDCKPT"
//   8       4     format version (uint32) = 1
//   12      4     header length H in bytes (uint32)
//   16      4     CRC-32 of the header bytes (uint32; the zlib / PNG polynomial)
//   20      4     CRC-32 of the data section (uint32)
//   24      8     data length D in bytes (uint64)
//   32      H     header: UTF-8 JSON, described by `CheckpointHeader` below
//   32+H    P     zero padding to a multiple of 8 bytes
//   32+H+P  D     data: raw little-endian IEEE-754 floats (float32 or float64); every array is
//                 at the byte offset (from the start of this section) its header entry gives,
//                 a multiple of 8
//
// The file is exactly 32 + H + P + D bytes long. `fromBytes` (and `load`) checks the magic, the
// version, the length and both checksums before it reads anything, so a truncated, corrupted or
// foreign file is refused with a message that says which, and a model is changed only once
// everything in the file has been checked against it.
//
// This module runs anywhere (bytes in, bytes out: `toBytes`, `fromBytes`). Reading and writing
// files is Node-only and lives in src/node/checkpoint.ts (`save`, `load` from 'surrograd/node'),
// which writes to a temporary file in the same directory, flushes it to disk and renames it over
// the target, so a crash or a failed write never leaves a half-written checkpoint.
import * as nd from './nd';
import { SurrogradError } from './errors';
import { describeValue, validator } from './validate';
import { Tensor } from './tensor';
import { Module, type StateDict } from './nn/module';
import { Activation } from './nn/activation';
import { type SavedRule, loadScheduleCounters, restoreRule, saveRule, sameStructure } from './activations/serialize';
import type { OptimizerStateDict, ParamState, StateValue, OptionValue } from './optim/optimizer';
import type { SchedulerStateDict } from './optim/scheduler';
import type { RuleChoice } from './activations';

export const CHECKPOINT_MAGIC = 'SRGDCKPT';
export const CHECKPOINT_VERSION = 1;
const PREAMBLE = 32;

/** Anything JSON can hold (what `meta` may be). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A checkpoint that cannot be written or read: the message says why. */
export class CheckpointError extends SurrogradError {}

/** What an object must offer to have its state saved: an optimizer or a scheduler. */
export interface Stateful<T> {
  stateDict(): T;
  loadStateDict(state: T): void;
}

/** What a checkpoint holds: the model, optionally an optimizer, a scheduler and JSON metadata. */
export interface SaveContents {
  /** The model whose state dict and activation rules are saved. */
  model: Module;
  /** An optimizer whose state dict is saved. */
  optimizer?: Stateful<OptimizerStateDict>;
  /** A scheduler whose state dict is saved. */
  scheduler?: Stateful<SchedulerStateDict>;
  /** Anything JSON can hold: epoch, metrics, a generator's getState(), ... */
  meta?: JsonValue;
}

/** One activation layer as saved: where it is, what it applies, and its rule. */
export interface SavedActivation {
  path: string;
  activation: string;
  params: Record<string, JsonValue>;
  backward: SavedRule;
}

/** What `load` returns: everything in the file, decoded. */
export interface Checkpoint {
  /** The file format version. */
  version: number;
  /** The model's type name when saved (informational). */
  modelType: string;
  /** The model's parameters and persistent buffers. */
  stateDict: StateDict;
  /** The activation layers and their rules. */
  activations: SavedActivation[];
  /** The optimizer state dict, or null if none was saved. */
  optimizer: OptimizerStateDict | null;
  /** The scheduler state dict, or null if none was saved. */
  scheduler: SchedulerStateDict | null;
  /** The metadata saved (null if none). */
  meta: JsonValue;
}

/** What to load a checkpoint into (model, optimizer, scheduler) and how strictly. */
export interface LoadOptions {
  /** Load the parameters, buffers and activation rules into this model. */
  model?: Module;
  /** Restore this optimizer's state (the file must have one). */
  optimizer?: Stateful<OptimizerStateDict>;
  /** Restore this scheduler's state (the file must have one). */
  scheduler?: Stateful<SchedulerStateDict>;
  /** Require the model's keys and activation layers to match the file exactly (default true). */
  strict?: boolean;
}

// ---- the header ----

interface ArrayEntry {
  dtype: nd.Dtype;
  shape: number[];
  /** Byte offset in the data section. */
  offset: number;
}

/** An optimizer state value as stored: a number, null, or an index into `arrays`. */
type StoredStateValue = number | null | { array: number };

interface CheckpointHeader {
  format: 'surrograd-checkpoint';
  version: number;
  /** Every float array in the data section. */
  arrays: ArrayEntry[];
  model: {
    type: string;
    /** State dict keys in order, each with an index into `arrays`. */
    tensors: { key: string; array: number }[];
    activations: SavedActivation[];
  };
  optimizer: {
    type: string;
    paramGroups: (Record<string, OptionValue> & { params: number[] })[];
    state: Record<string, Record<string, StoredStateValue>>;
  } | null;
  scheduler: SchedulerStateDict | null;
  meta: JsonValue;
}

// ---- saving ----

/**
 * The checkpoint of `model` (and optionally an optimizer, a scheduler and JSON metadata) as
 * bytes: what `save` from 'surrograd/node' writes to a file, for storing anywhere else
 * (IndexedDB, a download, a network request).
 */
export function toBytes(contents: SaveContents): Uint8Array {
  return encodeCheckpoint(contents);
}

/**
 * Read checkpoint bytes (from `toBytes`, or a file `save` wrote). With `model` (and
 * `optimizer`, `scheduler`), also load them into it: everything is checked against all of them
 * first, and if anything does not fit, nothing is changed and a CheckpointError says what is wrong.
 */
export function fromBytes(bytes: Uint8Array, options: LoadOptions = {}): Checkpoint {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError(`fromBytes: expected a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  const checkpoint = decodeCheckpoint(bytes, 'fromBytes');
  applyCheckpoint(checkpoint, options, 'fromBytes');
  return checkpoint;
}

/** The bytes of a checkpoint (what `save` writes). */
export function encodeCheckpoint(contents: SaveContents): Uint8Array {
  if (contents === null || typeof contents !== 'object' || !(contents.model instanceof Module)) {
    throw new CheckpointError('save: expected { model, optimizer?, scheduler?, meta? } with model an nn.Module');
  }
  validator('save', CheckpointError).options(contents, ['model', 'optimizer', 'scheduler', 'meta'], { required: true });
  const arrays: ArrayEntry[] = [];
  const chunks: nd.FloatArray[] = [];
  let dataLength = 0;
  const addArray = (values: nd.FloatArray, shape: number[]): number => {
    const dtype: nd.Dtype = values instanceof Float64Array ? 'float64' : 'float32';
    arrays.push({ dtype, shape, offset: dataLength });
    chunks.push(values);
    dataLength += align8(values.byteLength);
    return arrays.length - 1;
  };

  const { model } = contents;
  const tensors = Object.entries(model.stateDict()).map(([key, t]) => ({
    key,
    array: addArray(nd.contiguous(t.data).data, [...t.shape]),
  }));
  const activations: SavedActivation[] = model
    .namedModules()
    .filter((entry): entry is [string, Activation] => entry[1] instanceof Activation)
    .map(([modulePath, layer]) => ({
      path: modulePath,
      activation: layer.activation,
      params: toJson(`activation layer '${modulePath}' parameters`, { ...layer.params }) as Record<string, JsonValue>,
      backward: savedRuleOf(modulePath, layer),
    }));

  let optimizer: CheckpointHeader['optimizer'] = null;
  if (contents.optimizer !== undefined) {
    const dict = contents.optimizer.stateDict();
    const state: Record<string, Record<string, StoredStateValue>> = {};
    for (const [index, entry] of Object.entries(dict.state)) {
      const stored: Record<string, StoredStateValue> = {};
      for (const [k, v] of Object.entries(entry)) {
        stored[k] = typeof v === 'number' || v === null ? v : { array: addArray(v, [v.length]) };
      }
      state[index] = stored;
    }
    optimizer = {
      type: dict.type,
      paramGroups: toJson('optimizer param groups', dict.paramGroups) as NonNullable<CheckpointHeader['optimizer']>['paramGroups'],
      state,
    };
  }
  const scheduler = contents.scheduler === undefined ? null : (toJson('scheduler state', contents.scheduler.stateDict()) as SchedulerStateDict);
  const header: CheckpointHeader = {
    format: 'surrograd-checkpoint',
    version: CHECKPOINT_VERSION,
    arrays,
    model: { type: typeName(model), tensors, activations },
    optimizer,
    scheduler,
    meta: contents.meta === undefined ? null : toJson('meta', contents.meta),
  };

  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = PREAMBLE + align8(headerBytes.length);
  const out = new Uint8Array(dataStart + dataLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 8; i++) out[i] = CHECKPOINT_MAGIC.charCodeAt(i);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE);
  chunks.forEach((values, i) => writeFloats(out, dataStart + arrays[i].offset, values));
  view.setUint32(16, crc32(headerBytes), true);
  view.setUint32(20, crc32(out.subarray(dataStart)), true);
  view.setBigUint64(24, BigInt(dataLength), true);
  return out;
}

/**
 * A layer's rule as data. A rule that is a function is refused here, at save time: a file that
 * records only its label could not be loaded into a fresh model, even by the program that wrote it.
 */
function savedRuleOf(modulePath: string, layer: Activation): SavedRule {
  const result = saveRule(layer.backward, layer.activation);
  if ('saved' in result) return result.saved;
  const name = layer.activation;
  throw new CheckpointError(
    `save: activation layer '${modulePath}' (${name}) uses ${result.why}; a file cannot hold a function. ` +
      `Register the rule under a name, registerRule('${name}', 'myRule', rule), and set the layer's backward to ` +
      `'myRule': the file then records the name, and a program that registers the same rule before loading can load it.`,
  );
}

function typeName(model: Module): string {
  return model.constructor.name;
}

/** A JSON round trip of `value`, so what is saved is exactly what will be read. */
function toJson(what: string, value: unknown): JsonValue {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new CheckpointError(`save: ${what} cannot be written as JSON: ${(e as Error).message}`);
  }
  if (text === undefined) throw new CheckpointError(`save: ${what} cannot be written as JSON (got ${typeof value})`);
  return JSON.parse(text) as JsonValue;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

/** Whether this machine stores numbers little-endian (as the file does): then arrays copy as bytes. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function writeFloats(out: Uint8Array, at: number, values: nd.FloatArray): void {
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset);
  const wide = values instanceof Float64Array;
  for (let i = 0; i < values.length; i++) {
    if (wide) view.setFloat64(at + 8 * i, values[i], true);
    else view.setFloat32(at + 4 * i, values[i], true);
  }
}

function readFloats(bytes: Uint8Array, at: number, dtype: nd.Dtype, length: number): nd.FloatArray {
  const out = nd.alloc(dtype, length);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes.subarray(at, at + out.byteLength));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < length; i++) out[i] = dtype === 'float64' ? view.getFloat64(at + 8 * i, true) : view.getFloat32(at + 4 * i, true);
  return out;
}

// ---- loading ----

/** Decode checkpoint bytes, checking the magic, version, length and checksums. */
export function decodeCheckpoint(bytes: Uint8Array, where = 'decodeCheckpoint'): Checkpoint {
  const fail = (why: string): never => {
    throw new CheckpointError(`${where}: ${why}`);
  };
  if (bytes.length < PREAMBLE) fail(`the file is truncated or not a checkpoint: ${bytes.length} bytes, fewer than the ${PREAMBLE}-byte preamble`);
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (magic !== CHECKPOINT_MAGIC) fail(`not a surrograd checkpoint (the file starts with ${JSON.stringify(magic)}, not "${CHECKPOINT_MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== CHECKPOINT_VERSION) {
    fail(`the checkpoint has format version ${version}; this version of surrograd reads version ${CHECKPOINT_VERSION}`);
  }
  const headerLength = view.getUint32(12, true);
  const headerCrc = view.getUint32(16, true);
  const dataCrc = view.getUint32(20, true);
  const dataLength = view.getBigUint64(24, true);
  const dataStart = PREAMBLE + align8(headerLength);
  const expected = BigInt(dataStart) + dataLength;
  if (BigInt(bytes.length) < expected) fail(`the file is truncated: it has ${bytes.length} bytes, its preamble says ${expected}`);
  if (BigInt(bytes.length) > expected) fail(`the file has ${BigInt(bytes.length) - expected} bytes after the end its preamble gives; it is corrupted`);
  const headerBytes = bytes.subarray(PREAMBLE, PREAMBLE + headerLength);
  if (crc32(headerBytes) !== headerCrc) fail('the header is corrupted (its CRC-32 does not match)');
  const data = bytes.subarray(dataStart);
  if (crc32(data) !== dataCrc) fail('the tensor data is corrupted (its CRC-32 does not match)');

  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes)) as CheckpointHeader;
  } catch (e) {
    return fail(`the header is not valid JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || header.format !== 'surrograd-checkpoint' || !Array.isArray(header.arrays)) {
    fail('the header is not a surrograd checkpoint header');
  }
  const arrays = header.arrays.map((entry, i) => {
    const ok =
      entry !== null &&
      typeof entry === 'object' &&
      nd.isDtype(entry.dtype) &&
      Array.isArray(entry.shape) &&
      entry.shape.every((d) => Number.isInteger(d) && d >= 0) &&
      Number.isInteger(entry.offset) &&
      entry.offset >= 0 &&
      entry.offset % 8 === 0;
    if (!ok) fail(`array ${i} in the header is malformed`);
    const length = nd.sizeOf(entry.shape);
    const bytesPer = entry.dtype === 'float64' ? 8 : 4;
    if (entry.offset + length * bytesPer > data.length) fail(`array ${i} lies outside the data section`);
    return { shape: entry.shape, values: readFloats(data, entry.offset, entry.dtype, length) };
  });
  const arrayAt = (index: unknown, what: string): { shape: number[]; values: nd.FloatArray } => {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= arrays.length) {
      return fail(`${what} refers to a missing array`);
    }
    return arrays[index];
  };

  const model = header.model;
  if (model === null || typeof model !== 'object' || !Array.isArray(model.tensors) || !Array.isArray(model.activations)) {
    fail('the header has no model section');
  }
  const stateDict: StateDict = {};
  model.tensors.forEach((entry: unknown, i) => {
    if (entry === null || typeof entry !== 'object') return fail(`model tensor ${i} in the header is malformed (${describeValue(entry)})`);
    const { key, array } = entry as { key?: unknown; array?: unknown };
    if (typeof key !== 'string') return fail(`model tensor ${i} has no key`);
    if (Object.hasOwn(stateDict, key)) return fail(`model tensor '${key}' appears twice`);
    const { shape, values } = arrayAt(array, `model tensor '${key}'`);
    stateDict[key] = new Tensor(nd.wrap(values, shape));
  });

  let optimizer: OptimizerStateDict | null = null;
  if (header.optimizer !== null && header.optimizer !== undefined) {
    const saved = header.optimizer;
    if (typeof saved !== 'object' || !Array.isArray(saved.paramGroups) || typeof saved.state !== 'object' || saved.state === null) {
      fail('the optimizer section is malformed');
    }
    const state: Record<string, ParamState> = {};
    for (const [index, entry] of Object.entries(saved.state)) {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) fail(`optimizer state '${index}' is malformed (${describeValue(entry)})`);
      const restored: Record<string, StateValue> = {};
      for (const [k, v] of Object.entries(entry)) {
        restored[k] = typeof v === 'number' || v === null ? v : arrayAt(v?.array, `optimizer state '${index}'.${k}`).values;
      }
      state[index] = restored;
    }
    optimizer = { type: saved.type, paramGroups: saved.paramGroups, state };
  }
  return {
    version,
    modelType: String(model.type),
    stateDict,
    activations: model.activations,
    optimizer,
    scheduler: schedulerSection(header.scheduler, fail),
    meta: header.meta ?? null,
  };
}

/** The scheduler section: null, or an object with a string type (its fields are checked when loaded). */
function schedulerSection(value: unknown, fail: (why: string) => never): SchedulerStateDict | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string') {
    return fail(`the scheduler section is malformed (${describeValue(value)})`);
  }
  return value as SchedulerStateDict;
}

/**
 * Load a decoded checkpoint into a model (and optimizer, scheduler). Everything is checked before
 * anything changes; if a later part fails to load, the earlier parts are put back.
 */
export function applyCheckpoint(checkpoint: Checkpoint, options: LoadOptions, where = 'applyCheckpoint'): void {
  const v = validator(where, CheckpointError);
  v.options(options, ['model', 'optimizer', 'scheduler', 'strict'], { example: '{ model, optimizer, scheduler }' });
  const { model, optimizer, scheduler } = options;
  const strict = v.boolean('strict', options.strict ?? true);
  if (model === undefined) {
    if (optimizer !== undefined || scheduler !== undefined) {
      throw new CheckpointError(`${where}: pass the model too when restoring an optimizer or scheduler`);
    }
    return;
  }
  if (!(model instanceof Module)) throw new CheckpointError(`${where}: options.model must be an nn.Module`);
  if (optimizer !== undefined && checkpoint.optimizer === null) {
    throw new CheckpointError(`${where}: the file has no optimizer state (it was saved without one)`);
  }
  if (scheduler !== undefined && checkpoint.scheduler === null) {
    throw new CheckpointError(`${where}: the file has no scheduler state (it was saved without one)`);
  }

  // 1. the activation layers: which rule each gets, checked without changing anything
  const plan = planActivations(model, checkpoint.activations, strict, where);

  // 2. the activation rules first (already checked: this cannot fail), since a rule with learnable
  //    parameters adds them to the model's state; a later failure puts the layers back
  const modelBefore = model.stateDict();
  const layersBefore = plan.map(({ layer }) => ({ layer, options: { ...layer.params, backward: layer.backward } as Record<string, unknown> }));
  const restoreLayers = (): void => {
    for (const { layer, options: layerOptions } of layersBefore) layer.configure(layerOptions as never);
  };
  for (const { layer, options: layerOptions } of plan) layer.configure(layerOptions as never);

  // 3. model tensors, then optimizer, then scheduler; each checks before it changes anything,
  //    and a failure puts back what was already loaded
  try {
    model.loadStateDict(checkpoint.stateDict, { strict });
  } catch (e) {
    restoreLayers();
    throw new CheckpointError(`${where}: the model does not fit the checkpoint; nothing was changed.\n${(e as Error).message}`);
  }
  const optimizerBefore = optimizer?.stateDict();
  const schedulerBefore = scheduler?.stateDict();
  try {
    if (optimizer !== undefined) optimizer.loadStateDict(checkpoint.optimizer as OptimizerStateDict);
    if (scheduler !== undefined) scheduler.loadStateDict(checkpoint.scheduler as SchedulerStateDict);
  } catch (e) {
    // the library's loadStateDict are all-or-nothing; put back all three anyway, so that a
    // user-written Stateful that half-applied is restored too
    restoreLayers();
    model.loadStateDict(modelBefore, { strict: false });
    if (optimizer !== undefined && optimizerBefore !== undefined) optimizer.loadStateDict(optimizerBefore);
    if (scheduler !== undefined && schedulerBefore !== undefined) scheduler.loadStateDict(schedulerBefore);
    throw new CheckpointError(`${where}: the optimizer or scheduler does not fit the checkpoint; nothing was changed.\n${(e as Error).message}`);
  }

  // 4. rules kept (the same rule as in the file): their schedules' counters from the file
  for (const { layer, keptFrom } of plan) if (keptFrom !== undefined) loadScheduleCounters(layer.backward, keptFrom);
}

interface ActivationPlan {
  layer: Activation;
  options: Record<string, unknown>;
  /** Set when the layer keeps its own rule object (same structure as saved): the saved form, for its counters. */
  keptFrom?: SavedRule;
}

function planActivations(model: Module, saved: readonly SavedActivation[], strict: boolean, where: string): ActivationPlan[] {
  const layers = new Map(
    model.namedModules().filter((entry): entry is [string, Activation] => entry[1] instanceof Activation),
  );
  const problems: string[] = [];
  const plan: ActivationPlan[] = [];
  const seen = new Set<string>();
  for (const entry of saved) {
    const at = `activation layer '${entry?.path}'`;
    if (entry === null || typeof entry !== 'object' || typeof entry.path !== 'string') {
      problems.push('a malformed activation layer entry');
      continue;
    }
    seen.add(entry.path);
    const layer = layers.get(entry.path);
    if (layer === undefined) {
      if (strict) problems.push(`${at} (${entry.activation}) is in the checkpoint but not in the model`);
      continue;
    }
    if (layer.activation !== entry.activation) {
      problems.push(`${at} applies ${layer.activation} in the model but ${entry.activation} in the checkpoint`);
      continue;
    }
    let backward: RuleChoice | undefined;
    let keptFrom: SavedRule | undefined;
    const now = saveRule(layer.backward, layer.activation);
    if (entry.backward?.kind === 'unsaved' && 'why' in now) {
      backward = layer.backward; // a file from an earlier version: the function rule set on the model is kept
    } else if ('saved' in now && now.saved.kind !== 'inherit' && sameStructure(now.saved, entry.backward)) {
      // the layer's rule is the file's up to learned values and schedule counters: keep the rule
      // object (an optimizer holds its parameters); the state dict and the counters fill it in
      backward = layer.backward;
      keptFrom = entry.backward;
    } else {
      try {
        backward = restoreRule(entry.backward, layer.activation, at);
      } catch (e) {
        problems.push((e as Error).message);
        continue;
      }
    }
    const options: Record<string, unknown> = { ...entry.params };
    if (backward !== undefined) options.backward = backward;
    try {
      // check the parameters and the rule now, on a throwaway layer
      new Activation(layer.activation, options as never);
    } catch (e) {
      problems.push(`${at}: ${(e as Error).message}`);
      continue;
    }
    plan.push({ layer, options, keptFrom });
  }
  if (strict) {
    for (const [layerPath, layer] of layers) {
      if (!seen.has(layerPath)) problems.push(`activation layer '${layerPath}' (${layer.activation}) is in the model but not in the checkpoint`);
    }
  }
  if (problems.length > 0) {
    throw new CheckpointError(`${where}: the model's activation layers do not fit the checkpoint; nothing was changed.\n  ${problems.join('\n  ')}`);
  }
  return plan;
}

// ---- CRC-32 (IEEE 802.3 / zlib / PNG: reflected polynomial 0xEDB88320) ----

let crcTable: Uint32Array | null = null;

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** The CRC-32 of `bytes` (crc32 of the ASCII "123456789" is 0xCBF43926). */
export function crc32(bytes: Uint8Array): number {
  crcTable ??= makeCrcTable();
  const table = crcTable;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
