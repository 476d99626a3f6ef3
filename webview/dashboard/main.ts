import type { Chart } from 'chart.js';
import {
  CHART_TITLES, dashboardStateSchema, hostMessageSchema, describeInvalid,
  type ChartId, type DashboardData, type DashboardFilter, type DashboardState, type HostMessage, type PageMessage,
} from '../../src/shared/protocol';
import { chartTable, itemLabel, seriesLabel } from '../../src/shared/dashboardTables';
import { formatAge, formatChange, formatMoney, formatPercent, UNTAGGED_LABEL } from '../../src/shared/format';
import { deltaBars, doughnut, horizontalBars, readTheme, stackedDaily, type Series } from './charts';
import { append, button, byId, clear, h } from './dom';
import './dashboard.css';

interface VsCodeApi {
  postMessage(message: PageMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (m: PageMessage): void => vscode.postMessage(m);

let data: DashboardData | undefined;
const charts = new Map<ChartId, Chart>();
const openTables = new Set<ChartId>();
let tagValues: { key: string; values: (string | null)[] } | undefined;
/** Series drawn in the stacked daily chart; beyond it the smallest are summed as "Other". */
const MAX_STACKED = 10;

// ── layout (static: built once, filled by render) ───────────────────────────────────────────────────
const app = byId('app');
const PERIODS: [DashboardState['period']['preset'], string][] = [['last30Days', 'Last 30 days'], ['monthToDate', 'Month to date'], ['lastMonth', 'Last month'], ['custom', 'Custom…']];

const periodSelect = h('select', { id: 'period', 'aria-label': 'Period' });
for (const [value, label] of PERIODS) periodSelect.appendChild(h('option', { value }, label));
const customStart = h('input', { type: 'date', id: 'customStart', 'aria-label': 'Start date' });
const customEnd = h('input', { type: 'date', id: 'customEnd', 'aria-label': 'End date (included)' });
const customApply = button('Apply', () => applyCustom(), { id: 'customApply' });
const customBox = h('span', { id: 'customBox', className: 'custom', hidden: true }, customStart, '–', customEnd, customApply);
const providerSelect = h('select', { id: 'provider', 'aria-label': 'Provider' });
const serviceSelect = h('select', { id: 'service', 'aria-label': 'Service' });
const tagKeySelect = h('select', { id: 'tagKey', 'aria-label': 'Tag key' });
const tagValueSelect = h('select', { id: 'tagValue', 'aria-label': 'Tag value', disabled: true });
const chips = h('div', { id: 'chips', className: 'chips', 'aria-label': 'Active filters' });
const clearButton = button('Clear filters', () => post({ type: 'clearFilters' }), { id: 'clearFilters', className: 'secondary' });
const summary = h('p', { id: 'summary', className: 'summary' });
const sourcesLine = h('p', { id: 'sources', className: 'muted' });
const status = h('div', { id: 'status', role: 'status', 'aria-live': 'polite', className: 'status' });
const warnings = h('ul', { id: 'warnings', className: 'warnings' });
const emptyBox = h('section', { id: 'empty', className: 'empty', hidden: true });
const cards = h('main', { id: 'cards', className: 'cards' });

append(app,
  h('header', { className: 'top' },
    h('div', {}, h('h1', {}, 'Cost dashboard'), summary, sourcesLine),
    button('Refresh', () => post({ type: 'refresh' }), { id: 'refresh', className: 'secondary', title: 'Query the sources again' })),
  h('form', { id: 'filters', className: 'filters', role: 'search', 'aria-label': 'Filters' },
    h('label', {}, 'Period ', periodSelect), customBox,
    h('label', {}, 'Provider ', providerSelect),
    h('label', {}, 'Service ', serviceSelect),
    h('label', {}, 'Tag ', tagKeySelect), tagValueSelect,
    clearButton),
  chips, status, warnings, emptyBox, cards);

interface Card { id: ChartId; section: HTMLElement; canvasBox: HTMLElement; tableBox: HTMLElement; note: HTMLElement; tableToggle: HTMLButtonElement }
const cardMap = new Map<ChartId, Card>();

function makeCard(id: ChartId, opts: { wide?: boolean; canvas?: boolean; png?: boolean } = {}): Card {
  const canvasBox = h('div', { className: 'chart-box' });
  const tableBox = h('div', { className: 'table-box', hidden: true, id: `table-${id}` });
  const note = h('p', { className: 'muted note' });
  const tableToggle = button('Table', () => toggleTable(id), { 'aria-expanded': 'false', 'aria-controls': `table-${id}`, className: 'secondary', title: 'Show the data as a table' });
  const tools = h('div', { className: 'tools' },
    opts.canvas === false ? null : tableToggle,
    button('Export CSV', () => post({ type: 'exportCsv', chart: id }), { className: 'secondary', 'data-action': 'csv' }),
    opts.png === false ? null : button('Save PNG', () => savePng(id), { className: 'secondary', 'data-action': 'png' }));
  const section = h('section', { id: `card-${id}`, className: `card${opts.wide ? ' wide' : ''}`, 'aria-labelledby': `title-${id}` },
    h('div', { className: 'card-head' }, h('h2', { id: `title-${id}` }, CHART_TITLES[id]), tools),
    note, opts.canvas === false ? null : canvasBox, tableBox);
  const card = { id, section, canvasBox, tableBox, note, tableToggle };
  cardMap.set(id, card);
  cards.appendChild(section);
  if (opts.canvas === false) tableBox.hidden = false;
  return card;
}

makeCard('daily', { wide: true });
makeCard('level1');
makeCard('level2');
makeCard('service');
makeCard('movers');
makeCard('untagged', { canvas: false, png: false });
makeCard('recommendations', { wide: true, canvas: false, png: false });
const budgetCard = h('section', { id: 'card-budget', className: 'card', hidden: true, 'aria-labelledby': 'title-budget' }, h('h2', { id: 'title-budget' }, 'Budget'), h('div', { id: 'budget' }));
cards.appendChild(budgetCard);

// ── events ─────────────────────────────────────────────────────────────────────────────────────────
periodSelect.addEventListener('change', () => {
  const preset = periodSelect.value as DashboardState['period']['preset'];
  if (preset === 'custom') {
    customBox.hidden = false;
    if (data && !customStart.value) { customStart.value = data.period.start; customEnd.value = lastDay(data.period.end); }
    customStart.focus();
    return;
  }
  customBox.hidden = true;
  post({ type: 'setPeriod', period: { preset } });
});

function applyCustom(): void {
  if (!customStart.value || !customEnd.value) { notice('error', 'Pick a start and an end date.'); return; }
  post({ type: 'setPeriod', period: { preset: 'custom', custom: { start: customStart.value, end: nextDay(customEnd.value) } } });
}

function selectFilter(select: HTMLSelectElement, key: string, options: readonly string[]): void {
  const i = Number(select.value);
  if (select.value === '' || Number.isNaN(i)) post({ type: 'removeFilter', key });
  else { const v = options[i]; if (v !== undefined) post({ type: 'setFilter', filter: { key, values: [v] } }); }
}
providerSelect.addEventListener('change', () => selectFilter(providerSelect, 'ProviderName', data?.options.providers ?? []));
serviceSelect.addEventListener('change', () => selectFilter(serviceSelect, 'ServiceName', data?.options.services ?? []));
tagKeySelect.addEventListener('change', () => {
  const key = data?.options.tagKeys[Number(tagKeySelect.value)];
  fillTagValues(undefined);
  if (tagKeySelect.value !== '' && key !== undefined) post({ type: 'requestTagValues', key: `tag:${key}` });
});
tagValueSelect.addEventListener('change', () => {
  if (!tagValues || tagValueSelect.value === '') return;
  const v = tagValues.values[Number(tagValueSelect.value)];
  if (v !== undefined) post({ type: 'setFilter', filter: { key: tagValues.key, values: [v] } });
});
document.getElementById('filters')?.addEventListener('submit', (e) => e.preventDefault());

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = hostMessageSchema.safeParse(event.data);
  if (!parsed.success) { notice('error', `Ignored an invalid message from the extension (${describeInvalid(parsed.error)}).`); return; }
  onMessage(parsed.data);
});

