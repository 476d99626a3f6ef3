import type { Chart } from 'chart.js';
import { CHART_TITLES, chartTable, itemLabel } from '../../src/shared/dashboardTables';
import { formatMoney, formatPercent, UNTAGGED_LABEL } from '../../src/shared/format';
import type { ChartId, DashboardData, DashboardFilter, DashboardState, HostMessage, PageMessage } from '../../src/shared/protocol';
import { deltaBars, doughnut, horizontalBars, readTheme, stackedDaily } from './charts';
import { append, button, clear, h } from './dom';
import { BudgetSection } from './budgetPanel';
import {
  barWidth, breakdownAria, cellText, customChoice, customInputs, elementFilter, filterLabel, filterValue, LatestRequest,
  moverLabels, moversAria, moversNote, optionIndex, PERIOD_OPTIONS, rowsFilter, savedState, sourcesText, stackedSeries, summaryText,
} from './model';

interface Card { id: ChartId; section: HTMLElement; canvasBox: HTMLElement; tableBox: HTMLElement; note: HTMLElement; tableToggle: HTMLButtonElement }

/**
 * The dashboard page's DOM: a static layout built once, filled from each `data` message. Every value reaches the
 * page as text. What to show is computed in model.ts; this file only draws it and turns clicks into messages.
 */
export class DashboardPage {
  private data: DashboardData | undefined;
  private readonly charts = new Map<ChartId, Chart>();
  private readonly openTables = new Set<ChartId>();
  private readonly cards = new Map<ChartId, Card>();
  private tagValues: { key: string; values: (string | null)[] } | undefined;
  private readonly tagValueRequest = new LatestRequest();
  /** Charts are built once every canvas is in place: the layout is computed once, not once per chart. */
  private pendingCharts: (() => void)[] = [];

  private readonly periodSelect = h('select', { id: 'period', 'aria-label': 'Period' });
  private readonly customStart = h('input', { type: 'date', id: 'customStart', 'aria-label': 'Start date' });
  private readonly customEnd = h('input', { type: 'date', id: 'customEnd', 'aria-label': 'End date (included)' });
  private readonly customBox: HTMLElement;
  private readonly providerSelect = h('select', { id: 'provider', 'aria-label': 'Provider' });
  private readonly serviceSelect = h('select', { id: 'service', 'aria-label': 'Service' });
  private readonly tagKeySelect = h('select', { id: 'tagKey', 'aria-label': 'Tag key' });
  private readonly tagValueSelect = h('select', { id: 'tagValue', 'aria-label': 'Tag value', disabled: true });
  private readonly chips = h('div', { id: 'chips', className: 'chips', 'aria-label': 'Active filters' });
  private readonly clearButton: HTMLButtonElement;
  private readonly summary = h('p', { id: 'summary', className: 'summary' });
  private readonly sourcesLine = h('p', { id: 'sources', className: 'muted' });
  private readonly status = h('div', { id: 'status', role: 'status', 'aria-live': 'polite', className: 'status' });
  private readonly warnings = h('ul', { id: 'warnings', className: 'warnings' });
  private readonly emptyBox = h('section', { id: 'empty', className: 'empty', hidden: true });
  private readonly cardsBox = h('main', { id: 'cards', className: 'cards' });
  private readonly budgets: BudgetSection;

