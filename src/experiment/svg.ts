// Hand-written SVG line charts (no dependencies): axes with round ticks, linear or log y, a
// legend, and several panels in one file. Small on purpose: what the runner needs to show loss
// curves and per-layer gradient norms in a browser.

/** One line of a chart. */
export interface Series {
  /** The legend label. */
  label: string;
  /** The stroke colour (any SVG colour). */
  color: string;
  /** [x, y] points; a non-finite y (or y ≤ 0 on a log axis) breaks the line. */
  points: readonly (readonly [number, number])[];
  /** Stroke width (default 1.8). */
  width?: number;
  /** Draw a dot at each point (for short series such as per-epoch accuracy). */
  markers?: boolean;
}

/** A line chart to draw as SVG: title, axes and series. */
export interface Chart {
  /** The title above the plot. */
  title: string;
  /** The x-axis label. */
  xLabel: string;
  /** The y-axis label. */
  yLabel: string;
  /** The lines to draw. */
  series: readonly Series[];
  /** Use a logarithmic y axis. */
  logY?: boolean;
  /** Fix the y range (else from the data). */
  yRange?: readonly [number, number];
  /** Fix the x range (else from the data). */
  xRange?: readonly [number, number];
  /** Draw the legend inside this chart (default true). */
  legend?: boolean;
  /** x counts something (steps, epochs): ticks only at whole numbers. */
  integerX?: boolean;
  /** On a log axis, draw y = 0 on the bottom edge instead of leaving a gap (noted under the title). */
  zeroAtFloor?: boolean;
}

