#!/usr/bin/env node
// Builds the playground (playground/) into static files in playground/dist/: index.html,
// style.css, main.js (the page) and worker.js (the training Web Worker), each with the library
// bundled in. Open them from any static server; nothing is fetched from elsewhere.
//
//   npm run build:playground              write playground/dist/
//   npm run playground                    build, then serve on http://127.0.0.1:8080/
//   npm run playground -- --port 9000     another port (0: any free one)
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { browserOptions, root, serve } from './browser-build.mjs';

const args = process.argv.slice(2);
const out = path.join(root, 'playground', 'dist');

export async function buildPlayground() {
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  await esbuild.build(browserOptions({ main: 'playground/src/main.ts', worker: 'playground/src/worker.ts' }, out));
  for (const file of ['index.html', 'style.css']) fs.copyFileSync(path.join(root, 'playground', file), path.join(out, file));
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  await buildPlayground();
  const files = fs.readdirSync(out).filter((f) => !f.endsWith('.map'));
  const sizes = files.map((f) => `${f} ${(fs.statSync(path.join(out, f)).size / 1024).toFixed(0)} KiB`).join(', ');
  console.log(`playground built in ${Date.now() - started} ms: ${path.relative(root, out)}/ (${sizes})`);
  if (args.includes('--serve')) {
    const at = args.indexOf('--port');
    const port = at >= 0 ? Number(args[at + 1]) : Number(process.env.PORT ?? 8080);
    const { url } = await serve(out, port);
    console.log(`playground: ${url}  (Ctrl+C to stop)`);
  }
}