  constructor(private readonly app: HTMLElement, private readonly post: (m: PageMessage) => void, private readonly saveState: (s: DashboardState) => void) {
    for (const [value, label] of PERIOD_OPTIONS) this.periodSelect.appendChild(h('option', { value }, label));
    this.customBox = h('span', { id: 'customBox', className: 'custom', hidden: true },
      this.customStart, '–', this.customEnd, button('Apply', () => this.applyCustom(), { id: 'customApply' }));
    this.clearButton = button('Clear filters', () => post({ type: 'clearFilters' }), { id: 'clearFilters', className: 'secondary' });
    append(app,
      h('header', { className: 'top' },
        h('div', {}, h('h1', {}, 'Cost dashboard'), this.summary, this.sourcesLine),
        button('Refresh', () => post({ type: 'refresh' }), { id: 'refresh', className: 'secondary', title: 'Query the sources again' })),
      h('form', { id: 'filters', className: 'filters', role: 'search', 'aria-label': 'Filters' },
        h('label', {}, 'Period ', this.periodSelect), this.customBox,
        h('label', {}, 'Provider ', this.providerSelect),
        h('label', {}, 'Service ', this.serviceSelect),
        h('label', {}, 'Tag ', this.tagKeySelect), this.tagValueSelect,
        this.clearButton),
      this.chips, this.status, this.warnings, this.emptyBox, this.cardsBox);
    this.makeCard('daily', { wide: true });
    this.makeCard('level1');
    this.makeCard('level2');
    this.makeCard('service');
    this.makeCard('movers');
    this.makeCard('untagged', { canvas: false, png: false });
    this.makeCard('gpu', { canvas: false, png: false });
    this.makeCard('recommendations', { wide: true, canvas: false, png: false });
    // the budget panel and the anomalies: their own module (budgetPanel.ts), first under the daily chart
    this.budgets = new BudgetSection((filter) => post({ type: 'setFilter', filter }));
    this.cardsBox.insertBefore(this.budgets.cards[0]!, this.cardsBox.children[1] ?? null);
    this.cardsBox.insertBefore(this.budgets.cards[1]!, this.cardsBox.children[2] ?? null);
    this.listen();
  }

  /** "Loading costs…" until the first data arrives. */
  loading(message: string): void {
    this.app.setAttribute('aria-busy', 'true');
    this.status.textContent = message;
  }

  /** Redraws the charts with the theme's colours (after a theme change). */
  redraw(): void {
    if (!this.data) return;
    this.renderCharts(this.data);
    this.budgets.redraw();
  }

  onMessage(m: HostMessage): void {
    switch (m.type) {
      case 'data':
        this.data = m.data;
        this.status.textContent = '';
        this.app.removeAttribute('aria-busy');
        this.saveState(savedState(m.data));
        this.render(m.data);
        break;
      case 'loading':
        this.loading(m.message);
        break;
      case 'empty':
        this.data = undefined;
        this.app.removeAttribute('aria-busy');
        this.status.textContent = '';
        this.renderEmpty(m.message, m.fix, m.sources);
        break;
      case 'tagValues':
        // an answer to an older request (the user picked another key since) is dropped
        if (this.tagValueRequest.accepts(m.requestId)) this.fillTagValues(m);
        break;
      case 'notice':
        this.notice(m.level, m.message);
        break;
    }
  }

  private listen(): void {
    const { periodSelect, customBox, customStart, customEnd, providerSelect, serviceSelect, tagKeySelect, tagValueSelect } = this;
    periodSelect.addEventListener('change', () => {
      const preset = periodSelect.value as DashboardState['period']['preset'];
      if (preset === 'custom') {
        customBox.hidden = false;
        if (this.data && !customStart.value) {
          const inputs = customInputs(this.data);
          customStart.value = inputs.start;
          customEnd.value = inputs.last;
        }
        customStart.focus();
        return;
      }
      customBox.hidden = true;
      this.post({ type: 'setPeriod', period: { preset } });
    });
    providerSelect.addEventListener('change', () => this.selectFilter(providerSelect, 'ProviderName', this.data?.options.providers ?? []));
    serviceSelect.addEventListener('change', () => this.selectFilter(serviceSelect, 'ServiceName', this.data?.options.services ?? []));
    tagKeySelect.addEventListener('change', () => {
      const key = this.data?.options.tagKeys[Number(tagKeySelect.value)];
      this.fillTagValues(undefined);
      if (tagKeySelect.value !== '' && key !== undefined) this.post({ type: 'requestTagValues', key: `tag:${key}`, requestId: this.tagValueRequest.next() });
      else this.tagValueRequest.cancel();
    });
    tagValueSelect.addEventListener('change', () => {
      if (!this.tagValues || tagValueSelect.value === '') return;
      const v = this.tagValues.values[Number(tagValueSelect.value)];
      if (v !== undefined) this.post({ type: 'setFilter', filter: { key: this.tagValues.key, values: [v] } });
    });
    this.app.querySelector('#filters')?.addEventListener('submit', (e) => e.preventDefault());
  }

