/**
 * RFC 4180 CSV. Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR)
 * are prefixed with an apostrophe, so a tag value such as `=HYPERLINK(…)` stays text when the file is opened.
 * The one CSV writer of the product: `mlfinops costs --format csv` and the dashboard's export both use it.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const r of rows) lines.push(r.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** One field of the one CSV writer (formula-looking text kept as text, non-finite numbers empty). */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || /^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
