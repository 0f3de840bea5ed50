// Recheck the survivors of an earlier Stryker run against the current tests, without a whole new
// run: each surviving (non-equivalent, non-static) mutant of the report is written into a scratch
// copy of the repository, the given test files are run, and the mutant counts as killed when they
// fail. Slower per mutant than Stryker's mutation switching, but it only runs the survivors.
//
//   node mutate/recheck.mjs mutate/reports/ops-reduce.json test/ops test/defaults.test.ts
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { equivalentMutants } from './stryker.config.mjs';

const [reportPath, ...testFiles] = process.argv.slice(2);
const root = resolve(import.meta.dirname, '..');
const squash = (s) => s.replace(/\s+/g, ' ').trim();

function offsetOf(source, { line, column }) {
  const lines = source.split('\n');
  let offset = 0;
  for (let l = 0; l < line - 1; l++) offset += lines[l].length + 1;
  return offset + column - 1;
}

const scratch = mkdtempSync(join(tmpdir(), 'surrograd-recheck-'));
for (const entry of ['src', 'test', 'mutate/vitest.config.mts', 'tsconfig.json', 'package.json']) {
  cpSync(join(root, entry), join(scratch, entry), { recursive: true });
}
symlinkSync(realpathSync(join(root, 'node_modules')), join(scratch, 'node_modules'));

const report = JSON.parse(readFileSync(reportPath, 'utf8'));
const runTests = () => {
  try {
    execFileSync(join(scratch, 'node_modules/.bin/vitest'), ['run', '--config', 'mutate/vitest.config.mts', ...testFiles], { cwd: scratch, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
// the report's sources unmutated must pass the tests, or every mutant would count as killed
for (const [file, { source }] of Object.entries(report.files)) writeFileSync(join(scratch, file), source);
if (!runTests()) {
  console.log("the tests fail on the report's sources without any mutant: recheck is meaningless here");
  rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
}
let killed = 0;
let survived = 0;
for (const [file, { source, mutants }] of Object.entries(report.files)) {
  const current = readFileSync(join(root, file), 'utf8');
  if (current !== source) console.log(`note: ${file} changed since the report; positions may not match`);
  for (const m of mutants) {
    if ((m.status !== 'Survived' && m.status !== 'NoCoverage') || m.static) continue;
    const start = offsetOf(source, m.location.start);
    const end = offsetOf(source, m.location.end);
    const original = source.slice(start, end);
    const equivalent = equivalentMutants.some(
      (e) =>
        file.endsWith(e.file) &&
        e.mutator === m.mutatorName &&
        squash(e.original) === squash(original) &&
        squash(e.replacement) === squash(m.replacement) &&
        (e.line === undefined || e.line === m.location.start.line),
    );
    if (equivalent) continue;
    writeFileSync(join(scratch, file), source.slice(0, start) + m.replacement + source.slice(end));
    const failed = !runTests();
    writeFileSync(join(scratch, file), source);
    if (failed) killed++;
    else survived++;
    console.log(`${failed ? 'killed  ' : 'SURVIVED'} ${file}:${m.location.start.line} ${m.mutatorName} ${squash(original)} → ${squash(m.replacement)}`);
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(`${killed} killed, ${survived} survived`);
