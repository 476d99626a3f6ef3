import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Filler, Legend, LinearScale, LineController,
  LineElement, PointElement, Tooltip,
  type ActiveElement, type ChartEvent, type Plugin,
} from 'chart.js';
import { distinctPalette, GRAPHICS_CONTRAST, hslHex, neutralPair, readableOn, TEXT_CONTRAST } from '../../src/shared/colour';
import { formatMoney, formatMoneyCompact, formatPercent } from '../../src/shared/format';
import type { Series } from './model';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, DoughnutController, ArcElement, LineController, LineElement, PointElement, Filler, Tooltip, Legend);

/** Colours from the VS Code theme (light, dark, high contrast), read when a chart is drawn. */
interface Theme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  border: string | undefined;
  highContrast: boolean;
  series: string[];
  untagged: string;
  other: string;
  increase: string;
  decrease: string;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

let canvasContext: CanvasRenderingContext2D | null | undefined;
/** Any CSS colour the canvas understands as `#rrggbb` or `rgba(…)` (what colour.ts parses); unchanged otherwise. */
function normalise(colour: string): string {
  canvasContext ??= document.createElement('canvas').getContext('2d');
  if (!canvasContext) return colour;
  canvasContext.fillStyle = '#000000';
  canvasContext.fillStyle = colour;
  return String(canvasContext.fillStyle);
}

/** Series colours beyond the theme's six: hues a golden angle apart, at two lightnesses that suit the background. */
function extraHues(dark: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < 160; i++) {
    const hue = (i * 137.508 + 20) % 360;
    for (const lightness of dark ? [70, 55] : [35, 50]) out.push(hslHex(hue, 60, lightness));
  }
  return out;
}

let cached: { key: string; theme: Theme } | undefined;

/**
 * The chart colours for the current theme: the theme's own (--vscode-charts-*), each darkened or lightened until it
 * has 3:1 against the cards' background (WCAG non-text contrast), and those too close to another (CIEDE2000) left
 * out, so every series in a legend can be told apart in light, dark and high-contrast themes alike.
 */
