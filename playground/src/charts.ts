// Drawing: the decision boundary on a canvas, and small SVG charts (lines over time, bars per
// layer). No library: a few dozen lines each, and every series is an element a test can count.

const SVG = 'http://www.w3.org/2000/svg';

/** A colour per layer, input side (blue) to output side (red), readable on white. */
export function layerColor(i: number, n: number): string {
  const t = n <= 1 ? 0 : i / (n - 1);
  const hue = 220 - 220 * t;
  return `hsl(${hue.toFixed(0)}, 70%, 45%)`;
}

/** Class colours: class 0 orange, class 1 blue (as TensorFlow Playground, and colour-blind safe). */
const CLASS_RGB: [number, number, number][] = [
  [230, 120, 20],
  [30, 110, 200],
];

/**
 * P(class 1) on a grid (row by row from the top) as a tinted background, the 0.5 contour darker,
 * then the points: training points filled, test points outlined.
 */
export function drawBoundary(
  canvas: HTMLCanvasElement,
  grid: Float32Array | null,
  gridSize: number,
  extent: number,
  train: { x: Float32Array; labels: number[] } | null,
  test: { x: Float32Array; labels: number[] } | null,
): void {
  const ctx = canvas.getContext('2d');
  if (ctx === null) return;
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  if (grid !== null) {
    const image = ctx.createImageData(gridSize, gridSize);
    for (let i = 0; i < grid.length; i++) {
      const p = Number.isFinite(grid[i]) ? grid[i] : 0.5;
      const [c0, c1] = CLASS_RGB;
      const strength = Math.abs(p - 0.5) * 2;
      const c = p >= 0.5 ? c1 : c0;
      for (let k = 0; k < 3; k++) image.data[4 * i + k] = Math.round(255 + (c[k] - 255) * 0.55 * strength);
      image.data[4 * i + 3] = 255;
    }
    const off = document.createElement('canvas');
    off.width = gridSize;
    off.height = gridSize;
    off.getContext('2d')?.putImageData(image, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, 0, 0, width, height);
  }
  const toPx = (v: number, size: number): number => ((v + extent) / (2 * extent)) * size;
  const dot = (points: { x: Float32Array; labels: number[] } | null, filled: boolean): void => {
    if (points === null) return;
    for (let i = 0; i < points.labels.length; i++) {
      const [r, g, b] = CLASS_RGB[points.labels[i]] ?? [0, 0, 0];
      const px = toPx(points.x[2 * i], width);
      const py = height - toPx(points.x[2 * i + 1], height);
      ctx.beginPath();
      ctx.arc(px, py, 3.2, 0, 2 * Math.PI);
      if (filled) {
        ctx.fillStyle = `rgb(${r},${g},${b})`;
        ctx.fill();
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = 1;
        ctx.stroke();
      } else {
        ctx.strokeStyle = `rgb(${r},${g},${b})`;
        ctx.lineWidth = 1.5;
        ctx.stroke();
      }
    }
  };
  dot(test, false);
  dot(train, true);
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export interface LineSeries {
  label: string;
  color: string;
  /** One value per recorded point; non-finite values break the line. */
  values: number[];
  dashed?: boolean;
}

const PAD = { left: 46, right: 8, top: 8, bottom: 20 };

/** Lines over time in `svg` (replacing its content): one <path class="series"> per series. */
export function lineChart(svg: SVGSVGElement, series: LineSeries[], options: { log: boolean; title: string; xLabel: string }): void {
  const width = svg.viewBox.baseVal.width || 360;
  const height = svg.viewBox.baseVal.height || 180;
  svg.replaceChildren();
  svg.append(el('title', {}));
  (svg.firstChild as SVGTitleElement).textContent = options.title;
  const finite = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!options.log || v > 0));
  const n = Math.max(2, ...series.map((s) => s.values.length));
  let lo = finite.length > 0 ? Math.min(...finite) : options.log ? 1e-3 : 0;
  let hi = finite.length > 0 ? Math.max(...finite) : 1;
  if (options.log) {
    lo = Math.log10(lo);
    hi = Math.log10(hi);
  }
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const x = (i: number): number => PAD.left + (i / (n - 1)) * (width - PAD.left - PAD.right);
  const y = (v: number): number => {
    const t = ((options.log ? Math.log10(v) : v) - lo) / (hi - lo);
    return height - PAD.bottom - t * (height - PAD.top - PAD.bottom);
  };
  // axes and two labels per axis: enough to read magnitudes
  svg.append(el('rect', { x: PAD.left, y: PAD.top, width: width - PAD.left - PAD.right, height: height - PAD.top - PAD.bottom, class: 'frame' }));
  const tick = (value: number, at: number): void => {
    const text = el('text', { x: PAD.left - 4, y: at + 4, class: 'tick', 'text-anchor': 'end' });
    text.textContent = options.log ? value.toExponential(0) : value.toFixed(2);
    svg.append(text);
  };
  tick(options.log ? 10 ** hi : hi, PAD.top);
  tick(options.log ? 10 ** lo : lo, height - PAD.bottom);
  const xl = el('text', { x: width - PAD.right, y: height - 5, class: 'tick', 'text-anchor': 'end' });
  xl.textContent = options.xLabel;
  svg.append(xl);
  series.forEach((s, index) => {
    let d = '';
    let pen = false;
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v) || (options.log && v <= 0)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    const path = el('path', { d: d === '' ? 'M0,0' : d, class: 'series', stroke: s.color, 'data-series': index, fill: 'none' });
    if (s.dashed === true) path.setAttribute('stroke-dasharray', '4 3');
    const title = el('title', {});
    title.textContent = s.label;
    path.append(title);
    svg.append(path);
  });
}

