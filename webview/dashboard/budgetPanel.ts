import { Chart, type Plugin } from 'chart.js';
import { parseColour } from '../../src/shared/colour';
import { formatMoney, formatMoneyCompact } from '../../src/shared/format';
import type { BudgetPanel, DashboardAnomaly, DashboardFilter } from '../../src/shared/protocol';
import { readTheme } from './charts';
import { append, button, clear, h } from './dom';
import './budgetPanel.css';

/**
 * The dashboard's budget panel: one burn-down per budget of the team's `.finops.yaml` — spend to date, the forecast
 * to the end of the period with its 80 % and 95 % bands, the budget line and the day it is expected to be crossed —
 * and the anomaly list (the days a group spent outside its forecast's band, with what drove them). Figures come
 * from the host as computed by src/core; this module only draws them. Its own file, so the rest of the dashboard's
 * layout can change around it.
 */

const STATUS_TEXT: Record<BudgetPanel['status'], string> = { over: 'Over budget', 'at-risk': 'At risk', ok: 'On track' };

/** "27 Nov" for a YYYY-MM-DD day (UTC, as bills are dated). */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

/** "51.2 %" for a percentage already × 100. */
function pct(percent: number): string {
  return `${percent.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} %`;
}

/** The lines under a budget's title, in words (also the chart's accessible description). */
export function budgetLines(b: BudgetPanel): string[] {
  const m = (v: number) => formatMoney(v, b.currency);
  const crossing = b.crossesOn === null
    ? `Not expected to reach the budget by the end of ${b.periodLabel}.`
    : b.crossesOn <= b.asOf ? `Crossed the budget on ${shortDay(b.crossesOn)}.` : `Expected to cross the budget on ${shortDay(b.crossesOn)}.`;
  return [
    `Spent ${m(b.actual)} of ${m(b.amount)} (${pct(b.percent)}) to ${shortDay(b.asOf)}.`,
    `Forecast for ${b.periodLabel}: ${m(b.forecast)} (${pct(b.forecastPercent)}); 80 %: ${m(b.forecastLo80)} – ${m(b.forecastHi80)}, 95 %: ${m(b.forecastLo95)} – ${m(b.forecastHi95)}.`,
    crossing,
  ];
}

/** Translucent fill of a theme colour (hex or rgb), for the forecast bands. */
function translucent(colour: string, alpha: number): string {
  const c = parseColour(colour);
  return c ? `rgba(${Math.round(c.r)}, ${Math.round(c.g)}, ${Math.round(c.b)}, ${alpha})` : colour;
}

/** The burn-down: actual (solid), forecast (dashed) in its 80 % and 95 % bands, the budget line, the crossing day. */
function burnDownChart(canvas: HTMLCanvasElement, b: BudgetPanel): Chart {
  const theme = readTheme();
  const blue = theme.series[0]!;
  const red = theme.increase;
  const d = b.burnDown;
  const budgetLine = d.dates.map(() => b.amount);
  const crossing = d.dates.map((day) => (day === b.crossesOn ? b.amount : null));
  const money = (v: unknown) => (typeof v === 'number' ? formatMoney(v, b.currency) : '');
  const chart = new Chart(canvas, {
    type: 'line',
    data: {
      labels: d.dates.map(shortDay),
      datasets: [
        { label: '95 % low', data: d.lo95, borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false },
        { label: 'Forecast 95 %', data: d.hi95, borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: translucent(blue, 0.12), spanGaps: false },
        { label: '80 % low', data: d.lo80, borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false },
        { label: 'Forecast 80 %', data: d.hi80, borderWidth: 0, pointRadius: 0, fill: '-1', backgroundColor: translucent(blue, 0.25), spanGaps: false },
        { label: 'Actual', data: d.actual, borderColor: blue, backgroundColor: blue, borderWidth: 2, pointRadius: 0, fill: false },
        { label: 'Forecast', data: d.forecast, borderColor: blue, backgroundColor: blue, borderWidth: 2, borderDash: [6, 4], pointRadius: 0, fill: false },
        { label: `Budget ${formatMoneyCompact(b.amount, b.currency)}`, data: budgetLine, borderColor: red, backgroundColor: red, borderWidth: 1.5, borderDash: [2, 3], pointRadius: 0, fill: false },
        { label: 'Crosses the budget', data: crossing, borderColor: red, backgroundColor: red, pointRadius: 5, pointStyle: 'rectRot', showLine: false },
      ],
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { ticks: { color: theme.muted, maxTicksLimit: 10, autoSkip: true }, grid: { display: false } },
        y: { beginAtZero: true, ticks: { color: theme.muted, callback: (v) => formatMoneyCompact(Number(v), b.currency) }, grid: { color: theme.grid } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { color: theme.foreground, boxWidth: 12, filter: (item) => !/low$/.test(item.text) && (item.text !== 'Crosses the budget' || b.crossesOn !== null) } },
        tooltip: {
          filter: (item) => item.raw !== null && !/low$/.test(item.dataset.label ?? ''),
          callbacks: { label: (c) => `${c.dataset.label ?? ''}: ${money(c.raw)}` },
        },
        ...({ mlFinopsBackground: { color: theme.background }, mlFinopsHit: false } as object),
      },
    },
  });
  canvas.dataset.budget = b.name;
  return chart;
}

