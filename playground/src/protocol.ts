// The messages between the page and the training worker.
import type { Config, OptimizerKind } from './config';
import type { RuleSpec } from './rules';
import type { Snapshot } from './trainer';

/** Page → worker. */
export type ToWorker =
  | { type: 'reset'; config: Config }
  | { type: 'play' }
  | { type: 'pause' }
  | { type: 'step' }
  | { type: 'rules'; rule: RuleSpec; layerRules: (RuleSpec | null)[] }
  | { type: 'lr'; lr: number }
  | { type: 'optimizer'; optimizer: OptimizerKind };

/** Worker → page. */
export type FromWorker =
  | { type: 'data'; train: { x: Float32Array; labels: number[] }; test: { x: Float32Array; labels: number[] }; extent: number }
  | { type: 'snapshot'; snapshot: Snapshot; playing: boolean }
  | { type: 'error'; message: string };
