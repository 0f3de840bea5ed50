// The piscina worker of src/node/parallel.ts: runs one task, `require(module)[export](spec)`.
// Plain JavaScript so that it loads as it is; a task module written in TypeScript (running from
// source, under ts-node or vitest) is compiled on the fly by ts-node's transpile-only register.
'use strict';

let tsRegistered = false;

module.exports = function runTask(task) {
  const { module: file, export: name, spec } = task;
  if (/\.[cm]?ts$/.test(file) && !tsRegistered) {
    // swc (ts-node's fast transpiler, a native addon) crashes worker threads inside vitest's
    // forked test processes; TypeScript's own transpiler is slower but safe there
    require('ts-node').register({ transpileOnly: true, swc: process.env.VITEST === undefined });
    tsRegistered = true;
  }
  const fn = require(file)[name];
  if (typeof fn !== 'function') throw new Error(`parallel worker: ${file} has no exported function '${name}'`);
  return fn(spec);
};