  private applyCustom(): void {
    if (!this.customStart.value || !this.customEnd.value) { this.notice('error', 'Pick a start and an end date.'); return; }
    this.post({ type: 'setPeriod', period: customChoice(this.customStart.value, this.customEnd.value) });
  }

  private selectFilter(select: HTMLSelectElement, key: string, options: readonly string[]): void {
    const i = Number(select.value);
    if (select.value === '' || Number.isNaN(i)) this.post({ type: 'removeFilter', key });
    else { const v = options[i]; if (v !== undefined) this.post({ type: 'setFilter', filter: { key, values: [v] } }); }
  }

  private notice(level: 'info' | 'error', message: string): void {
    this.status.textContent = message;
    this.status.className = `status ${level}`;
  }

  private makeCard(id: ChartId, opts: { wide?: boolean; canvas?: boolean; png?: boolean } = {}): void {
    const canvasBox = h('div', { className: 'chart-box' });
    const tableBox = h('div', { className: 'table-box', hidden: true, id: `table-${id}` });
    const note = h('p', { className: 'muted note' });
    const tableToggle = button('Table', () => this.toggleTable(id), { 'aria-expanded': 'false', 'aria-controls': `table-${id}`, className: 'secondary', title: 'Show the data as a table' });
    const tools = h('div', { className: 'tools' },
      opts.canvas === false ? null : tableToggle,
      button('Export CSV', () => this.post({ type: 'exportCsv', chart: id }), { className: 'secondary', 'data-action': 'csv' }),
      opts.png === false ? null : button('Save PNG', () => this.savePng(id), { className: 'secondary', 'data-action': 'png' }));
    const section = h('section', { id: `card-${id}`, className: `card${opts.wide ? ' wide' : ''}`, 'aria-labelledby': `title-${id}` },
      h('div', { className: 'card-head' }, h('h2', { id: `title-${id}` }, CHART_TITLES[id]), tools),
      note, opts.canvas === false ? null : canvasBox, tableBox);
    this.cards.set(id, { id, section, canvasBox, tableBox, note, tableToggle });
    this.cardsBox.appendChild(section);
    if (opts.canvas === false) tableBox.hidden = false;
  }

  private card(id: ChartId): Card {
    return this.cards.get(id)!;
  }

  // ── rendering ────────────────────────────────────────────────────────────────────────────────────
  private render(d: DashboardData): void {
    this.emptyBox.hidden = true;
    this.cardsBox.hidden = false;
    document.title = `Cost dashboard — ${d.period.label}`;
    this.summary.textContent = summaryText(d);
    this.sourcesLine.textContent = sourcesText(d);
    clear(this.warnings);
    for (const w of d.warnings) this.warnings.appendChild(h('li', {}, w));
    this.renderFilters(d);
    this.renderUntagged(d);
    this.renderGpus(d);
    this.renderRecommendations(d);
    this.budgets.render(d.budgets, d.anomalies);
    for (const id of this.openTables) this.renderTable(id);
    // charts last, once the layout around them is final (each one measures its box)
    this.renderCharts(d);
  }

  private fillSelect(select: HTMLSelectElement, allLabel: string, options: readonly string[], current: string | null | undefined): void {
    clear(select);
    select.appendChild(h('option', { value: '' }, allLabel));
    options.forEach((o, i) => select.appendChild(h('option', { value: String(i) }, o)));
    const i = optionIndex(options, current);
    select.value = i >= 0 ? String(i) : '';
  }