/** The burn-down as a table (the chart's accessible alternative). */
function burnDownTable(b: BudgetPanel): HTMLElement {
  const m = (v: number | null | undefined) => (v === null || v === undefined ? '' : formatMoney(v, b.currency));
  const body = h('tbody', {});
  const d = b.burnDown;
  d.dates.forEach((day, i) => {
    const actual = d.actual[i] ?? null;
    body.appendChild(h('tr', {},
      h('th', { scope: 'row' }, day),
      h('td', { className: 'num' }, m(actual)),
      h('td', { className: 'num' }, actual === null ? m(d.forecast[i]) : ''),
      h('td', { className: 'num' }, actual === null && d.lo80[i] !== null ? `${m(d.lo80[i])} – ${m(d.hi80[i])}` : ''),
      h('td', { className: 'num' }, actual === null && d.lo95[i] !== null ? `${m(d.lo95[i])} – ${m(d.hi95[i])}` : '')));
  });
  const head = h('tr', {}, ...['Day', 'Spent to date', 'Forecast to date', '80 % range', '95 % range'].map((c) => h('th', { scope: 'col' }, c)));
  return h('div', { className: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': `${b.name} burn-down table` },
    h('table', {}, h('caption', {}, `${b.name} — ${b.periodLabel}, budget ${formatMoney(b.amount, b.currency)}`), h('thead', {}, head), body));
}

/** Days with an anomaly, marked on the daily cost chart (`#chart-daily`) by the plugin below. */
let anomalyDays = new Map<string, string>();

/**
 * Draws a marker above each anomalous day of the daily cost chart, so a jump is seen where the spend is; the list
 * in the Anomalies card says what it was. Registered once; it touches only the chart whose canvas is #chart-daily.
 */
const anomalyMarkers: Plugin = {
  id: 'mlFinopsAnomalies',
  afterDraw(chart) {
    if (chart.canvas.id !== 'chart-daily' || anomalyDays.size === 0) return;
    const xs = chart.scales.x;
    if (!xs) return;
    const labels = (chart.data.labels ?? []) as unknown[];
    const { ctx, chartArea } = chart;
    const colour = readTheme().increase;
    const marked: string[] = [];
    labels.forEach((label, i) => {
      if (typeof label !== 'string' || !anomalyDays.has(label)) return;
      const x = xs.getPixelForValue(i);
      ctx.save();
      ctx.fillStyle = colour;
      ctx.beginPath();
      ctx.moveTo(x - 6, chartArea.top);
      ctx.lineTo(x + 6, chartArea.top);
      ctx.lineTo(x, chartArea.top + 9);
      ctx.closePath();
      ctx.fill();
      ctx.strokeStyle = colour;
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top + 9);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.restore();
      marked.push(label);
    });
    chart.canvas.dataset.anomalies = marked.join(',');
  },
};
Chart.register(anomalyMarkers);

export class BudgetSection {
  readonly card: HTMLElement;
  private readonly box = h('div', { id: 'budgets', className: 'budgets' });
  private readonly anomalyCard: HTMLElement;
  private readonly anomalyBox = h('div', { id: 'anomalies' });
  private charts: Chart[] = [];
  /** Each burn-down's canvas and budget, to draw again in a new theme's colours. */
  private drawn: { canvas: HTMLCanvasElement; budget: BudgetPanel }[] = [];