// theme changes: redraw with the new colours
new MutationObserver(() => { if (data) renderCharts(data); }).observe(document.body, { attributes: true, attributeFilter: ['class'] });

function onMessage(m: HostMessage): void {
  switch (m.type) {
    case 'data':
      data = m.data;
      status.textContent = '';
      app.removeAttribute('aria-busy');
      vscode.setState({ version: 1, period: m.data.period.choice, filters: m.data.filters } satisfies DashboardState);
      render(m.data);
      break;
    case 'loading':
      app.setAttribute('aria-busy', 'true');
      status.textContent = m.message;
      break;
    case 'empty':
      data = undefined;
      app.removeAttribute('aria-busy');
      status.textContent = '';
      renderEmpty(m.message, m.fix, m.sources);
      break;
    case 'tagValues':
      fillTagValues(m);
      break;
    case 'notice':
      notice(m.level, m.message);
      break;
  }
}

function notice(level: 'info' | 'error', message: string): void {
  status.textContent = message;
  status.className = `status ${level}`;
}

// ── rendering ──────────────────────────────────────────────────────────────────────────────────────
function render(d: DashboardData): void {
  emptyBox.hidden = true;
  cards.hidden = false;
  document.title = `Cost dashboard — ${d.period.label}`;
  summary.textContent = `${formatMoney(d.total, d.currency)} · ${d.period.label} · ${metricLabel(d.metric)}`;
  sourcesLine.textContent = d.sources.map((s) => `${s.label}: ${s.state === 'ok' ? `updated ${s.fetchedAt ? formatAge(s.fetchedAt) : ''}`.trim() : s.message ?? s.state}`).join(' · ');
  clear(warnings);
  for (const w of d.warnings) warnings.appendChild(h('li', {}, w));
  renderFilters(d);
  renderUntagged(d);
  renderRecommendations(d);
  renderBudget(d);
  for (const id of openTables) renderTable(id);
  // charts last, once the layout around them is final (each one measures its box)
  renderCharts(d);
}