export function readTheme(): Theme {
  const classes = document.body.classList;
  const highContrast = classes.contains('vscode-high-contrast') || classes.contains('vscode-high-contrast-light');
  const dark = classes.contains('vscode-dark') || (classes.contains('vscode-high-contrast') && !classes.contains('vscode-high-contrast-light'));
  const raw = {
    base: [
      cssVar('--vscode-charts-blue', '#3794ff'), cssVar('--vscode-charts-orange', '#d18616'), cssVar('--vscode-charts-green', '#89d185'),
      cssVar('--vscode-charts-purple', '#b180d7'), cssVar('--vscode-charts-yellow', '#cca700'), cssVar('--vscode-charts-red', '#f14c4c'),
    ],
    foreground: cssVar('--vscode-foreground', dark ? '#cccccc' : '#333333'),
    muted: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    grid: cssVar('--vscode-editorWidget-border', dark ? '#454545' : '#c8c8c8'),
    // the cards' background, so the chart and a saved PNG read like the page
    background: cssVar('--vscode-editorWidget-background', cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff')),
    contrastBorder: cssVar('--vscode-contrastBorder', ''),
    untagged: cssVar('--vscode-disabledForeground', '#8b8b8b'),
    other: cssVar('--vscode-charts-lines', '#8b8b8b'),
    page: cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    warning: cssVar('--vscode-editorWarning-foreground', '#bf8803'),
    error: cssVar('--vscode-errorForeground', '#f14c4c'),
  };
  const key = JSON.stringify([raw, highContrast, dark]);
  if (cached?.key === key) return cached.theme;
  const bg = normalise(raw.background);
  stateColours({ ok: raw.base[2]!, risk: raw.base[1]!, bad: raw.base[5]!, warning: raw.warning, error: raw.error }, [bg, normalise(raw.page)]);
  const [untagged, other] = neutralPair(normalise(raw.untagged), normalise(raw.other), bg);
  const series = distinctPalette([...raw.base.map(normalise), ...extraHues(dark)], bg, { count: 64, reserved: [untagged, other] });
  const [increase, decrease] = distinctPalette([raw.base[5]!, raw.base[2]!].map(normalise), bg, { count: 2 });
  const theme: Theme = {
    foreground: raw.foreground,
    muted: raw.muted,
    grid: raw.grid,
    background: raw.background,
    border: highContrast && raw.contrastBorder ? raw.contrastBorder : undefined,
    highContrast,
    series,
    untagged,
    other,
    increase: increase!,
    decrease: decrease!,
  };
  cached = { key, theme };
  return theme;
}

/**
 * The status colours of the page's text and marks outside the charts (budget badges and borders, savings, anomalies,
 * warnings): the theme's own, given 4.5:1 (text) and 3:1 (marks) against the cards and the page, as CSS variables
 * `--mlfinops-text-NAME` / `--mlfinops-mark-NAME` that the style sheets use before the theme variable.
 */
function stateColours(colours: Record<string, string>, backgrounds: string[]): void {
  const style = document.documentElement.style;
  for (const [name, colour] of Object.entries(colours)) {
    const c = normalise(colour);
    const text = readableOn(c, backgrounds, TEXT_CONTRAST);
    const mark = readableOn(c, backgrounds, GRAPHICS_CONTRAST);
    if (text) style.setProperty(`--mlfinops-text-${name}`, text); else style.removeProperty(`--mlfinops-text-${name}`);
    if (mark) style.setProperty(`--mlfinops-mark-${name}`, mark); else style.removeProperty(`--mlfinops-mark-${name}`);
  }
}

/**
 * Writes the colours a chart draws on its canvas (`data-colours`: background, text, and each mark's fill by label),
 * so a UI test can check they stay distinguishable in every theme.
 */
const colourMarker: Plugin = {
  id: 'mlFinopsColours',
  afterRender(chart) {
    const options = chart.options as { color?: unknown; plugins?: { mlFinopsBackground?: { color?: string } } };
    const doughnut = (chart.config as { type?: string }).type === 'doughnut';
    const marks: { label: string; colour: string }[] = [];
    chart.data.datasets.forEach((ds, di) => {
      if (!chart.isDatasetVisible(di)) return;
      const fill = ds.backgroundColor;
      if (Array.isArray(fill)) {
        (fill as unknown[]).forEach((c, i) => { if (typeof c === 'string') marks.push({ label: String(chart.data.labels?.[i] ?? ''), colour: c }); });
      } else if (typeof fill === 'string') marks.push({ label: ds.label ?? '', colour: fill });
    });
    chart.canvas.dataset.colours = JSON.stringify({
      background: options.plugins?.mlFinopsBackground?.color ?? '',
      text: typeof options.color === 'string' ? options.color : '',
      ticks: String((chart.options.scales as { x?: { ticks?: { color?: unknown } } } | undefined)?.x?.ticks?.color ?? ''),
      // marks told apart by colour alone (a legend), rather than by their axis label
      legend: doughnut || (chart.options.plugins?.legend?.display !== false && chart.data.datasets.length > 1),
      marks,
    });
  },
};

/** Paints the editor background under the chart so a saved PNG reads like the page. */
const background: Plugin = {
  id: 'mlFinopsBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = (chart.options.plugins as { mlFinopsBackground?: { color?: string } }).mlFinopsBackground?.color ?? 'transparent';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * Marks on the canvas where its largest element is drawn (`data-hit="x,y"`, CSS pixels), so a pointer or a
 * UI test can click a real bar or slice.
 */
const hitMarker: Plugin = {
  id: 'mlFinopsHit',
  afterRender(chart) {
    let best: { x: number; y: number; v: number } | undefined;
    chart.data.datasets.forEach((ds, di) => {
      const meta = chart.getDatasetMeta(di);
      if (meta.hidden) return;
      (ds.data as unknown[]).forEach((raw, i) => {
        const v = typeof raw === 'number' ? Math.abs(raw) : 0;
        const el = meta.data[i];
        if (!el || (best && best.v >= v)) return;
        const p = (el as unknown as { getCenterPoint?(): { x: number; y: number } }).getCenterPoint?.() ?? { x: el.x, y: el.y };
        best = { x: p.x, y: p.y, v };
      });
    });
    if (best) chart.canvas.dataset.hit = `${Math.round(best.x)},${Math.round(best.y)}`;
  },
};

Chart.register(background, hitMarker, colourMarker);


function baseOptions(theme: Theme) {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    normalized: true,
    color: theme.foreground,
    font: { family: getComputedStyle(document.body).fontFamily },
    plugins: {
      legend: { labels: { color: theme.foreground, boxWidth: 12 } },
      tooltip: { enabled: true },
      ...({ mlFinopsBackground: { color: theme.background } } as object),
    },
  } as const;
}

function colourFor(theme: Theme, kind: Series['kind'], i: number): string {
  return kind === 'untagged' ? theme.untagged : kind === 'other' ? theme.other : theme.series[i % theme.series.length]!;
}

type ClickHandler = (datasetIndex: number, index: number) => void;

function onClick(handler: ClickHandler) {
  return (_e: ChartEvent, elements: ActiveElement[]) => {
    const first = elements[0];
    if (first) handler(first.datasetIndex, first.index);
  };
}

/** Days above which the daily chart is drawn as stacked areas instead of bars (bars narrower than ~3 px). */
const AREA_ABOVE_DAYS = 92;

/**
 * The series whose stacked band holds a point of the chart (CSS pixels), or undefined. Works for stacked bars
 * and stacked areas alike, so a click anywhere inside a band filters by that series.
 */
function stackedHit(chart: Chart, x: number, y: number): { datasetIndex: number; index: number } | undefined {
  const xs = chart.scales.x;
  const ys = chart.scales.y;
  if (!xs || !ys) return undefined;
  const { left, right, top, bottom } = chart.chartArea;
  if (x < left || x > right || y < top || y > bottom) return undefined;
  const index = Math.round(xs.getValueForPixel(x) ?? -1);
  const value = ys.getValueForPixel(y);
  if (index < 0 || value === undefined) return undefined;
  let base = 0;
  for (let di = 0; di < chart.data.datasets.length; di++) {
    if (!chart.isDatasetVisible(di)) continue;
    const v = Number((chart.data.datasets[di]!.data as number[])[index] ?? 0);
    if (v > 0 && value >= base && value <= base + v) return { datasetIndex: di, index };
    base += Math.max(0, v);
  }
  return undefined;
}

/** Marks the middle of the first series' band on its largest day (`data-hit`, CSS pixels). */
const stackedHitMarker: Plugin = {
  id: 'mlFinopsStackedHit',
  afterRender(chart) {
    const data = (chart.data.datasets[0]?.data ?? []) as number[];
    let best = -1;
    data.forEach((v, i) => { if (best < 0 || v > (data[best] ?? 0)) best = i; });
    const xs = chart.scales.x;
    const ys = chart.scales.y;
    if (best < 0 || !xs || !ys || !((data[best] ?? 0) > 0)) return;
    chart.canvas.dataset.hit = `${Math.round(xs.getPixelForValue(best))},${Math.round(ys.getPixelForValue((data[best] ?? 0) / 2))}`;
  },
};

/**
 * Daily cost stacked by series (provider): bars for up to a quarter, stacked areas for longer periods
 * (hundreds of one-pixel bars read worse and draw far slower than areas).
 */
export function stackedDaily(canvas: HTMLCanvasElement, dates: string[], series: Series[], currency: string | undefined, theme: Theme, click: ClickHandler): Chart {
  const opts = baseOptions(theme);
  const area = dates.length > AREA_ABOVE_DAYS;
  const chart: Chart = new Chart(canvas, {
    type: area ? 'line' : 'bar',
    data: {
      labels: dates,
      datasets: series.map((s, i) => ({
        label: s.label,
        data: s.values,
        backgroundColor: colourFor(theme, s.kind, i),
        borderColor: theme.border ?? colourFor(theme, s.kind, i),
        borderWidth: area ? 1 : theme.highContrast ? 1 : 0,
        ...(area ? { fill: i === 0 ? 'origin' : '-1', pointRadius: 0, pointHitRadius: 0, tension: 0 } : { stack: 'cost' }),
      })),
    },
    plugins: [stackedHitMarker],
    options: {
      ...opts,
      events: ['click', 'mousemove', 'mouseout', 'touchstart', 'touchmove'],
      onClick: (e) => {
        const hit = e.x === null || e.y === null ? undefined : stackedHit(chart, e.x, e.y);
        if (hit) click(hit.datasetIndex, hit.index);
      },
      interaction: { mode: 'index', intersect: false },
      plugins: {
        ...opts.plugins,
        legend: { display: series.length <= 16, position: 'bottom', labels: { color: theme.foreground, boxWidth: 12 } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${formatMoney(Number(c.raw), currency)}` } },
        ...({ mlFinopsHit: false } as object),
      },
      scales: {
        x: { stacked: true, ticks: { color: theme.muted, maxRotation: 0, autoSkip: true, autoSkipPadding: 12, sampleSize: 20 }, grid: { display: false } },
        y: { stacked: true, beginAtZero: true, ticks: { color: theme.muted, callback: (v) => formatMoneyCompact(Number(v), currency) }, grid: { color: theme.grid } },
      },
    },
  });
  return chart;
}

/** A horizontal bar per item, largest first (top N + other). */
export function horizontalBars(canvas: HTMLCanvasElement, labels: string[], values: number[], kinds: Series['kind'][], currency: string | undefined, theme: Theme, click: ClickHandler, shares?: (number | undefined)[]): Chart {
  const opts = baseOptions(theme);
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [{
        label: 'Cost',
        data: values,
        backgroundColor: kinds.map((k) => colourFor(theme, k, 0)),
        borderColor: theme.border ?? kinds.map((k) => colourFor(theme, k, 0)),
        borderWidth: theme.highContrast ? 1 : 0,
      }],
    },
    options: {
      ...opts,
      indexAxis: 'y',
      onClick: onClick(click),
      plugins: {
        ...opts.plugins,
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${formatMoney(Number(c.raw), currency)}${shares?.[c.dataIndex] !== undefined ? ` (${formatPercent(shares[c.dataIndex])})` : ''}` } },
      },
      scales: {
        x: { ticks: { color: theme.muted, callback: (v) => formatMoneyCompact(Number(v), currency) }, grid: { color: theme.grid } },
        y: { ticks: { color: theme.foreground, callback: (_v, i) => truncate(labels[i] ?? '', 28) }, grid: { display: false } },
      },
    },
  });
}

