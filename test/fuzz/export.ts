import { toCsv } from '../../src/core/allocation/csv';
import type { CostRow } from '../../src/core/cost/model';
import { isFinOpsError } from '../../src/core/errors';
import { buildShowback, showbackCsv, showbackMarkdown } from '../../src/core/showback/report';
import { hostileString, pick, seeded } from './mutate';
import type { FuzzTarget } from './target';

/**
 * Fuzz target "CSV/Markdown export": tables of hostile cells (formulas, quotes, every line break, pipes, markup,
 * control characters, long and empty values, odd numbers) written by the one CSV writer, and showback reports of
 * teams and projects with such names written as CSV and Markdown. A run is right when an independent RFC 4180
 * reader gives back every cell (formula-looking text kept as text behind an apostrophe, non-finite numbers empty),
 * and every Markdown table row has exactly its header's number of cells.
 */

/** RFC 4180, written here independently of the product. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"' && field === '') { quoted = true; i++; continue; }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i += 2; continue; }
    if (c === '\n' || c === '\r') throw new Error(`a bare line break outside quotes at ${i}`);
    if (c === '"') throw new Error(`a quote inside an unquoted field at ${i}`);
    field += c; i++;
  }
  if (field !== '' || row.length) throw new Error('the last row does not end with CRLF');
  return rows;
}

/** What a cell must read as in a spreadsheet: formula-looking text behind an apostrophe, non-finite numbers empty. */
const expected = (v: string | number | null | undefined): string =>
  v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;

/** Cells of one Markdown table row: split on pipes that are not escaped. */
const mdCells = (line: string) => line.replace(/\\\\/g, '').split(/(?<!\\)\|/).length - 2;

export interface ExportInput { header: string[]; rows: (string | number | null)[][]; teams: string[]; projects: string[]; allocation: 'proportional' | 'even' | 'none' }

export function exportTarget(): FuzzTarget<ExportInput> {
  return {
    name: 'CSV/Markdown export',
    setup: async () => {}, teardown: async () => {},
    generate(seed) {
      const random = seeded(seed);
      const width = 1 + Math.floor(random() * 6);
      const cell = (): string | number | null => pick(random, ['s', 's', 's', 'n', 'odd', 'null'] as const) === 's' ? hostileString(random)
        : random() < 0.5 ? Math.round((random() - 0.5) * 1e6) / 100 : random() < 0.5 ? pick(random, [NaN, Infinity, -Infinity, -0, 1e21, 5e-7]) : null;
      return {
        header: Array.from({ length: width }, () => hostileString(random)),
        rows: Array.from({ length: Math.floor(random() * 8) }, () => Array.from({ length: width }, cell)),
        teams: Array.from({ length: 1 + Math.floor(random() * 4) }, () => hostileString(random)),
        projects: Array.from({ length: 1 + Math.floor(random() * 3) }, () => hostileString(random)),
        allocation: pick(random, ['proportional', 'even', 'none'] as const),
      };
    },
    describe: (i) => JSON.stringify({ header: i.header, teams: i.teams, projects: i.projects }).slice(0, 300),
    async run(input) {
      try {
        const csv = parseCsv(toCsv(input.header, input.rows));
        const want = [input.header.map(expected), ...input.rows.map((r) => r.map(expected))];
        if (JSON.stringify(csv) !== JSON.stringify(want)) return { kind: 'wrong', detail: `CSV round trip: ${JSON.stringify(csv).slice(0, 200)} ≠ ${JSON.stringify(want).slice(0, 200)}` };

        const rows: CostRow[] = [];
        input.teams.forEach((team, t) => input.projects.forEach((project, p) => rows.push({
          groups: { 'tag:Team': team === '' ? null : team, 'tag:Project': project === '' ? null : project, 'tag:Stage': null, ServiceCategory: 'Compute' },
          period: '2026-10-01', cost: (t + 1) * 100.01 + p, currency: 'USD',
        })));
        const report = buildShowback({ month: '2026-10', currency: 'USD', by: 'tag:Team', rows, projectKey: 'tag:Project', stageKey: 'tag:Stage', settings: { allocation: input.allocation, shared: [] } });
        const sc = parseCsv(showbackCsv(report));
        if (sc.some((r) => r.length !== 5)) return { kind: 'wrong', detail: 'a showback CSV row without its 5 fields' };
        for (const t of report.teams) if (!sc.some((r) => r[0] === expected(t.team))) return { kind: 'wrong', detail: `team ${JSON.stringify(t.team)} not read back from the CSV` };
        const md = showbackMarkdown(report).split(/\r\n|\r|\n|\u2028|\u2029|\v|\f/);
        let cols = 0;
        for (const line of md) {
          if (!line.startsWith('|')) { cols = 0; continue; }
          const n = mdCells(line);
          if (cols === 0) cols = n;
          else if (n !== cols) return { kind: 'wrong', detail: `Markdown row with ${n} cells under a ${cols}-cell header: ${JSON.stringify(line).slice(0, 200)}` };
        }
        if (md.some((l) => /^(#+ |\|)/.test(l) === false && /\| forged \| row \|/.test(l))) return { kind: 'wrong', detail: 'a value forged a Markdown row' };
        return { kind: 'ok' };
      } catch (e) {
        return isFinOpsError(e) ? { kind: 'refused' } : { kind: 'thrown', detail: e instanceof Error ? e.stack ?? e.message : String(e) };
      }
    },
  };
}
