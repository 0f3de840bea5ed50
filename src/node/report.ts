// Writing a comparison's results to files (Node only).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CompareResult } from '../experiment/types';
import { accuracyChart, formatTable, gradNormCharts, lossChart, resultsJson, type WrittenFiles } from '../experiment/report';
import { chartSvg, panelsSvg } from '../experiment/svg';

/**
 * Write a comparison to `dir` (made if needed): results.json (everything), summary.txt (the
 * table), loss.svg, accuracy.svg and grad-norms.svg (open them in a browser).
 */
export function writeResults(result: CompareResult, dir: string): WrittenFiles {
  fs.mkdirSync(dir, { recursive: true });
  const files: WrittenFiles = {
    dir,
    json: path.join(dir, 'results.json'),
    summary: path.join(dir, 'summary.txt'),
    loss: path.join(dir, 'loss.svg'),
    accuracy: path.join(dir, 'accuracy.svg'),
    gradNorms: path.join(dir, 'grad-norms.svg'),
  };
  fs.writeFileSync(files.json, resultsJson(result));
  fs.writeFileSync(files.summary, `${formatTable(result)}\n`);
  fs.writeFileSync(files.loss, chartSvg(lossChart(result)));
  fs.writeFileSync(files.accuracy, chartSvg(accuracyChart(result), 760, 380));
  const { charts, legend } = gradNormCharts(result);
  const c = result.config;
  fs.writeFileSync(
    files.gradNorms,
    panelsSvg(`Weight-gradient norm per layer during training (${c.activation} ${c.depth}×${c.width}, ${c.dataset})`, charts, {
      columns: Math.min(3, charts.length),
      legend,
    }),
  );
  return files;
}
