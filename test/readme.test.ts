// The README's quick start is code a newcomer pastes first: run it exactly as written (with the
// package import pointed at the source) and check the numbers its comments promise.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '..');

function quickStart(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.split('## Quick start')[1];
  const code = section?.split('```ts')[1]?.split('```')[0];
  if (code === undefined) throw new Error('README.md has no ```ts block under "## Quick start"');
  return code;
}

describe('README', () => {
  it('has the two newcomer commands', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm ci && npm test');
  });

  it("every `npm run <script>` it shows exists, so its commands work as written in a fresh clone", () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const commands = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const scripts = Object.keys(commands);
    const used = [...readme.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(used.length).toBeGreaterThan(8);
    for (const name of new Set(used)) {
      if (name.endsWith(':')) continue; // `npm run example:<name>`, checked below
      expect(scripts, `npm run ${name}`).toContain(name);
    }
    for (const file of fs.readdirSync(path.join(root, 'examples'))) {
      expect(Object.values(commands).some((c) => c.includes(`examples/${file}`)), `a script runs examples/${file}`).toBe(true);
    }
    // the package's own bin is not linked inside its repository: the CLI is shown as npm run there
    expect(readme).toContain('npm run surrograd -- compare');
    for (const line of readme.split('\n').filter((l) => l.includes('npx surrograd'))) expect(line).toMatch(/installed/);
  });

  it('quick start runs and prints the gradients its comments state', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-readme-'));
    const file = path.join(dir, 'quickstart.ts');
    const src = path.join(root, 'src').split(path.sep).join('/');
    fs.writeFileSync(file, quickStart().replace(/from 'surrograd'/g, `from '${src}'`));
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register', file], {
      cwd: root,
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: path.join(root, 'tsconfig.json') },
      encoding: 'utf8',
    });
    fs.rmSync(dir, { recursive: true, force: true });
    const numbers = (out.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number);
    const sigma = (v: number): number => 1 / (1 + Math.exp(-v));
    const expected = [0, 0, 1, 1, ...[-2, -0.5, 0.5, 2].map(sigma)];
    expect(numbers.length).toBe(expected.length);
    numbers.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
  });
});