function metricLabel(metric: DashboardData['metric']): string {
  return metric === 'EffectiveCost' ? 'effective cost (amortized)' : metric === 'BilledCost' ? 'billed cost' : 'list cost';
}

function fillSelect(select: HTMLSelectElement, allLabel: string, options: readonly string[], current: string | null | undefined): void {
  clear(select);
  select.appendChild(h('option', { value: '' }, allLabel));
  options.forEach((o, i) => select.appendChild(h('option', { value: String(i) }, o)));
  const i = current === undefined || current === null ? -1 : options.indexOf(current);
  select.value = i >= 0 ? String(i) : '';
}

function filterValue(d: DashboardData, key: string): string | null | undefined {
  const f = d.filters.find((x) => x.key === key);
  return f && f.values.length === 1 ? f.values[0] : undefined;
}

function renderFilters(d: DashboardData): void {
  periodSelect.value = d.period.choice.preset;
  customBox.hidden = d.period.choice.preset !== 'custom';
  if (d.period.choice.preset === 'custom') { customStart.value = d.period.start; customEnd.value = lastDay(d.period.end); }
  fillSelect(providerSelect, 'All providers', d.options.providers, filterValue(d, 'ProviderName'));
  fillSelect(serviceSelect, 'All services', d.options.services, filterValue(d, 'ServiceName'));
  const keyBefore = tagKeySelect.value === '' ? undefined : d.options.tagKeys[Number(tagKeySelect.value)];
  fillSelect(tagKeySelect, 'Any tag', d.options.tagKeys, keyBefore);
  if (tagKeySelect.value === '') fillTagValues(undefined);
  clear(chips);
  for (const f of d.filters) chips.appendChild(chip(f));
  clearButton.hidden = d.filters.length === 0;
}

function filterLabel(f: DashboardFilter): string {
  const key = f.key.startsWith('tag:') ? f.key.slice(4) : f.key.replace(/Name$|Id$/, '');
  const values = f.values.map((v) => v ?? UNTAGGED_LABEL).join(', ');
  return `${key}: ${values}`;
}