  private renderFilters(d: DashboardData): void {
    this.periodSelect.value = d.period.choice.preset;
    this.customBox.hidden = d.period.choice.preset !== 'custom';
    if (d.period.choice.preset === 'custom') {
      const inputs = customInputs(d);
      this.customStart.value = inputs.start;
      this.customEnd.value = inputs.last;
    }
    this.fillSelect(this.providerSelect, 'All providers', d.options.providers, filterValue(d, 'ProviderName'));
    this.fillSelect(this.serviceSelect, 'All services', d.options.services, filterValue(d, 'ServiceName'));
    const keyBefore = this.tagKeySelect.value === '' ? undefined : d.options.tagKeys[Number(this.tagKeySelect.value)];
    this.fillSelect(this.tagKeySelect, 'Any tag', d.options.tagKeys, keyBefore);
    if (this.tagKeySelect.value === '') this.fillTagValues(undefined);
    clear(this.chips);
    for (const f of d.filters) this.chips.appendChild(this.chip(f));
    this.clearButton.hidden = d.filters.length === 0;
  }

  private chip(f: DashboardFilter): HTMLElement {
    const label = filterLabel(f);
    return h('span', { className: 'chip' }, label, button('×', () => this.post({ type: 'removeFilter', key: f.key }), { 'aria-label': `Remove filter ${label}`, title: 'Remove this filter', className: 'chip-remove' }));
  }

  private fillTagValues(m: { key: string; values: (string | null)[] } | undefined): void {
    this.tagValues = m;
    const select = this.tagValueSelect;
    clear(select);
    select.appendChild(h('option', { value: '' }, m ? 'Pick a value' : '—'));
    m?.values.forEach((v, i) => select.appendChild(h('option', { value: String(i) }, v ?? UNTAGGED_LABEL)));
    select.disabled = !m;
    if (m && this.data) {
      const i = optionIndex(m.values, filterValue(this.data, m.key));
      if (i >= 0) select.value = String(i);
    }
  }

  private setChart(id: ChartId, make: (canvas: HTMLCanvasElement) => Chart, ariaLabel: string, empty: boolean): void {
    this.charts.get(id)?.destroy();
    this.charts.delete(id);
    const card = this.card(id);
    clear(card.canvasBox);
    card.note.textContent = empty ? 'No cost in this period for the current filters.' : '';
    if (empty) return;
    const canvas = h('canvas', { role: 'img', 'aria-label': ariaLabel, id: `chart-${id}` });
    card.canvasBox.appendChild(canvas);
    this.pendingCharts.push(() => this.charts.set(id, make(canvas)));
  }

  private buildPendingCharts(): void {
    const jobs = this.pendingCharts;
    this.pendingCharts = [];
    for (const job of jobs) job();
  }

  /** A click on an element of `chart`: filter by it, or say why "Other" cannot be. */
  private clicked(d: DashboardData, chart: ChartId, index: number, other?: string): void {
    const filter = elementFilter(d, chart, index);
    if (filter) this.post({ type: 'setFilter', filter });
    else if (other) this.notice('info', other);
  }

