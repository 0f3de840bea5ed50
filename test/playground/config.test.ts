// The playground's shared links: a configuration survives the URL round trip, and a malformed or
// out-of-range link is reported value by value and replaced by defaults, never thrown.
import { describe, expect, it } from 'vitest';
import { configToSearch, defaultConfig, parseConfig, type Config } from '../../playground/src/config';

describe('playground configuration in the URL', () => {
  it('round-trips every field, per-layer rules with edited parameters included', () => {
    const config: Config = {
      dataset: 'spirals',
      noise: 0.25,
      depth: 3,
      width: 17,
      activation: 'relu',
      rule: { name: 'sigmoid', params: { k: 2.5 } },
      layerRules: [null, { name: 'leaky', params: { c: 0.2 } }, { name: 'exact', params: {} }],
      lr: 0.003,
      optimizer: 'rmsprop',
      batchSize: 64,
      seed: 42,
    };
    const search = configToSearch(config);
    expect(search).toContain('rule=sigmoid%28k%3D2.5%29');
    const back = parseConfig(`?${search}`);
    expect(back.problems).toEqual([]);
    expect(back.config).toEqual(config);
  });

  it('an empty query gives the defaults with no problem', () => {
    expect(parseConfig('')).toEqual({ config: defaultConfig(), problems: [] });
  });

  it('reports each bad value and falls back to its default', () => {
    const { config, problems } = parseConfig('?dataset=moons&depth=21&width=0&lr=-1&noise=x&batch=2.5&seed=-3&optimizer=lbfgs&activation=swish9&zoom=2');
    const d = defaultConfig();
    expect(config).toEqual(d);
    expect(problems).toEqual([
      "unknown setting 'zoom' ignored",
      "dataset 'moons' is not one of circles, xor, spirals, blobs; using circles",
      "noise 'x' is not a number from 0 to 0.5; using 0.1",
      "depth '21' is not an integer from 1 to 20; using 4",
      "width '0' is not an integer from 1 to 32; using 8",
      expect.stringMatching(/^activation 'swish9' is not one of relu, .*; using relu$/),
      "lr '-1' is not a number from 0.00001 to 10; using 0.01",
      "optimizer 'lbfgs' is not one of sgd, momentum, adam, rmsprop; using adam",
      "batch '2.5' is not an integer from 1 to 256; using 32",
      "seed '-3' is not an integer from 0 to 2147483647; using 1",
    ]);
  });

  it('refuses rules the activation does not have, parameters the rule does not have, and values its factory refuses', () => {
    const bad = (rule: string): string[] => parseConfig(`?activation=tanh&rule=${encodeURIComponent(rule)}`).problems;
    expect(bad('sigmoid')).toEqual(['tanh has no rule \'sigmoid\' (it has exact, floorAdded, floored, peakNormalised, widened); using exact']);
    expect(bad('floorAdded(k=2)')).toEqual(["rule: 'floorAdded' has no parameter k (it has c); using exact"]);
    expect(bad('floorAdded(c=')).toEqual(["rule 'floorAdded(c=' is not of the form name or name(param=value,...); using exact"]);
    expect(bad('widened(w=-1)')[0]).toMatch(/^rule 'widened\(w=-1\)': .*w.*; using exact$/);
    expect(parseConfig('?activation=tanh&rule=widened(w%3D3)').config.rule).toEqual({ name: 'widened', params: { w: 3 } });
  });

  it('per-layer rules must list one entry per layer; a bad entry falls back to the all-layers rule', () => {
    const short = parseConfig('?depth=3&rules=exact|leaky');
    expect(short.config.layerRules).toEqual([null, null, null]);
    expect(short.problems).toEqual(['rules lists 2 layers but depth is 3; every layer uses rule exact']);
    const one = parseConfig('?depth=3&rules=*|nope|leaky(c%3D0.3)');
    expect(one.config.layerRules).toEqual([null, null, { name: 'leaky', params: { c: 0.3 } }]);
    expect(one.problems).toHaveLength(1);
  });
});