function chip(f: DashboardFilter): HTMLElement {
  const label = filterLabel(f);
  return h('span', { className: 'chip' }, label, button('×', () => post({ type: 'removeFilter', key: f.key }), { 'aria-label': `Remove filter ${label}`, title: 'Remove this filter', className: 'chip-remove' }));
}

function fillTagValues(m: { key: string; values: (string | null)[] } | undefined): void {
  tagValues = m;
  clear(tagValueSelect);
  tagValueSelect.appendChild(h('option', { value: '' }, m ? 'Pick a value' : '—'));
  m?.values.forEach((v, i) => tagValueSelect.appendChild(h('option', { value: String(i) }, v ?? UNTAGGED_LABEL)));
  tagValueSelect.disabled = !m;
  if (m && data) {
    const current = filterValue(data, m.key);
    const i = current === undefined ? -1 : m.values.indexOf(current);
    if (i >= 0) tagValueSelect.value = String(i);
  }
}

function setChart(id: ChartId, make: (canvas: HTMLCanvasElement) => Chart, ariaLabel: string, empty: boolean): void {
  charts.get(id)?.destroy();
  charts.delete(id);
  const card = cardMap.get(id)!;
  clear(card.canvasBox);
  card.note.textContent = empty ? 'No cost in this period for the current filters.' : '';
  if (empty) return;
  const canvas = h('canvas', { role: 'img', 'aria-label': ariaLabel, id: `chart-${id}` });
  card.canvasBox.appendChild(canvas);
  pendingCharts.push(() => charts.set(id, make(canvas)));
}

/** Charts are built once every canvas is in place: the layout is computed once, not once per chart. */
let pendingCharts: (() => void)[] = [];
function buildPendingCharts(): void {
  const jobs = pendingCharts;
  pendingCharts = [];
  for (const job of jobs) job();
}

function renderCharts(d: DashboardData): void {
  const theme = readTheme();
  const cur = d.currency;
  // daily, stacked by provider
  // a readable stack: the largest series, then the rest summed as "Other" (the table lists every series)
  const shown = d.daily.series.length > MAX_STACKED ? d.daily.series.slice(0, MAX_STACKED - 1) : d.daily.series;
  const rest = d.daily.series.slice(shown.length);
  const series: Series[] = shown.map((s) => ({ label: seriesLabel(s.value), values: s.values, kind: s.value === null ? 'untagged' : 'value' }));
  if (rest.length > 0) {
    const values = new Array<number>(d.daily.dates.length).fill(0);
    for (const s of rest) s.values.forEach((v, i) => { values[i] = (values[i] ?? 0) + v; });
    series.push({ label: `Other (${rest.length})`, values, kind: 'other' });
  }
  setChart('daily', (c) => stackedDaily(c, d.daily.dates, series, cur, theme, (di) => {
    const s = shown[di];
    if (s) post({ type: 'setFilter', filter: { key: d.daily.key, values: [s.value] } });
    else notice('info', `"Other" sums ${rest.length} series: open the table to see them.`);
  }), `Daily cost by provider, ${d.daily.dates.length} days, ${d.daily.series.length} series. Use the Table button for the values.`, d.daily.series.length === 0);
  if (rest.length > 0) cardMap.get('daily')!.note.textContent = `The ${shown.length} largest of ${d.daily.series.length} series are drawn, the rest as "Other"; the table lists all of them.`;
  // breakdowns: team and project (bars), service (doughnut)
  for (const id of ['level1', 'level2', 'service'] as const) {
    const b = d.breakdowns.find((x) => x.id === id);
    const card = cardMap.get(id)!;
    card.section.hidden = !b;
    if (!b) { charts.get(id)?.destroy(); charts.delete(id); continue; }
    (card.section.querySelector('h2') as HTMLElement).textContent = b.title;
    const labels = b.items.map((it) => itemLabel(it));
    const values = b.items.map((it) => it.cost);
    const kinds = b.items.map((it) => it.kind);
    const click = (_di: number, i: number): void => {
      const it = b.items[i];
      if (!it) return;
      if (it.kind === 'other') { notice('info', `"Other" groups ${it.count} values: open the table to see them, or filter by one of the named values.`); return; }
      post({ type: 'setFilter', filter: { key: b.key, values: [it.value] } });
    };
    const aria = `${b.title}: ${b.items.slice(0, 5).map((it, i) => `${labels[i]} ${formatMoney(it.cost, cur)}`).join(', ')}${b.items.length > 5 ? ', …' : ''}`;
    setChart(id, (c) => (id === 'service'
      ? doughnut(c, labels, values, kinds, cur, theme, click)
      : horizontalBars(c, labels, values, kinds, cur, theme, click, b.items.map((it) => it.share))), aria, b.items.length === 0);
  }
  // movers
  const moverLabels = d.movers.map((m) => `${m.dimension}: ${seriesLabel(m.value)}`);
  setChart('movers', (c) => deltaBars(c, moverLabels, d.movers.map((m) => m.delta), cur, theme, (_di, i) => {
    const m = d.movers[i];
    if (m) post({ type: 'setFilter', filter: { key: m.key, values: [m.value] } });
  }), `Week-over-week movers: ${d.movers.slice(0, 5).map((m, i) => `${moverLabels[i]} ${formatChange(m.change)}`).join(', ')}`, d.movers.length === 0);
  const moversCard = cardMap.get('movers')!;
  if (d.movers.length === 0) moversCard.note.textContent = 'No change between the last two weeks of the period.';
  else if (d.moversEnd) moversCard.note.textContent = `The 7 days to ${d.moversEnd} against the 7 days before.`;
  buildPendingCharts();
}

