// Errors name the op, the shapes or values involved, and are the library's error classes.
import { describe, expect, it } from 'vitest';
import * as ops from '../../src/ops';
import { randn, tensor } from '../../src/creation';
import { ArgumentError, ShapeError } from '../../src/errors';

const a23 = (): ReturnType<typeof randn> => randn([2, 3]);

describe('error messages', () => {
  it('binary ops name themselves and both shapes on a broadcast mismatch', () => {
    const binary = [ops.add, ops.sub, ops.mul, ops.div, ops.pow, ops.maximum, ops.minimum] as const;
    for (const op of binary) {
      expect(() => op(a23(), randn([4]))).toThrow(ShapeError);
      expect(() => op(a23(), randn([4]))).toThrowWith(ShapeError, new RegExp(`^${op.name}: shapes \\[2, 3\\] and \\[4\\] cannot be broadcast`));
    }
  });

  it('matmul names both shapes and the differing inner dimensions', () => {
    expect(() => ops.matmul(randn([2, 3]), randn([4, 5]))).toThrow(ShapeError);
    expect(() => ops.matmul(randn([2, 3]), randn([4, 5]))).toThrowWith(ShapeError, 'matmul: inner dimensions differ: [2, 3] @ [4, 5] (3 ≠ 4)');
    expect(() => ops.matmul(randn([3]), randn([4]))).toThrowWith(ShapeError, 'matmul: inner dimensions differ: [3] @ [4] (3 ≠ 4)');
    expect(() => ops.matmul(randn([2, 2, 3]), randn([3, 3, 1]))).toThrowWith(ShapeError, 
      /matmul: batch dimensions of \[2, 2, 3\] @ \[3, 3, 1\] cannot be broadcast/,
    );
    expect(() => ops.matmul(tensor(2), randn([2]))).toThrowWith(ShapeError, /at least one dimension/);
  });

  it('a bad axis is an ArgumentError naming the op, the axis and the valid range', () => {
    expect(() => ops.sum(a23(), 2)).toThrow(ArgumentError);
    expect(() => ops.sum(a23(), 2)).toThrowWith(ArgumentError, 'sum: axis 2 is out of range for a tensor with 2 dimensions (use -2..1)');
    expect(() => ops.mean(a23(), [0, -2])).toThrowWith(ArgumentError, /mean: axis \[0,-2\] repeats an axis/);
    expect(() => ops.max(a23(), -3)).toThrowWith(ArgumentError, /max: axis -3 is out of range/);
    expect(() => ops.softmax(a23(), 2)).toThrowWith(ArgumentError, /softmax: axis 2 is out of range/);
    expect(() => ops.logSoftmax(a23(), 1.5)).toThrowWith(ArgumentError, /logSoftmax: axis 1.5 is out of range/);
    expect(() => ops.transpose(a23(), 0, 5)).toThrowWith(ArgumentError, /transpose: axis 5 is out of range/);
    expect(() => ops.transpose(randn([3]))).toThrowWith(ArgumentError, /transpose: a tensor of shape \[3\] has fewer than 2 dimensions/);
    expect(() => ops.permute(a23(), [0, 0])).toThrowWith(ArgumentError, /permute: axes \[0, 0\] repeat an axis/);
    expect(() => ops.permute(a23(), [0])).toThrowWith(ArgumentError, /permute: axes \[0\] must list each of the 2 axes/);
    expect(() => ops.unsqueeze(a23(), 3)).toThrowWith(ArgumentError, /unsqueeze: axis 3 is out of range/);
    expect(() => ops.flatten(randn([2, 3, 4]), 2, 1)).toThrowWith(ArgumentError, /flatten: startDim \(2\) comes after endDim \(1\)/);
    expect(() => ops.gather(a23(), 2, tensor([[0]]))).toThrowWith(ArgumentError, /gather: axis 2 is out of range/);
    expect(() => ops.stack([a23()], 3)).toThrowWith(ArgumentError, /stack: axis 3 is out of range/);
  });

  it('reshape names both shapes and their sizes', () => {
    expect(() => ops.reshape(a23(), [4, 2])).toThrow(ShapeError);
    expect(() => ops.reshape(a23(), [4, 2])).toThrowWith(ShapeError, 
      'reshape: cannot reshape a tensor of shape [2, 3] (6 elements) into [4, 2] (8 elements)',
    );
    expect(() => ops.reshape(a23(), [4, -1])).toThrowWith(ShapeError, /into \[4, -1\] \(6 is not a multiple of 4\)/);
    expect(() => ops.reshape(a23(), [-1, -1])).toThrowWith(ArgumentError, /only one dimension can be -1/);
  });

  it('crossEntropy names an out-of-range label and its position', () => {
    expect(() => ops.crossEntropy(randn([2, 4]), [1, 4])).toThrowWith(ArgumentError, /crossEntropy: label 4 at position 1 .* \[0, 4\)/);
  });

  it('gather names an out-of-range index and the bound', () => {
    expect(() => ops.gather(a23(), 1, tensor([[1], [7]]))).toThrowWith(ArgumentError, /gather: index 7 .* out of range for axis 1 of size 3/);
  });

  it('max and min of an empty axis are ArgumentErrors', () => {
    expect(() => ops.max(randn([0, 3]), 0)).toThrow(ArgumentError);
    expect(() => ops.min(randn([0]))).toThrowWith(ArgumentError, /min: cannot reduce over all axes of a tensor of shape \[0\]/);
  });
});