  constructor(private readonly filter: (f: DashboardFilter) => void) {
    this.card = h('section', { id: 'card-budget', className: 'card wide', hidden: true, 'aria-labelledby': 'title-budget' },
      h('h2', { id: 'title-budget' }, 'Budgets'), this.box);
    this.anomalyCard = h('section', { id: 'card-anomalies', className: 'card wide', hidden: true, 'aria-labelledby': 'title-anomalies' },
      h('h2', { id: 'title-anomalies' }, 'Anomalies'), this.anomalyBox);
  }

  /** The cards, in the order the page places them. */
  get cards(): HTMLElement[] {
    return [this.card, this.anomalyCard];
  }

  render(budgets: readonly BudgetPanel[], anomalies: readonly DashboardAnomaly[]): void {
    this.destroy();
    this.drawn = [];
    clear(this.box);
    this.card.hidden = budgets.length === 0;
    for (const b of budgets) {
      const canvas = h('canvas', { role: 'img', 'aria-label': `Burn-down of budget ${b.name}: ${budgetLines(b).join(' ')}` });
      const tableBox = h('div', { className: 'table-box', hidden: true });
      const toggle = button('Table', () => {
        const open = tableBox.hidden;
        tableBox.hidden = !open;
        clear(tableBox);
        if (open) tableBox.appendChild(burnDownTable(b));
        toggle.textContent = open ? 'Hide table' : 'Table';
        toggle.setAttribute('aria-expanded', String(open));
      }, { className: 'secondary small', 'aria-expanded': 'false' });
      const section = h('section', { className: `budget budget-${b.status}`, 'data-budget': b.name, 'aria-label': `Budget ${b.name}` },
        h('div', { className: 'card-head' },
          h('h3', {}, b.name, ' ', h('span', { className: `badge badge-${b.status}` }, STATUS_TEXT[b.status])),
          h('div', { className: 'tools' }, toggle)),
        h('p', { className: 'muted' }, `${b.scope} · ${b.periodLabel}${b.model ? ` · ${b.model}` : ''}`),
        ...budgetLines(b).map((line, i) => h('p', { className: i === 0 ? 'budget-figures' : 'muted' }, line)),
        h('div', { className: 'chart-box' }, canvas),
        h('p', { className: 'muted small-note' }, b.note),
        tableBox);
      this.box.appendChild(section);
      this.drawn.push({ canvas, budget: b });
      this.charts.push(burnDownChart(canvas, b));
    }
    this.renderAnomalies(anomalies);
  }

  private renderAnomalies(anomalies: readonly DashboardAnomaly[]): void {
    anomalyDays = new Map(anomalies.map((a) => [a.date, a.group]));
    const daily = document.getElementById('chart-daily');
    if (daily instanceof HTMLCanvasElement) Chart.getChart(daily)?.draw();
    clear(this.anomalyBox);
    this.anomalyCard.hidden = anomalies.length === 0;
    if (!anomalies.length) return;
    const list = h('ol', { className: 'anomalies' });
    for (const a of anomalies) {
      const drivers = a.contributors.map((c) => `${c.name} +${formatMoney(c.cost, a.currency)}`).join(', ');
      list.appendChild(h('li', {},
        h('strong', {}, `${shortDay(a.date)} · ${a.group}`), ' ',
        h('span', { className: 'above' }, `${formatMoney(a.above, a.currency)} above expected`),
        ` (${formatMoney(a.actual, a.currency)} spent, ${formatMoney(a.expected, a.currency)} expected)`,
        drivers ? h('div', { className: 'muted' }, `Top contributors (above their usual day): ${drivers}`) : null,
        a.filter ? button('Filter', () => this.filter(a.filter!), { className: 'secondary small', 'aria-label': `Filter the dashboard to ${a.group}` }) : null));
    }
    append(this.anomalyBox, list);
  }

  /** The burn-downs drawn again (a theme change: new colours). */
  redraw(): void {
    this.destroy();
    this.charts = this.drawn.map(({ canvas, budget }) => burnDownChart(canvas, budget));
  }

  destroy(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
  }
}