function renderUntagged(d: DashboardData): void {
  const card = cardMap.get('untagged')!;
  clear(card.tableBox);
  card.note.textContent = 'Cost of resources lacking each tag of the hierarchy: the FinOps allocation KPI.';
  const list = h('ul', { className: 'kpis' });
  for (const u of d.untagged) {
    const bar = h('span', { className: 'bar' }, h('span', { className: 'bar-fill' }));
    (bar.firstChild as HTMLElement).style.width = `${Math.max(0, Math.min(100, (u.share ?? 0) * 100)).toFixed(1)}%`;
    list.appendChild(h('li', {},
      h('span', { className: 'kpi-key' }, u.key),
      h('strong', { className: 'kpi-value' }, formatPercent(u.share)),
      bar,
      h('span', { className: 'muted' }, `${formatMoney(u.cost, d.currency)} untagged`)));
  }
  card.tableBox.appendChild(list);
}

function renderRecommendations(d: DashboardData): void {
  const card = cardMap.get('recommendations')!;
  card.section.hidden = d.recommendations.length === 0;
  clear(card.tableBox);
  if (d.recommendations.length === 0) return;
  const list = h('ol', { className: 'recs' });
  for (const r of d.recommendations) {
    list.appendChild(h('li', {},
      h('strong', {}, r.title), ' ',
      h('span', { className: 'saving' }, `saves ${formatMoney(r.monthlySaving, r.currency)}/mo`),
      h('div', { className: 'muted' }, r.detail)));
  }
  card.tableBox.appendChild(list);
}

function renderBudget(d: DashboardData): void {
  budgetCard.hidden = d.budget === null;
  const box = byId('budget');
  clear(box);
  if (!d.budget) return;
  const b = d.budget;
  const share = b.amount > 0 ? b.spent / b.amount : undefined;
  const bar = h('span', { className: 'bar' }, h('span', { className: 'bar-fill' }));
  (bar.firstChild as HTMLElement).style.width = `${Math.min(100, (share ?? 0) * 100).toFixed(1)}%`;
  append(box,
    h('p', {}, h('strong', {}, formatMoney(b.spent, b.currency)), ` of ${formatMoney(b.amount, b.currency)} (${formatPercent(share)})`),
    bar,
    b.forecast ? h('p', { className: 'muted' }, `Forecast for the month: ${formatMoney(b.forecast.expected, b.currency)} (${formatMoney(b.forecast.low, b.currency)} – ${formatMoney(b.forecast.high, b.currency)})`) : null);
}

