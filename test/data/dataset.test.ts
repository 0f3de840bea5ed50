import { describe, expect, it } from 'vitest';
import { blobs, createDataset, oneHot, subset, teacher, trainTestSplit, xor } from '../../src/data';
import { proportionalCounts } from '../../src/data/dataset';
import { tensor } from '../../src/creation';
import { ArgumentError, ShapeError } from '../../src/errors';
import { bitsEqual, countBy, rows, values } from './helpers';

describe('createDataset', () => {
  it('makes a classification dataset from x and labels, with y the labels as floats', () => {
    const d = createDataset({ x: tensor([[1, 2], [3, 4], [5, 6]]), labels: [2, 0, 1], name: 'mine' });
    expect(d.task).toBe('classification');
    expect(d.numClasses).toBe(3);
    expect(d.classNames).toEqual(['0', '1', '2']);
    expect(d.length).toBe(3);
    expect(values(d.y)).toEqual([2, 0, 1]);
    expect(d.name).toBe('mine');
  });

  it('makes a regression dataset from x and y, giving a 1-D y an output axis', () => {
    const d = createDataset({ x: tensor([[1], [2]]), y: tensor([0.5, 1.5]) });
    expect(d.task).toBe('regression');
    expect(d.labels).toBeNull();
    expect(d.y.shape).toEqual([2, 1]);
  });

  it('rejects mismatched lengths, bad labels and ambiguous targets', () => {
    const x = tensor([[1], [2]]);
    expect(() => createDataset({ x, labels: [0] })).toThrow(ShapeError);
    expect(() => createDataset({ x, labels: [0, 1.5] })).toThrow(/non-negative integer class indices, got 1.5 at index 1/);
    expect(() => createDataset({ x, labels: [0, 3], numClasses: 2 })).toThrow(/numClasses must be an integer ≥ 4, got 2/);
    expect(() => createDataset({ x, y: tensor([1, 2, 3]) })).toThrow(/one row per example of x \(2\)/);
    // @ts-expect-error: both kinds of target
    expect(() => createDataset({ x, y: tensor([1, 2]), labels: [0, 1] })).toThrowWith(ArgumentError, /exactly one of labels/);
  });
});

describe('subset', () => {
  it('takes the given rows in the given order and keeps extra fields', () => {
    const d = blobs({ n: 6, k: 2, seed: 1 });
    const s = subset(d, [4, 1, 1]);
    expect(rows(s.x)).toEqual([4, 1, 1].map((i) => rows(d.x)[i]));
    expect(s.labels).toEqual([0, 1, 1]);
    expect(s.length).toBe(3);
    expect(s.centers).toBe(d.centers);
    expect(() => subset(d, [6])).toThrowWith(ArgumentError, /indices must be integers in \[0, 5\].*got 6 at position 0/);
  });
});

describe('proportionalCounts', () => {
  it('splits a total in proportion, summing exactly, by largest remainder', () => {
    expect(proportionalCounts([1, 1, 1], 10)).toEqual([4, 3, 3]);
    expect(proportionalCounts([50, 50, 50], 30)).toEqual([10, 10, 10]);
    expect(proportionalCounts([1001, 1127, 991], 600)).toEqual([192, 217, 191]);
    expect(proportionalCounts([3, 0], 2)).toEqual([2, 0]);
  });
});

describe('trainTestSplit', () => {
  it('puts every example in exactly one side, stratified by class', () => {
    const d = blobs({ n: 100, k: 4, seed: 2, dtype: 'float64' });
    const { train, test } = trainTestSplit(d, { testFraction: 0.2, seed: 1 });
    expect(train.length).toBe(80);
    expect(test.length).toBe(20);
    expect(countBy(test.labels, 4)).toEqual([5, 5, 5, 5]);
    const key = (r: number[]) => r.join(',');
    const all = [...rows(train.x), ...rows(test.x)].map(key).sort();
    expect(all).toEqual(rows(d.x).map(key).sort());
  });

  it('is deterministic in the seed', () => {
    const d = xor({ n: 40, seed: 1 });
    const a = trainTestSplit(d, { seed: 3 });
    const b = trainTestSplit(d, { seed: 3 });
    const c = trainTestSplit(d, { seed: 4 });
    expect(bitsEqual(a.test.x, b.test.x)).toBe(true);
    expect(bitsEqual(a.test.x, c.test.x)).toBe(false);
  });

  it('splits regression data without stratification and keeps the teacher', () => {
    const d = teacher({ n: 50, inputs: 2, seed: 1 });
    const { train, test } = trainTestSplit(d, { testSize: 10, seed: 1 });
    expect(train.length).toBe(40);
    expect(test.y.shape).toEqual([10, 1]);
    expect(test.teacher).toBe(d.teacher);
    expect(() => trainTestSplit(d, { stratify: true })).toThrowWith(ArgumentError, /stratify needs class labels/);
    expect(() => trainTestSplit(d, { testSize: 50 })).toThrowWith(ArgumentError, /testSize must be an integer in \[0, 49\], got 50/);
    expect(() => trainTestSplit(d, { testSize: 5, testFraction: 0.1 })).toThrow(ArgumentError);
  });
});

describe('oneHot', () => {
  it('makes one-hot rows from labels', () => {
    expect(oneHot([2, 0], 3).toArray()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(oneHot(tensor([1, 1]), 2).toArray()).toEqual([[0, 1], [0, 1]]);
    expect(() => oneHot([3], 3)).toThrowWith(ArgumentError, /integers in \[0, 2\], got 3 at index 0/);
  });
});
