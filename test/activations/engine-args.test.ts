// applyActivation's checks and the record it makes when nothing is recorded: options that are not
// an object, a non-tensor input (named by kind), option keys left undefined, and anomaly mode
// blaming the input of an unrecorded activation when the NaN came in with it.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../src/creation';
import { AnomalyError, ArgumentError } from '../../src';
import { activation } from '../../src/activations';
import { detectAnomaly } from '../../src/autograd/anomaly';

describe('applyActivation refuses bad arguments', () => {
  it('options that are not an object: ArgumentError naming the activation and the value', () => {
    const x = tensor([1, -1]);
    for (const [bad, shown] of [[5, '5'], [null, 'null'], ['sigmoid', 'sigmoid'], [true, 'true']] as const) {
      expect(() => activation('relu', x, bad as never), String(bad)).toThrowWith(
        ArgumentError,
        `relu: options must be an object such as { backward: 'exact' }, got ${shown}`,
      );
      expect(() => activation('leakyRelu', x, bad as never), String(bad)).toThrowWith(ArgumentError, /leakyRelu: options must be an object/);
    }
  });

  it('an input that is not a tensor: ArgumentError naming what it is', () => {
    expect(() => activation('relu', null as never)).toThrowWith(ArgumentError, /relu: expected a Tensor, got null/);
    expect(() => activation('relu', 5 as never)).toThrowWith(ArgumentError, /relu: expected a Tensor, got number/);
    expect(() => activation('relu', [1] as never)).toThrowWith(ArgumentError, /relu: expected a Tensor, got object/);
  });

  it('an option key whose value is undefined is ignored, known or not', () => {
    const x = tensor([2, -2], { dtype: 'float64' });
    expect(Array.from(activation('relu', x, { bogus: undefined } as never).toTypedArray())).toEqual([2, 0]);
    expect(Array.from(activation('leakyRelu', x, { slope: undefined, other: undefined } as never).toTypedArray())).toEqual([2, -0.02]);
  });
});

describe('anomaly mode on an activation that records nothing', () => {
  it('a NaN that came in with the input is blamed on the input', () => {
    let caught: unknown;
    try {
      detectAnomaly(() => tensor([0.5, Number.NaN]).sigmoid());
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AnomalyError);
    expect((caught as AnomalyError).anomaly.op).toBe('sigmoid');
    expect((caught as AnomalyError).anomaly.nonFiniteInputs).toEqual([0]);
  });
});