function renderEmpty(message: string, fix: string | undefined, sources: { label: string; state: string; message?: string }[]): void {
  for (const c of charts.values()) c.destroy();
  charts.clear();
  cards.hidden = true;
  summary.textContent = '';
  sourcesLine.textContent = '';
  clear(emptyBox);
  append(emptyBox,
    h('h2', {}, message),
    fix ? h('p', {}, fix) : null,
    sources.length ? h('ul', {}, ...sources.map((s) => h('li', {}, `${s.label}: ${s.message ?? s.state}`))) : null,
    h('p', {},
      button('Configure Cloud Accounts', () => post({ type: 'runCommand', command: 'configureAccounts' })), ' ',
      button('Show Logs', () => post({ type: 'runCommand', command: 'showLogs' }), { className: 'secondary' })));
  emptyBox.hidden = false;
}

// ── tables (the accessible alternative of each chart; built only when opened) ──────────────────────
function toggleTable(id: ChartId): void {
  const card = cardMap.get(id)!;
  if (openTables.has(id)) {
    openTables.delete(id);
    card.tableBox.hidden = true;
    clear(card.tableBox);
    card.tableToggle.setAttribute('aria-expanded', 'false');
    card.tableToggle.textContent = 'Table';
  } else {
    openTables.add(id);
    card.tableToggle.setAttribute('aria-expanded', 'true');
    card.tableToggle.textContent = 'Hide table';
    renderTable(id);
  }
}

function renderTable(id: ChartId): void {
  const card = cardMap.get(id)!;
  if (!data || id === 'untagged' || id === 'recommendations') return;
  const t = chartTable(data, id);
  const cur = data.currency;
  clear(card.tableBox);
  const table = h('table', {}, h('caption', {}, `${CHART_TITLES[id]} — ${data.period.label}`));
  // the keyboard's way to do what a click on the chart does: a Filter button per row
  const d = data;
  const breakdown = d.breakdowns.find((b) => b.id === id);
  const rowFilter = (i: number): DashboardFilter | undefined => {
    if (breakdown) { const it = breakdown.items[i]; return it && it.kind !== 'other' ? { key: breakdown.key, values: [it.value] } : undefined; }
    if (id === 'movers') { const m = d.movers[i]; return m ? { key: m.key, values: [m.value] } : undefined; }
    return undefined;
  };
  const filterable = !!breakdown || id === 'movers';
  const head = h('tr', {});
  for (const c of t.header) head.appendChild(h('th', { scope: 'col' }, c));
  if (filterable) head.appendChild(h('th', { scope: 'col' }, h('span', { className: 'visually-hidden' }, 'Filter')));
  table.appendChild(h('thead', {}, head));
  const body = h('tbody', {});
  t.rows.forEach((r, ri) => {
    const tr = h('tr', {});
    r.forEach((v, i) => {
      const textValue = v === null ? '—' : typeof v === 'number'
        ? t.moneyColumns.includes(i) ? formatMoney(v, cur) : t.shareColumns.includes(i) ? formatPercent(v) : String(v)
        : v;
      tr.appendChild(i === 0 ? h('th', { scope: 'row' }, textValue) : h('td', { className: typeof v === 'number' ? 'num' : '' }, textValue));
    });
    if (filterable) {
      const f = rowFilter(ri);
      tr.appendChild(h('td', {}, f ? button('Filter', () => post({ type: 'setFilter', filter: f }), { className: 'secondary small', 'aria-label': `Filter by ${String(r[0])}` }) : ''));
    }
    body.appendChild(tr);
  });
  table.appendChild(body);
  card.tableBox.appendChild(h('div', { className: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': `${CHART_TITLES[id]} table` }, table));
  card.tableBox.hidden = false;
}

function savePng(id: ChartId): void {
  const chart = charts.get(id);
  if (!chart) { notice('error', 'This chart has nothing to save.'); return; }
  post({ type: 'savePng', chart: id, dataUrl: chart.toBase64Image('image/png') });
}

function lastDay(endExclusive: string): string {
  return new Date(Date.parse(`${endExclusive}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}
function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

// ── start: say ready (with the state a reload kept) and wait for data ──────────────────────────────
const saved = dashboardStateSchema.safeParse(vscode.getState());
app.setAttribute('aria-busy', 'true');
status.textContent = 'Loading costs…';
post({ type: 'ready', ...(saved.success ? { state: saved.data } : {}) });
