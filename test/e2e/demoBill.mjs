// @ts-check
// The demo organisation's bill, read independently of the product (zlib and a small RFC 4180 reader), so UI tests
// compare what the views show with figures of their own: the last day, the periods counted back from it, totals by
// team and the untagged share.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const DEMO_BILL = 'billing/demo-org.focus-1.2.csv.gz';

/** @param {string} text @returns {string[][]} */
function parseCsv(text) {
  /** @type {string[][]} */
  const out = [];
  /** @type {string[]} */
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\n') { row.push(cell); out.push(row); row = []; cell = ''; } else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); out.push(row); }
  return out;
}

const shift = (/** @type {string} */ d, /** @type {number} */ n) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** Rows of the demo workspace's bill: day, provider, effective cost, the policy's Team (the label `team` on Google Cloud). */
/** @typedef {{ day: string; provider: string; effective: number; team: string | null; project: string | null; resourceId: string | null; resourceName: string | null }} DemoRow */
/** @typedef {{ start: string; end: string }} Period */

/** @param {string} workspaceDir @returns {DemoRow[]} */
export function readDemoBill(workspaceDir) {
  const text = zlib.gunzipSync(fs.readFileSync(path.join(workspaceDir, DEMO_BILL))).toString('utf8');
  const [header = [], ...records] = parseCsv(text);
  const col = (/** @type {string} */ name) => header.indexOf(name);
  const [day, provider, cost, tags, resourceId, resourceName] = ['ChargePeriodStart', 'ProviderName', 'EffectiveCost', 'Tags', 'ResourceId', 'ResourceName'].map(col);
  return records.filter((r) => r.length === header.length).map((r) => {
    const at = (/** @type {number | undefined} */ i) => (i === undefined ? '' : r[i] ?? '');
    const t = at(tags) ? JSON.parse(at(tags)) : {};
    const gcp = at(provider) === 'Google Cloud';
    return { day: at(day).slice(0, 10), provider: at(provider), effective: Number(at(cost) || 0), team: (gcp ? t.team : t.Team) || null, project: (gcp ? t.project : t.Project) || null, resourceId: at(resourceId) || null, resourceName: at(resourceName) || null };
  });
}

/** The periods the views count back from the bill's last day, and the figures over one of them. */
/** @param {string} workspaceDir */
export function demoFigures(workspaceDir) {
  const rows = readDemoBill(workspaceDir);
  const lastDay = rows.reduce((m, r) => (r.day > m ? r.day : m), '');
  const end = shift(lastDay, 1);
  const monthStart = `${lastDay.slice(0, 7)}-01`;
  const lastMonthStart = new Date(Date.UTC(Number(lastDay.slice(0, 4)), Number(lastDay.slice(5, 7)) - 2, 1)).toISOString().slice(0, 10);
  const periods = { lastMonth: { start: lastMonthStart, end: monthStart }, monthToDate: { start: monthStart, end }, last30Days: { start: shift(end, -30), end } };
  const over = (/** @type {Period} */ period) => {
    const inside = rows.filter((r) => r.day >= period.start && r.day < period.end);
    const total = inside.reduce((s, r) => s + r.effective, 0);
    /** @type {Map<string | null, number>} */
    const byTeam = new Map();
    for (const r of inside) byTeam.set(r.team, (byTeam.get(r.team) ?? 0) + r.effective);
    return { total, byTeam, untaggedShare: (byTeam.get(null) ?? 0) / total, rows: inside };
  };
  return { rows, lastDay, periods, over };
}

/** "$176,124.12" or "−$12.00" → a number. */
/** @param {string} text */
export function parseMoney(text) {
  const m = /([-−]?)\$([\d,]+\.\d\d)/.exec(text);
  if (!m) throw new Error(`no amount in "${text}"`);
  return Number((m[2] ?? '').replace(/,/g, '')) * (m[1] ? -1 : 1);
}

/** "1 Oct – 31 Oct 2026" for a half-open period, as the views write it. */
/** @param {Period} period */
export function periodRange(period) {
  const fmt = (/** @type {string} */ d, /** @type {boolean} */ year) => new Date(`${d}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', ...(year ? { year: 'numeric' } : {}), timeZone: 'UTC' });
  return `${fmt(period.start, false)} – ${fmt(shift(period.end, -1), true)}`;
}