/** Share of cost per item as a doughnut. */
export function doughnut(canvas: HTMLCanvasElement, labels: string[], values: number[], kinds: Series['kind'][], currency: string | undefined, theme: Theme, click: ClickHandler): Chart {
  const opts = baseOptions(theme);
  const colours = kinds.map((k, i) => colourFor(theme, k, i));
  return new Chart(canvas, {
    type: 'doughnut',
    data: { labels, datasets: [{ label: 'Cost', data: values.map((v) => Math.max(0, v)), backgroundColor: colours, borderColor: theme.border ?? theme.background, borderWidth: theme.highContrast ? 2 : 1 }] },
    options: {
      ...opts,
      onClick: onClick(click),
      plugins: {
        ...opts.plugins,
        legend: { position: 'right', labels: { color: theme.foreground, boxWidth: 12, generateLabels: (chart) => Chart.overrides.doughnut.plugins.legend.labels.generateLabels(chart).map((l) => ({ ...l, text: truncate(l.text, 28) })) } },
        tooltip: { callbacks: { label: (c) => `${c.label}: ${formatMoney(Number(c.raw), currency)}` } },
      },
    },
  });
}

/** Week-over-week change per item: increases and decreases in the theme's red and green. */
export function deltaBars(canvas: HTMLCanvasElement, labels: string[], deltas: number[], currency: string | undefined, theme: Theme, click: ClickHandler): Chart {
  const opts = baseOptions(theme);
  const colours = deltas.map((d) => (d > 0 ? theme.increase : theme.decrease));
  return new Chart(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label: 'Change', data: deltas, backgroundColor: colours, borderColor: theme.border ?? colours, borderWidth: theme.highContrast ? 1 : 0 }] },
    options: {
      ...opts,
      indexAxis: 'y',
      onClick: onClick(click),
      plugins: { ...opts.plugins, legend: { display: false }, tooltip: { callbacks: { label: (c) => `${Number(c.raw) > 0 ? '+' : ''}${formatMoney(Number(c.raw), currency)}` } } },
      scales: {
        x: { ticks: { color: theme.muted, callback: (v) => formatMoneyCompact(Number(v), currency) }, grid: { color: theme.grid } },
        y: { ticks: { color: theme.foreground, callback: (_v, i) => truncate(labels[i] ?? '', 28) }, grid: { display: false } },
      },
    },
  });
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
