// Checkpoint files (Node only): `save` writes the bytes of `toBytes` atomically, `load` reads a
// file and hands its bytes to the same checks as `fromBytes`. The format is described in
// src/checkpoint.ts.
import * as fs from 'node:fs';
import { validator } from '../validate';
import * as path from 'node:path';
import {
  type Checkpoint,
  CheckpointError,
  type LoadOptions,
  type SaveContents,
  applyCheckpoint,
  decodeCheckpoint,
  encodeCheckpoint,
} from '../checkpoint';

/**
 * Write a checkpoint of `model` (and optionally an optimizer, a scheduler and JSON metadata)
 * to `file`, atomically: into a temporary file next to it, flushed, then renamed over it.
 */
export function save(file: string, contents: SaveContents): void {
  if (typeof file !== 'string' || file.length === 0) throw new CheckpointError('save: the path must be a non-empty string');
  const bytes = encodeCheckpoint(contents); // every serialisation error happens before the disk is touched
  writeAtomically(file, bytes);
}

function writeAtomically(file: string, bytes: Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(temp, 'wx', 0o644);
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, file);
  } catch (e) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing: report the first error
      }
    }
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // leave the temporary file rather than hide the real error
    }
    throw new CheckpointError(`save('${file}'): the write failed, and any existing file was left as it was: ${(e as Error).message}`);
  }
  // make the rename itself durable where the platform allows it
  try {
    const dirFd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dirFd);
    } finally {
      fs.closeSync(dirFd);
    }
  } catch {
    // directories cannot be fsynced on every platform; the file itself is already on disk
  }
}

/**
 * Read a checkpoint. With `model` (and `optimizer`, `scheduler`), also load it into them: all of
 * the file is checked against all of them first, and if anything does not fit, nothing is
 * changed and a CheckpointError says everything that is wrong.
 */
export function load(file: string, options: LoadOptions = {}): Checkpoint {
  if (typeof file !== 'string' || file.length === 0) throw new CheckpointError('load: the path must be a non-empty string');
  validator(`load('${file}')`, CheckpointError).options(options, ['model', 'optimizer', 'scheduler', 'strict'], { example: '{ model, optimizer, scheduler }' });
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new CheckpointError(`load('${file}'): cannot read the file: ${(e as Error).message}`);
  }
  const checkpoint = decodeCheckpoint(bytes, `load('${file}')`);
  applyCheckpoint(checkpoint, options, `load('${file}')`);
  return checkpoint;
}