  private renderCharts(d: DashboardData): void {
    const theme = readTheme();
    const cur = d.currency;
    // daily, stacked by provider: the largest series, then the rest summed as "Other" (the table lists every series)
    const { series, rest } = stackedSeries(d.daily);
    this.setChart('daily', (c) => stackedDaily(c, d.daily.dates, series, cur, theme, (di) => this.clicked(d, 'daily', di, `"Other" sums ${rest} series: open the table to see them.`)),
      `Daily cost by provider, ${d.daily.dates.length} days, ${d.daily.series.length} series. Use the Table button for the values.`, d.daily.series.length === 0);
    if (rest > 0) this.card('daily').note.textContent = `The ${d.daily.series.length - rest} largest of ${d.daily.series.length} series are drawn, the rest as "Other"; the table lists all of them.`;
    // breakdowns: team and project (bars), service (doughnut)
    for (const id of ['level1', 'level2', 'service'] as const) {
      const b = d.breakdowns.find((x) => x.id === id);
      const card = this.card(id);
      card.section.hidden = !b;
      if (!b) { this.charts.get(id)?.destroy(); this.charts.delete(id); continue; }
      (card.section.querySelector('h2') as HTMLElement).textContent = b.title;
      const labels = b.items.map((it) => itemLabel(it));
      const values = b.items.map((it) => it.cost);
      const kinds = b.items.map((it) => it.kind);
      const click = (_di: number, i: number): void => {
        const it = b.items[i];
        if (it) this.clicked(d, id, i, `"Other" groups ${it.count} values: open the table to see them, or filter by one of the named values.`);
      };
      this.setChart(id, (c) => (id === 'service'
        ? doughnut(c, labels, values, kinds, cur, theme, click)
        : horizontalBars(c, labels, values, kinds, cur, theme, click, b.items.map((it) => it.share))), breakdownAria(b, labels, cur), b.items.length === 0);
    }
    // movers
    const labels = moverLabels(d);
    this.setChart('movers', (c) => deltaBars(c, labels, d.movers.map((m) => m.delta), cur, theme, (_di, i) => this.clicked(d, 'movers', i)),
      moversAria(d, labels), d.movers.length === 0);
    const note = moversNote(d);
    if (note) this.card('movers').note.textContent = note;
    this.buildPendingCharts();
  }

  private bar(share: number | undefined): HTMLElement {
    const fill = h('span', { className: 'bar-fill' });
    fill.style.width = barWidth(share);
    return h('span', { className: 'bar' }, fill);
  }

  private renderUntagged(d: DashboardData): void {
    const card = this.card('untagged');
    clear(card.tableBox);
    card.note.textContent = `Charges of resources lacking each tag of the hierarchy, as a share of all charges: the FinOps allocation KPI.${Math.abs(d.credits ?? 0) > 0.005 ? ` Credits and refunds (${formatMoney(d.credits, d.currency)}) are not netted into it.` : ''}`;
    const list = h('ul', { className: 'kpis' });
    for (const u of d.untagged) {
      list.appendChild(h('li', {},
        h('span', { className: 'kpi-key' }, u.key),
        h('strong', { className: 'kpi-value' }, formatPercent(u.share)),
        this.bar(u.share),
        h('span', { className: 'muted' }, `${formatMoney(u.cost, d.currency)} untagged`)));
    }
    card.tableBox.appendChild(list);
  }

