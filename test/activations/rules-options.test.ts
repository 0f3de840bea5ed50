// Rule factories' options beyond numbers: options that are not an object, null parameters, schedules
// for the factories that refuse a learnable value (floored, clippedStraightThrough), and a blend's
// λ given as a schedule (checked where it starts and where it is now; shown without its counter).
import { describe, expect, it } from 'vitest';
import { RuleError } from '../../src/errors';
import { rules, schedules } from '../../src/activations';
import { expectClose, gradOf } from './helpers';

const XS = [-1.7, -0.6, -0.2, 0.3, 0.8, 1.1, 2.6];

describe('factory options that are not an object of parameters', () => {
  it('null or a number instead of options: RuleError naming the factory and an example', () => {
    for (const bad of [null, 5, 'k']) {
      expect(() => rules.sigmoidShaped(bad as never), String(bad)).toThrowWith(RuleError, /^rules\.sigmoidShaped: options must be an object such as \{ k: 1 \}/);
      expect(() => rules.floorAdded(bad as never), String(bad)).toThrowWith(RuleError, /^rules\.floorAdded: options must be an object/);
    }
  });

  it('a parameter that is null: RuleError saying to leave it out', () => {
    expect(() => rules.sigmoidShaped({ k: null } as never)).toThrowWith(RuleError, "rules.sigmoidShaped: option 'k' is null; leave it out");
    expect(() => rules.floorAdded({ c: null } as never)).toThrowWith(RuleError, "rules.floorAdded: option 'c' is null; leave it out");
  });
});

describe('schedules for parameters that cannot learn', () => {
  it('floored({ c: schedule }) is max(f′, c) with c read from the schedule', () => {
    const c = schedules.linear({ from: 0.2, to: 0.6, steps: 4 });
    const rule = rules.floored({ c });
    expectClose(gradOf('relu', XS, rule), XS.map((x) => Math.max(x > 0 ? 1 : 0, 0.2)), 1e-15);
    c.step(2);
    expectClose(gradOf('relu', XS, rule), XS.map((x) => Math.max(x > 0 ? 1 : 0, 0.4)), 1e-15);
  });

  it('clippedStraightThrough({ min: schedule, max }) passes g only inside [min, max]', () => {
    const min = schedules.constant(-0.5);
    expectClose(gradOf('sign', XS, rules.clippedStraightThrough({ min, max: 1 })), XS.map((x) => (x >= -0.5 && x <= 1 ? 1 : 0)), 0);
  });
});

describe("a blend's λ from a schedule", () => {
  it('is refused when the schedule starts outside [0, 1]', () => {
    expect(() => rules.blend('sigmoid', 'exact', schedules.linear({ from: 1.5, to: 0.5, steps: 10 }))).toThrowWith(
      RuleError,
      /rules\.blend \(its schedule linear\(1\.5 → 0\.5 over 10 steps\), t = 0 gives it at t = 0\): lambda must be in \[0, 1\], got 1\.5/,
    );
  });

  it('is refused when the schedule is outside [0, 1] where its counter is now', () => {
    const s = schedules.linear({ from: 0, to: 2, steps: 10 });
    s.step(8);
    expect(() => rules.blend('sigmoid', 'exact', s)).toThrowWith(RuleError, /gives it at t = 8\): lambda must be in \[0, 1\], got 1\.6/);
  });

  it('the description names the schedule without its counter, whatever the counter', () => {
    const s = schedules.linear({ from: 0, to: 1, steps: 200 });
    s.step(123);
    expect(rules.blend('sigmoid', 'exact', s).description).toBe('(1 − λ)·sigmoid + λ·exact, λ = following linear(0 → 1 over 200 steps): interpolates two rules.');
  });

  it('λ out of range: the message is exactly the factory and the value', () => {
    expect(() => rules.blend('exact', 'sigmoid', 1.5)).toThrowWith(RuleError, /^rules\.blend: lambda must be in \[0, 1\], got 1\.5$/);
  });
});
