// A Stryker "ignorer" plugin: skips the nodes listed in `equivalentMutants` (stryker.config.mjs),
// each a piece of source text in one file with the reason its mutants are equivalent. Matching by
// text, not line number, so the list survives edits elsewhere in the file; an entry that matches
// nothing is reported at the end of the run so a stale entry cannot hide.
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';
import { equivalentMutants } from './stryker.config.mjs';

const squash = (s) => s.replace(/\s+/g, ' ').trim();
const entries = equivalentMutants.map((e) => ({ ...e, text: squash(e.code), used: false }));

const seenFiles = new Set();
process.on('exit', () => {
  const unused = entries.filter((e) => !e.used && [...seenFiles].some((f) => f.endsWith(e.file)));
  for (const e of unused) console.warn(`equivalent-ignorer: no node matched in ${e.file}: ${e.code}`);
});

const ignorer = {
  shouldIgnore(path) {
    const file = path.hub?.file;
    const filename = file?.opts?.filename;
    const code = file?.code;
    const { start, end } = path.node;
    if (typeof filename !== 'string' || typeof code !== 'string' || start == null || end == null) return undefined;
    seenFiles.add(filename.replace(/\\/g, '/'));
    for (const e of entries) {
      if (!filename.replace(/\\/g, '/').endsWith(e.file)) continue;
      if (squash(code.slice(start, end)) !== e.text) continue;
      e.used = true;
      return `equivalent: ${e.reason}`;
    }
    return undefined;
  },
};

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'equivalent', ignorer)];