export interface Bar {
  label: string;
  /** null: not applicable (drawn as an empty slot). */
  value: number | null;
  color: string;
}

/** Bars per layer in `svg`, values from `min` to `max`; one <rect class="bar"> per bar with a value. */
export function barChart(
  svg: SVGSVGElement,
  groups: { name: string; bars: Bar[] }[],
  options: { min: number; max: number; title: string; /** Write each value over its bar. */ values?: boolean },
): void {
  const width = svg.viewBox.baseVal.width || 360;
  const height = svg.viewBox.baseVal.height || 140;
  svg.replaceChildren();
  svg.append(el('title', {}));
  (svg.firstChild as SVGTitleElement).textContent = options.title;
  const slots = Math.max(1, groups.length);
  const slot = (width - PAD.left - PAD.right) / slots;
  const y = (v: number): number => height - PAD.bottom - ((v - options.min) / (options.max - options.min)) * (height - PAD.top - PAD.bottom);
  svg.append(el('rect', { x: PAD.left, y: PAD.top, width: width - PAD.left - PAD.right, height: height - PAD.top - PAD.bottom, class: 'frame' }));
  for (const [value, at] of [[options.max, PAD.top], [options.min, height - PAD.bottom]]) {
    const t = el('text', { x: PAD.left - 4, y: at + 4, class: 'tick', 'text-anchor': 'end' });
    t.textContent = String(value);
    svg.append(t);
  }
  const zero = Math.min(Math.max(0, options.min), options.max);
  groups.forEach((group, gi) => {
    const inner = slot / Math.max(1, group.bars.length);
    group.bars.forEach((bar, bi) => {
      if (bar.value === null || !Number.isFinite(bar.value)) return;
      const v = Math.min(Math.max(bar.value, options.min), options.max);
      const top = Math.min(y(v), y(zero));
      const rect = el('rect', {
        x: PAD.left + gi * slot + bi * inner + 1,
        y: top,
        width: Math.max(1, inner - 2),
        height: Math.max(0.5, Math.abs(y(v) - y(zero))),
        fill: bar.color,
        class: 'bar',
      });
      const title = el('title', {});
      title.textContent = `${group.name} ${bar.label}: ${bar.value.toFixed(3)}`;
      rect.append(title);
      svg.append(rect);
      if (options.values === true) {
        const label = el('text', { x: PAD.left + gi * slot + (bi + 0.5) * inner, y: top + 12, class: 'value', 'text-anchor': 'middle' });
        label.textContent = bar.value.toFixed(3);
        svg.append(label);
      }
    });
    if (groups.length <= 12 || gi % 2 === 0) {
      const t = el('text', { x: PAD.left + (gi + 0.5) * slot, y: height - 5, class: 'tick', 'text-anchor': 'middle' });
      t.textContent = group.name;
      svg.append(t);
    }
  });
}