  /** GPU spend by accelerator: cost, GPU-hours and cost per GPU-hour per model × count (hidden without GPUs). */
  private renderGpus(d: DashboardData): void {
    const card = this.card('gpu');
    const gpus = d.gpus ?? [];
    card.section.hidden = gpus.length === 0;
    clear(card.tableBox);
    if (gpus.length === 0) return;
    const cost = gpus.reduce((s, g) => s + g.cost, 0);
    const hours = gpus.reduce((s, g) => s + (g.gpuHours ?? 0), 0);
    card.note.textContent = `${formatMoney(cost, d.currency)} on ${Math.round(hours).toLocaleString()} GPU-hours${hours > 0 ? ` (${formatMoney(cost / hours, d.currency)} per GPU-hour)` : ''}: instances by accelerator model × count, from their instance types and the price catalogue.`;
    const t = chartTable(d, 'gpu');
    const table = h('table', {}, h('caption', {}, `${CHART_TITLES.gpu} — ${d.period.label}`));
    const head = h('tr', {});
    for (const c of t.header) head.appendChild(h('th', { scope: 'col' }, c));
    table.appendChild(h('thead', {}, head));
    const body = h('tbody', {});
    for (const r of t.rows) {
      const tr = h('tr', {});
      r.forEach((v, i) => {
        const text = i === 2 && typeof v === 'number' ? v.toLocaleString() : i === 3 && typeof v === 'number' ? `${formatMoney(v, d.currency)}/GPU-h` : cellText(v, i, t, d.currency);
        tr.appendChild(i === 0 ? h('th', { scope: 'row' }, text) : h('td', { className: typeof v === 'number' ? 'num' : '' }, text));
      });
      body.appendChild(tr);
    }
    table.appendChild(body);
    card.tableBox.appendChild(h('div', { className: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': `${CHART_TITLES.gpu} table` }, table));
  }

  private renderRecommendations(d: DashboardData): void {
    const card = this.card('recommendations');
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

  private renderEmpty(message: string, fix: string | undefined, sources: { label: string; state: string; message?: string }[]): void {
    for (const c of this.charts.values()) c.destroy();
    this.charts.clear();
    this.cardsBox.hidden = true;
    this.summary.textContent = '';
    this.sourcesLine.textContent = '';
    clear(this.emptyBox);
    append(this.emptyBox,
      h('h2', {}, message),
      fix ? h('p', {}, fix) : null,
      sources.length ? h('ul', {}, ...sources.map((s) => h('li', {}, `${s.label}: ${s.message ?? s.state}`))) : null,
      h('p', {},
        button('Configure Cloud Accounts', () => this.post({ type: 'runCommand', command: 'configureAccounts' })), ' ',
        button('Show Logs', () => this.post({ type: 'runCommand', command: 'showLogs' }), { className: 'secondary' })));
    this.emptyBox.hidden = false;
  }

  // ── tables (the accessible alternative of each chart; built only when opened) ────────────────────
  private toggleTable(id: ChartId): void {
    const card = this.card(id);
    if (this.openTables.has(id)) {
      this.openTables.delete(id);
      card.tableBox.hidden = true;
      clear(card.tableBox);
      card.tableToggle.setAttribute('aria-expanded', 'false');
      card.tableToggle.textContent = 'Table';
    } else {
      this.openTables.add(id);
      card.tableToggle.setAttribute('aria-expanded', 'true');
      card.tableToggle.textContent = 'Hide table';
      this.renderTable(id);
    }
  }

  private renderTable(id: ChartId): void {
    const card = this.card(id);
    const d = this.data;
    if (!d || id === 'untagged' || id === 'recommendations' || id === 'gpu') return;
    const t = chartTable(d, id);
    clear(card.tableBox);
    const table = h('table', {}, h('caption', {}, `${CHART_TITLES[id]} — ${d.period.label}`));
    // the keyboard's way to do what a click on the chart does: a Filter button per row
    const filterable = rowsFilter(d, id);
    const head = h('tr', {});
    for (const c of t.header) head.appendChild(h('th', { scope: 'col' }, c));
    if (filterable) head.appendChild(h('th', { scope: 'col' }, h('span', { className: 'visually-hidden' }, 'Filter')));
    table.appendChild(h('thead', {}, head));
    const body = h('tbody', {});
    t.rows.forEach((r, ri) => {
      const tr = h('tr', {});
      r.forEach((v, i) => {
        const text = cellText(v, i, t, d.currency);
        tr.appendChild(i === 0 ? h('th', { scope: 'row' }, text) : h('td', { className: typeof v === 'number' ? 'num' : '' }, text));
      });
      if (filterable) {
        const f = elementFilter(d, id, ri);
        tr.appendChild(h('td', {}, f ? button('Filter', () => this.post({ type: 'setFilter', filter: f }), { className: 'secondary small', 'aria-label': `Filter by ${String(r[0])}` }) : ''));
      }
      body.appendChild(tr);
    });
    table.appendChild(body);
    card.tableBox.appendChild(h('div', { className: 'table-scroll', tabindex: 0, role: 'region', 'aria-label': `${CHART_TITLES[id]} table` }, table));
    card.tableBox.hidden = false;
  }

  private savePng(id: ChartId): void {
    const chart = this.charts.get(id);
    if (!chart) { this.notice('error', 'This chart has nothing to save.'); return; }
    this.post({ type: 'savePng', chart: id, dataUrl: chart.toBase64Image('image/png') });
  }
}