/** Ten distinct colours (Tableau 10), for rules. */
export const CATEGORICAL = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** A colour from dark purple (t = 0) through teal to yellow (t = 1), viridis-like, for layers by depth. */
export function sequentialColor(t: number): string {
  const stops = [
    [0x44, 0x01, 0x54],
    [0x3b, 0x52, 0x8b],
    [0x21, 0x91, 0x8c],
    [0x5e, 0xc9, 0x62],
    [0xfd, 0xe7, 0x25],
  ];
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const MARGIN = { left: 64, right: 16, top: 34, bottom: 44 };

/** One chart as a complete SVG document. */
export function chartSvg(chart: Chart, width = 760, height = 440): string {
  return document(width, height, renderChart(chart, 0, 0, width, height));
}

/**
 * Several charts in a grid, in one SVG document, with a title above and an optional legend below
 * shared by all panels (the panels then draw none).
 */
export function panelsSvg(
  title: string,
  charts: readonly Chart[],
  options: { columns?: number; panelWidth?: number; panelHeight?: number; legend?: readonly Series[] } = {},
): string {
  const columns = Math.max(1, Math.min(options.columns ?? 3, charts.length));
  const pw = options.panelWidth ?? 380;
  const ph = options.panelHeight ?? 280;
  const rows = Math.ceil(charts.length / columns);
  const titleHeight = 36;
  const legend = options.legend ?? [];
  const legendColumns = Math.max(1, Math.floor((columns * pw - 40) / 150));
  const legendHeight = legend.length === 0 ? 0 : Math.ceil(legend.length / legendColumns) * 18 + 16;
  const width = columns * pw;
  const height = titleHeight + rows * ph + legendHeight;
  const parts: string[] = [`<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold" ${FONT}>${escapeXml(title)}</text>`];
  charts.forEach((chart, i) => {
    const x = (i % columns) * pw;
    const y = titleHeight + Math.floor(i / columns) * ph;
    parts.push(renderChart({ ...chart, legend: legend.length === 0 && chart.legend !== false }, x, y, pw, ph));
  });
  if (legend.length > 0) {
    const top = titleHeight + rows * ph + 8;
    legend.forEach((s, i) => {
      const lx = 40 + (i % legendColumns) * 150;
      const ly = top + Math.floor(i / legendColumns) * 18 + 6;
      parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`);
      parts.push(`<text x="${lx + 28}" y="${ly + 4}" font-size="12" ${FONT}>${escapeXml(s.label)}</text>`);
    });
  }
  return document(width, height, parts.join('\n'));
}

function document(width: number, height: number, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="white"/>\n${body}\n</svg>\n`
  );
}

function renderChart(chart: Chart, x0: number, y0: number, width: number, height: number): string {
  const logY = chart.logY ?? false;
  const zeroAtFloor = logY && chart.zeroAtFloor === true;
  const usable = (y: number): boolean => Number.isFinite(y) && (!logY || y > 0 || (zeroAtFloor && y === 0));
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of chart.series) {
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !usable(y) || (logY && y === 0)) continue;
      xs.push(x);
      ys.push(y);
    }
  }
  const [xMin, xMax] = chart.xRange ?? padRange(minOf(xs, 0), maxOf(xs, 1), false);
  const [yLo, yHi] = chart.yRange ?? padRange(minOf(ys, logY ? 1e-3 : 0), maxOf(ys, 1), logY);
  // the legend sits right of the plot, so it never hides a line
  const showLegend = chart.legend !== false && chart.series.length > 0;
  const legendWidth = showLegend ? Math.min(200, Math.max(...chart.series.map((s) => s.label.length)) * 6.4 + 40) : 0;
  const px0 = x0 + MARGIN.left;
  const px1 = x0 + width - MARGIN.right - (showLegend ? legendWidth + 8 : 0);
  const py0 = y0 + MARGIN.top;
  const py1 = y0 + height - MARGIN.bottom;
  const tyLo = logY ? Math.log10(yLo) : yLo;
  const tyHi = logY ? Math.log10(yHi) : yHi;
  const sx = (x: number): number => px0 + ((x - xMin) / (xMax - xMin || 1)) * (px1 - px0);
  const sy = (y: number): number => (logY && y === 0 ? py1 : py1 - (((logY ? Math.log10(y) : y) - tyLo) / (tyHi - tyLo || 1)) * (py1 - py0));
  const r = (v: number): string => (Math.round(v * 10) / 10).toString();

  const out: string[] = [];
  out.push(`<g>`);
  out.push(`<text x="${r((px0 + px1) / 2)}" y="${y0 + 20}" text-anchor="middle" font-size="13" font-weight="bold" ${FONT}>${escapeXml(chart.title)}</text>`);
  if (zeroAtFloor && chart.series.some((s) => s.points.some(([, y]) => y === 0))) {
    out.push(`<text x="${r(px1 - 4)}" y="${r(py0 + 12)}" text-anchor="end" font-size="10" fill="#a00" ${FONT}>zero: drawn on the bottom edge</text>`);
  }
  // grid and ticks
  for (const t of linearTicks(xMin, xMax, Math.max(2, Math.floor((px1 - px0) / 90)), chart.integerX === true)) {
    const X = r(sx(t));
    out.push(`<line x1="${X}" y1="${r(py0)}" x2="${X}" y2="${r(py1)}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${X}" y="${r(py1 + 15)}" text-anchor="middle" font-size="11" fill="#444" ${FONT}>${formatTick(t)}</text>`);
  }
  const yTicks = logY ? logTicks(yLo, yHi) : linearTicks(yLo, yHi, Math.max(2, Math.floor((py1 - py0) / 50)));
  for (const t of yTicks) {
    const Y = r(sy(t));
    out.push(`<line x1="${r(px0)}" y1="${Y}" x2="${r(px1)}" y2="${Y}" stroke="#e6e6e6"/>`);
    out.push(`<text x="${r(px0 - 6)}" y="${Y}" dy="4" text-anchor="end" font-size="11" fill="#444" ${FONT}>${logY ? formatPower(t) : formatTick(t)}</text>`);
  }
  out.push(`<rect x="${r(px0)}" y="${r(py0)}" width="${r(px1 - px0)}" height="${r(py1 - py0)}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${r((px0 + px1) / 2)}" y="${r(y0 + height - 8)}" text-anchor="middle" font-size="12" ${FONT}>${escapeXml(chart.xLabel)}</text>`);
  const yl = { x: x0 + 14, y: (py0 + py1) / 2 };
  out.push(`<text x="${r(yl.x)}" y="${r(yl.y)}" text-anchor="middle" font-size="12" transform="rotate(-90 ${r(yl.x)} ${r(yl.y)})" ${FONT}>${escapeXml(chart.yLabel)}</text>`);
  // the data, clipped to the plot area (values outside a fixed range are cut, not drawn over the axes)
  const clipId = `clip-${Math.round(x0)}-${Math.round(y0)}`;
  out.push(`<clipPath id="${clipId}"><rect x="${r(px0)}" y="${r(py0)}" width="${r(px1 - px0)}" height="${r(py1 - py0)}"/></clipPath>`);
  out.push(`<g clip-path="url(#${clipId})">`);
  for (const s of chart.series) {
    const d: string[] = [];
    let pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(x) || !usable(y)) {
        pen = false;
        continue;
      }
      d.push(`${pen ? 'L' : 'M'}${r(sx(x))} ${r(sy(y))}`);
      pen = true;
    }
    if (d.length > 0) {
      out.push(`<path d="${d.join(' ')}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.8}" stroke-linejoin="round" stroke-linecap="round"/>`);
    }
    if (s.markers === true) {
      for (const [x, y] of s.points) {
        if (Number.isFinite(x) && usable(y)) out.push(`<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="3" fill="${s.color}"/>`);
      }
    }
  }
  out.push(`</g>`);
  if (showLegend) {
    const lw = legendWidth;
    const lh = chart.series.length * 16 + 8;
    const lx = px1 + 8;
    const ly = py0;
    out.push(`<rect x="${r(lx)}" y="${r(ly)}" width="${r(lw)}" height="${lh}" fill="white" stroke="#ccc"/>`);
    chart.series.forEach((s, i) => {
      const yy = ly + 12 + i * 16;
      out.push(`<line x1="${r(lx + 6)}" y1="${r(yy)}" x2="${r(lx + 26)}" y2="${r(yy)}" stroke="${s.color}" stroke-width="3"/>`);
      out.push(`<text x="${r(lx + 32)}" y="${r(yy + 4)}" font-size="11" ${FONT}>${escapeXml(s.label)}</text>`);
    });
  }
  out.push(`</g>`);
  return out.join('\n');
}

