// surrograd/node: the Node-only names moved out of the main entry are importable from it, and the
// main entry says where to go for what needs files.
import { describe, expect, it } from 'vitest';
import * as main from '../../src/index';
import * as node from '../../src/node';
import { loadDataset as loadNamed } from '../../src/experiment/datasets';

describe('surrograd/node', () => {
  it('exports the Node-only names, which the main entry no longer has', () => {
    for (const name of ['save', 'load', 'loadMnist', 'loadIris', 'mnistClassCounts', 'MissingDependencyError', 'writeResults', 'loadDataset']) {
      expect(typeof (node as Record<string, unknown>)[name], name).toBe('function');
      expect(name in main, `main entry has ${name}`).toBe(false);
    }
    expect('loadMnist' in main.data).toBe(false);
    expect('writeResults' in main.experiment).toBe(false);
    // the in-memory checkpoint halves stay in the main entry
    expect(typeof main.toBytes).toBe('function');
    expect(typeof main.fromBytes).toBe('function');
  });

  it("the main entry's loadDataset makes synthetic sets and points to surrograd/node for file-backed ones", () => {
    const { train, test } = loadNamed('xor', { trainSize: 40, testSize: 10, seed: 3 });
    expect([train.length, test.length]).toEqual([40, 10]);
    expect(() => loadNamed('iris')).toThrow(main.ArgumentError);
    expect(() => loadNamed('mnist')).toThrow(/'mnist' is read from the optional 'mnist' package, which needs Node; import \{ loadDataset, compareRules \} from 'surrograd\/node'/);
    expect(() => main.compareRules({ dataset: 'iris', activation: 'relu', depth: 1, width: 4, rules: ['exact'], lr: 0.1, epochs: 1, seeds: [0] })).toThrow(
      /surrograd\/node/,
    );
  });

  it("surrograd/node's loadDataset and compareRules read iris by name (150 flowers: 120 train, 30 test)", () => {
    const { train, test } = node.loadDataset('iris', { seed: 1 });
    expect([train.length, test.length]).toEqual([120, 30]);
    const result = node.compareRules({ dataset: 'iris', activation: 'relu', depth: 1, width: 4, rules: ['exact'], lr: 0.1, epochs: 1, seeds: [0] });
    expect(result.config.dataset).toBe('iris');
    expect(result.runs).toHaveLength(1);
  });
});
