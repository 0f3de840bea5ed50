// Per-file mutation scores from Stryker's JSON reports, with the equivalent mutants listed in
// stryker.config.mjs (`equivalentMutants`) taken out of the count and shown with their reasons.
//
//   node mutate/score.mjs mutate/reports/*.json
//
// Score = (killed + timeout) / (killed + timeout + survived + no coverage), string-literal
// mutants excluded by the config, equivalent ones excluded here. Prints a Markdown table.
//
// Static mutants (code run only while a module loads, such as the arrow functions that define
// an op's backward at the top level) are counted apart, as the config's `ignoreStatic` asks:
// Stryker classes some of them as covered by the first test that imported the module and runs
// that test with the mutant switched on after the module was already loaded, so they "survive"
// without ever having been active.
import { readFileSync } from 'node:fs';
import { equivalentMutants } from './stryker.config.mjs';

const squash = (s) => s.replace(/\s+/g, ' ').trim();

/** The source text a mutant replaced (its location is 1-based lines and columns). */
function originalText(source, loc) {
  const lines = source.split('\n');
  const { start, end } = loc;
  if (start.line === end.line) return lines[start.line - 1].slice(start.column - 1, end.column - 1);
  const parts = [lines[start.line - 1].slice(start.column - 1)];
  for (let l = start.line; l < end.line - 1; l++) parts.push(lines[l]);
  parts.push(lines[end.line - 1].slice(0, end.column - 1));
  return parts.join('\n');
}

function isEquivalent(file, source, mutant) {
  return equivalentMutants.find(
    (e) =>
      file.endsWith(e.file) &&
      e.mutator === mutant.mutatorName &&
      squash(e.replacement) === squash(mutant.replacement ?? '') &&
      squash(e.original) === squash(originalText(source, mutant.location)) &&
      // `line` pins an entry whose source text is too common to name one place (a bare `false`)
      (e.line === undefined || e.line === mutant.location.start.line),
  );
}

const rows = [];
const used = new Set();
for (const path of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0, static: 0, other: 0 };
    for (const m of mutants) {
      if (m.status === 'Ignored') continue;
      const eq = m.status === 'Survived' || m.status === 'NoCoverage' ? isEquivalent(file, source, m) : undefined;
      if (m.static && m.status !== 'Killed' && m.status !== 'Timeout') c.static++;
      else if (eq) {
        c.equivalent++;
        used.add(eq);
      } else if (m.status === 'Killed') c.killed++;
      else if (m.status === 'Timeout') c.timeout++;
      else if (m.status === 'Survived') c.survived++;
      else if (m.status === 'NoCoverage') c.noCoverage++;
      else c.other++;
    }
    const detected = c.killed + c.timeout;
    const valid = detected + c.survived + c.noCoverage;
    rows.push({ file, ...c, score: valid === 0 ? NaN : (100 * detected) / valid });
  }
}

console.log('| file | score | killed | timeout | survived | no coverage | equivalent (excluded) | static (excluded) | errors |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.file} | ${r.score.toFixed(1)} % | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.equivalent} | ${r.static} | ${r.other} |`);
}
const stale = equivalentMutants.filter((e) => rows.some((r) => r.file.endsWith(e.file)) && !used.has(e));
const survivors = process.env.SHOW_SURVIVORS !== undefined;
if (survivors) {
  for (const path of process.argv.slice(2)) {
    const report = JSON.parse(readFileSync(path, 'utf8'));
    for (const [file, { source, mutants }] of Object.entries(report.files)) {
      for (const m of mutants) {
        if ((m.status !== 'Survived' && m.status !== 'NoCoverage') || m.static || isEquivalent(file, source, m)) continue;
        console.log(`${file}:${m.location.start.line} ${m.mutatorName} ${squash(originalText(source, m.location))} → ${squash(m.replacement ?? '')}`);
      }
    }
  }
}
for (const e of stale) console.log(`\nnote: listed equivalent mutant not found or killed in ${e.file}: ${e.mutator} ${e.original} → ${e.replacement}`);
