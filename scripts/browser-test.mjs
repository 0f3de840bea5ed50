#!/usr/bin/env node
// The browser test suite, in a real headless Chromium driven by puppeteer-core:
//   1. test/browser/core.ts — the main entry bundled for the browser; library checks against
//      closed forms and plain loops, run in the page;
//   2. the playground — load, train on XOR, the loss falls, the gradient-norm chart has one line
//      per layer, switch the rule mid-training, keyboard control, a malformed link falls back to
//      defaults with a message, a diverging run is shown and reset; a screenshot is saved.
// Every page must log no console error and request nothing but the local server.
//
//   npm run test:browser        (CHROMIUM=/path/to/chromium to use another binary)
// Prints "N passed, M failed" and exits 1 on any failure.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import puppeteer from 'puppeteer-core';
import { browserOptions, root, serve } from './browser-build.mjs';
import { buildPlayground } from './build-playground.mjs';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(root, 'artifacts');
const site = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-browser-'));

const results = [];
function check(name, ok, detail = '') {
  results.push({ name, ok });
  console.log(`${ok ? '  ok  ' : '  FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

// ---- build the pages into one folder ----
const started = Date.now();
const playgroundDir = await buildPlayground();
fs.cpSync(playgroundDir, path.join(site, 'playground'), { recursive: true });
fs.mkdirSync(path.join(site, 'core'));
await esbuild.build(browserOptions({ core: 'test/browser/core.ts' }, path.join(site, 'core')));
fs.writeFileSync(
  path.join(site, 'core', 'index.html'),
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>surrograd in the browser</title><link rel="icon" href="data:,"></head><body><h1>surrograd core checks</h1><script src="core.js"></script></body></html>\n',
);
const { server, url: base } = await serve(site, 0);
console.log(`built in ${Date.now() - started} ms, serving ${base}`);

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'surrograd-chromium-'));
const browser = await puppeteer.launch({
  executablePath: CHROMIUM,
  headless: true,
  userDataDir: profile,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage',
  ],
});

/** A page that records console errors, uncaught exceptions and requests that leave the server. */
async function openPage(address) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.url().startsWith(base) || req.url().startsWith('data:') || req.url().startsWith('blob:')) req.continue();
    else {
      problems.push(`external request: ${req.url()}`);
      req.abort();
    }
  });
  page.on('workercreated', (w) => {
    // errors inside the worker surface as 'error' events on the Worker object, which the page shows
    w.evaluate(() => 0).catch(() => {});
  });
  await page.goto(address, { waitUntil: 'load' });
  return { page, problems };
}

/** The numbers in the playground's metrics line. */
async function metrics(page) {
  const text = await page.$eval('#metrics', (e) => e.textContent ?? '');
  const m = /step (\d+) .*loss train ([\d.NaInfity]+), test ([\d.NaInfity]+)/.exec(text);
  return m === null ? null : { step: Number(m[1]), train: Number(m[2]), test: Number(m[3]), text };
}

async function waitForStep(page, atLeast, timeout = 60_000) {
  await page.waitForFunction(
    (n) => {
      const m = /step (\d+)/.exec(document.getElementById('metrics')?.textContent ?? '');
      return m !== null && Number(m[1]) >= n;
    },
    { timeout, polling: 100 },
    atLeast,
  );
  return metrics(page);
}

try {
  // ---- 1. the library's checks in the page ----
  console.log('core checks in Chromium:');
  {
    const { page, problems } = await openPage(`${base}core/`);
    await page.waitForFunction(() => 'window' in globalThis && '__surrogradResults' in window, { timeout: 60_000 });
    const core = await page.evaluate(() => window.__surrogradResults);
    for (const r of core) check(r.name, r.ok, r.detail);
    check('core page: no console errors, no external requests', problems.length === 0, problems.join('; '));
    await page.close();
  }

  // ---- 2. the playground ----
  console.log('playground in Chromium:');
  {
    const { page, problems } = await openPage(`${base}playground/?depth=4&width=8&activation=tanh&lr=0.03&optimizer=adam`);
    await page.waitForSelector('#grad-chart');
    await waitForStep(page, 0);
    check('loads with no problems shown', await page.$eval('#problems', (e) => e.hidden));

    await page.select('#dataset', 'xor');
    const first = await waitForStep(page, 0);
    await page.click('#play');
    const trained = await waitForStep(page, 300);
    check('trains on XOR and the loss falls', trained.train < first.train * 0.6, `train loss ${first.train} → ${trained.train} at step ${trained.step}`);
    const lines = await page.$$eval('#grad-chart path.series', (paths) => paths.length);
    check('the gradient-norm chart draws one line per layer (4 hidden + output = 5)', lines === 5, `${lines} lines`);
    const drawn = await page.$$eval('#grad-chart path.series', (paths) => paths.filter((p) => (p.getAttribute('d') ?? '').includes('L')).length);
    check('every gradient-norm line has points', drawn === 5, `${drawn} drawn`);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground.png'), fullPage: true });

    // switch the rule of all layers mid-training
    await page.select('#rule-all select', 'floorAdded');
    const switchedAt = (await metrics(page)).step;
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll('#grad-legend span')).some((s) => (s.getAttribute('title') ?? '').includes('floorAdded')),
      { timeout: 30_000 },
    );
    const after = await waitForStep(page, switchedAt + 50);
    check('switching the rule mid-training keeps training (no reset)', after.step > switchedAt && after.train < first.train, `step ${switchedAt} → ${after.step}`);
    check('the URL carries the configuration', (await page.evaluate(() => location.search)).includes('rule=floorAdded'));
    const cosines = await page.$$eval('#agreement-chart rect.bar title', (t) => t.map((e) => e.textContent ?? ''));
    check('the agreement chart shows one bar per weight layer, below 1 under an artificial rule', cosines.length === 5 && cosines.some((c) => Number(c.split(': ').pop()) < 0.999), cosines.join(' | '));

    // one layer's own rule, with a parameter edited, through the per-layer editor
    await page.click('#per-layer summary');
    await page.select('#rule-layers [data-layer="2"] select', 'widened');
    await page.waitForSelector('#rule-layers [data-layer="2"] input');
    await page.$eval('#rule-layers [data-layer="2"] input', (input) => {
      input.value = '3';
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(
      () => Array.from(document.querySelectorAll('#grad-legend span')).some((s) => (s.getAttribute('title') ?? '') === 'layer 2, rule widened(w=3)'),
      { timeout: 30_000 },
    );
    const search = decodeURIComponent(await page.evaluate(() => location.search));
    check('a per-layer rule with an edited parameter applies and goes into the URL', search.includes('rules=*|widened(w=3)|*|*'), search);

    // keyboard: Space pauses (focus on the page body, not a control)
    await page.evaluate(() => (document.activeElement instanceof HTMLElement ? document.activeElement.blur() : undefined));
    await page.click('h1');
    await page.keyboard.press('Space');
    await page.waitForFunction(() => document.getElementById('play')?.getAttribute('aria-pressed') === 'false', { timeout: 10_000 });
    check('Space pauses training', true);
    // Tab reaches every control, from the top of the page
    await page.click('h1');
    const reached = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName || ''));
    }
    const wanted = ['dataset', 'noise', 'seed', 'depth', 'width', 'activation', 'lr', 'optimizer', 'batch', 'play', 'step', 'reset'];
    check('Tab reaches every control', wanted.every((id) => reached.includes(id)), reached.join(' '));
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-floorAdded.png'), fullPage: true });
    check('playground: no console errors, no external requests', problems.length === 0, problems.join('; '));
    await page.close();
  }

  {
    const { page, problems } = await openPage(`${base}playground/?depth=99&rule=bogus(k=2)&dataset=moons&lr=abc`);
    await waitForStep(page, 0);
    const text = await page.$eval('#problems', (e) => (e.hidden ? '' : e.textContent ?? ''));
    check('a malformed link shows what was wrong', /depth '99'/.test(text) && /dataset 'moons'/.test(text) && /lr 'abc'/.test(text) && /bogus/.test(text), text);
    const depth = await page.$eval('#depth', (e) => e.value);
    check('... and falls back to the defaults (depth 4), drawing the network', depth === '4' && (await page.$$eval('#grad-chart path.series', (p) => p.length)) === 5);
    check('malformed link: no console errors', problems.length === 0, problems.join('; '));
    await page.close();
  }

  {
    const { page, problems } = await openPage(`${base}playground/?dataset=spirals&depth=6&width=32&activation=relu&rule=identity&optimizer=sgd&lr=10`);
    await waitForStep(page, 0);
    await page.click('#play');
    await page.waitForFunction(() => document.getElementById('status')?.classList.contains('diverged') === true, { timeout: 60_000 });
    const status = await page.$eval('#status', (e) => e.textContent ?? '');
    check('a diverging run is shown as such', /Diverged/.test(status), status);
    await page.click('#reset');
    await page.waitForFunction(() => /^step 0 /.test(document.getElementById('metrics')?.textContent ?? ''), { timeout: 30_000 });
    const reset = await metrics(page);
    const resetStatus = await page.$eval('#status', (e) => e.textContent ?? '');
    check('... and can be reset', reset.step === 0 && /Reset/.test(resetStatus), resetStatus);
    check('diverging run: no console errors', problems.length === 0, problems.join('; '));
    await page.close();
  }
} catch (e) {
  check('the browser suite ran to the end', false, e instanceof Error ? e.stack ?? e.message : String(e));
} finally {
  await browser.close();
  server.close();
  fs.rmSync(profile, { recursive: true, force: true });
  fs.rmSync(site, { recursive: true, force: true });
}

const failed = results.filter((r) => !r.ok).length;
console.log(`screenshots: ${path.relative(root, ARTIFACTS)}/playground.png, playground-floorAdded.png`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