function minOf(values: number[], fallback: number): number {
  return values.length === 0 ? fallback : values.reduce((a, b) => Math.min(a, b));
}

function maxOf(values: number[], fallback: number): number {
  return values.length === 0 ? fallback : values.reduce((a, b) => Math.max(a, b));
}

/** A range around [lo, hi] that is never empty; on a log axis, whole decades. */
function padRange(lo: number, hi: number, log: boolean): [number, number] {
  if (log) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi) + (lo === hi ? 1 : 0))];
  if (lo === hi) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** Round ticks (1, 2 or 5 times a power of ten apart, at least 1 for `integers`) inside [lo, hi]. */
export function linearTicks(lo: number, hi: number, target: number, integers = false): number[] {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [lo];
  const raw = span / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const step = integers ? Math.max(1, nice) : nice;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

/** Powers of ten inside [lo, hi], thinned to at most about eight. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  const every = Math.max(1, Math.ceil((b - a + 1) / 8));
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) if ((e - a) % every === 0) ticks.push(10 ** e);
  return ticks;
}

function formatTick(t: number): string {
  if (t === 0) return '0';
  const a = Math.abs(t);
  if (a >= 1e5 || a < 1e-3) return t.toExponential(0);
  return String(Number(t.toPrecision(6)));
}

function formatPower(t: number): string {
  const e = Math.round(Math.log10(t));
  if (e >= 0 && e <= 3) return String(10 ** e);
  return `1e${e}`;
}
