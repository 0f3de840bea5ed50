// compareRules and the CLI on CNN architectures: the model built, equal footing across rules
// (same conv and Linear weights per seed), the config it reports, and the errors.
import { describe, expect, it } from 'vitest';
import type { nn } from '../../src/index';
import { compareRules, formatTable, type CompareOptions } from '../../src/experiment';
import { weightLayers } from '../../src/diagnostics';
import { compareOptionsFromArgs } from '../../src/cli';

const tinyCnn: CompareOptions = {
  dataset: 'mnist',
  datasetOptions: { trainSize: 64, testSize: 32, seed: 3 },
  arch: 'cnn',
  channels: [2, 3],
  activation: 'relu',
  depth: 1,
  width: 8,
  rules: ['exact', 'sigmoid'],
  optimizer: 'adam',
  lr: 0.01,
  epochs: 1,
  seeds: [1],
  batchSize: 16,
  referenceSize: 16,
};

describe('compareRules with arch: cnn', () => {
  it('builds conv blocks before the hidden layers, starts every rule from the same weights, and reports the architecture', () => {
    const models = new Map<string, nn.Module>();
    const initial = new Map<string, number[][]>();
    const result = compareRules({
      ...tinyCnn,
      onModelCreated: (model, { rule }) => {
        models.set(rule, model);
        initial.set(rule, weightLayers(model).map((l) => Array.from(l.weight.toTypedArray())));
      },
    });
    const model = models.get('exact') as nn.Module;
    const kinds = model.children().map((m) => m.constructor.name);
    expect(kinds).toEqual(['Unflatten', 'Conv2d', 'ReLU', 'MaxPool2d', 'Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear', 'ReLU', 'Linear']);
    // 28 → 14 → 7, 3 channels: 147 features into the hidden Linear
    const shapes = weightLayers(model).map((l) => l.weight.shape);
    expect(shapes).toEqual([[2, 1, 3, 3], [3, 2, 3, 3], [8, 147], [10, 8]]);
    expect(initial.get('sigmoid')).toEqual(initial.get('exact'));
    const [exact, sigmoid] = result.runs;
    expect(sigmoid.losses[0]).toBe(exact.losses[0]); // same weights, same first batch
    expect(sigmoid.losses[1]).not.toBe(exact.losses[1]); // then the rule makes a difference
    expect(exact.gradNorms[0].layers).toHaveLength(4);
    expect(result.config).toMatchObject({ arch: 'cnn', channels: [2, 3], imageShape: [1, 28, 28], depth: 1, width: 8 });
    expect(Number.isFinite(result.summary[0].metrics.testAccuracy.mean)).toBe(true);
    expect(formatTable(result)).toContain('mnist (64 train / 32 test), relu CNN (conv 2-3, then 1×8)');
    // dead units are measured on the conv activations too
    expect(exact.final.deadFraction).not.toBeNull();
  });

  it('an mlp reports arch mlp and no channels', () => {
    const result = compareRules({ ...tinyCnn, arch: undefined, channels: undefined, rules: ['exact'] });
    expect(result.config).toMatchObject({ arch: 'mlp', channels: null, imageShape: null });
  });

  it('refuses bad cnn options, naming them', () => {
    expect(() => compareRules({ ...tinyCnn, arch: 'rnn' as 'cnn' })).toThrow(/unknown arch 'rnn'; the architectures are mlp, cnn/);
    expect(() => compareRules({ ...tinyCnn, arch: 'mlp' })).toThrow(/channels and imageShape describe a cnn/);
    expect(() => compareRules({ ...tinyCnn, channels: [0] })).toThrow(/channels must be a list of positive integers/);
    expect(() => compareRules({ ...tinyCnn, imageShape: [1, 27, 29] })).toThrow(/imageShape \[1,27,29\] has 783 values but each input has 784/);
    expect(() => compareRules({ ...tinyCnn, channels: [1, 1, 1, 1, 1] })).toThrow(/5 conv blocks halve the image 5 times, but 28×28 is smaller than 32×32/);
    expect(() => compareRules({ ...tinyCnn, dataset: 'xor', datasetOptions: { trainSize: 32, testSize: 16 } })).toThrow(/arch 'cnn' needs image-shaped inputs; 2 inputs are not a square, give imageShape/);
  });
});

describe('surrograd compare --arch cnn', () => {
  it('reads --arch, --channels and --image-shape', () => {
    const parsed = compareOptionsFromArgs(['--arch', 'cnn', '--channels', '4,8', '--image-shape', '1,28,28', '--depth', '1']);
    if (parsed === 'help') throw new Error('unexpected help');
    expect(parsed.options).toMatchObject({ arch: 'cnn', channels: [4, 8], imageShape: [1, 28, 28], depth: 1 });
    const plain = compareOptionsFromArgs([]);
    if (plain === 'help') throw new Error('unexpected help');
    expect(plain.options.arch).toBe('mlp');
  });

  it('refuses channels without --arch cnn and malformed lists', () => {
    expect(() => compareOptionsFromArgs(['--channels', '4'])).toThrow(/--channels and --image-shape need --arch cnn/);
    expect(() => compareOptionsFromArgs(['--arch', 'cnn', '--channels', '4,x'])).toThrow(/--channels must be comma-separated positive integers/);
    expect(() => compareOptionsFromArgs(['--arch', 'cnn', '--image-shape', '1,28'])).toThrow(/--image-shape must be C,H,W/);
    expect(() => compareOptionsFromArgs(['--arch', 'resnet'])).toThrow(/unknown arch 'resnet'; choose one of: mlp, cnn/);
  });
});

