// Loaded before every test file (vitest.config.mts `setupFiles`).
//
// 1. `expect(fn).toThrowWith(ErrorClass, /message/)`: one call of fn, asserting the class of what
//    it threw and its message together (vitest's toThrow takes one or the other).
// 2. A guard on vitest's own toThrow / toThrowError: with a RegExp or string expectation, the thrown
//    value must be an Error. vitest 5 passes `expect(() => { throw undefined }).toThrow(/x/)`, so a
//    bare regex assertion could not fail on a throw of undefined.
import { chai, expect } from 'vitest';

type ErrorClass = abstract new (...args: never[]) => Error;

declare module 'vitest' {
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    /** fn throws an instance of `errorClass` whose message matches `pattern` (when given). */
    toThrowWith(errorClass: ErrorClass, pattern?: RegExp | string): R;
  }
}

expect.extend({
  toThrowWith(received: unknown, errorClass: ErrorClass, pattern?: RegExp | string) {
    if (typeof received !== 'function') {
      return { pass: false, message: () => `toThrowWith expects a function, got ${typeof received}` };
    }
    let thrown: unknown;
    let threw = false;
    try {
      (received as () => unknown)();
    } catch (e) {
      threw = true;
      thrown = e;
    }
    const name = errorClass.name;
    if (!threw) return { pass: false, message: () => `expected a ${name} to be thrown, but nothing was thrown` };
    if (!(thrown instanceof errorClass)) {
      const got = thrown instanceof Error ? `${thrown.constructor.name}: ${thrown.message}` : String(thrown);
      return { pass: false, message: () => `expected a ${name} to be thrown, got ${got}` };
    }
    const message = (thrown as Error).message;
    const matches = pattern === undefined || (typeof pattern === 'string' ? message.includes(pattern) : pattern.test(message));
    return {
      pass: matches,
      message: () =>
        matches
          ? `expected no ${name} matching ${String(pattern)}, got "${message}"`
          : `expected a ${name} matching ${String(pattern)}, got "${message}"`,
    };
  },
});

chai.use((_chai, utils) => {
  for (const method of ['toThrow', 'toThrowError']) {
    utils.overwriteMethod(chai.Assertion.prototype, method, (original: (...args: unknown[]) => unknown) =>
      function guarded(this: object, ...args: unknown[]) {
        const subject: unknown = utils.flag(this, 'object');
        const expected = args[0];
        const byMessage = expected instanceof RegExp || typeof expected === 'string';
        if (typeof subject !== 'function' || !byMessage || utils.flag(this, 'negate')) return original.apply(this, args);
        let thrown: unknown;
        let threw = false;
        utils.flag(this, 'object', function recording(this: unknown, ...inner: unknown[]) {
          try {
            return (subject as (...a: unknown[]) => unknown).apply(this, inner);
          } catch (e) {
            threw = true;
            thrown = e;
            throw e;
          }
        });
        const result = original.apply(this, args);
        if (threw && !(thrown instanceof Error)) {
          throw new chai.AssertionError(`expected an Error matching ${String(expected)} to be thrown, got ${String(thrown)}`);
        }
        return result;
      },
    );
  }
});
