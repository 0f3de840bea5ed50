// The main entry bundles for the browser with no Node built-in (scripts/check-browser-bundle.mjs,
// also run by CI), and the check really refuses entries that reach one.
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

function check(entry: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['scripts/check-browser-bundle.mjs', entry], { cwd: ROOT }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code), out: stdout + stderr });
    });
  });
}

describe('scripts/check-browser-bundle.mjs', () => {
  it('passes the main entry: no Node built-in import or global reachable from src/index.ts', async () => {
    const { code, out } = await check('src/index.ts');
    expect(out).toContain('browser bundle ok: src/index.ts');
    expect(code).toBe(0);
  });

  it('refuses an entry that imports a Node built-in, naming the file and the module', async () => {
    const { code, out } = await check('test/fixtures/imports-node-builtin.ts');
    expect(code).toBe(1);
    expect(out).toContain("test/fixtures/imports-node-builtin.ts imports 'node:fs'");
  });

  it('refuses an entry that reads a Node-only global', async () => {
    const { code, out } = await check('test/fixtures/uses-node-global.ts');
    expect(code).toBe(1);
    expect(out).toContain("test/fixtures/uses-node-global.ts uses the Node global 'Buffer'");
  });

  it('refuses surrograd/node, which is Node-only by design', async () => {
    const { code, out } = await check('src/node/index.ts');
    expect(code).toBe(1);
    expect(out).toMatch(/src\/node\/\w+\.ts imports 'node:fs'/);
  });
});
