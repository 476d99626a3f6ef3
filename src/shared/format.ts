/**
 * Number and date formatting for people, shared by the extension host and the dashboard page
 * (no vscode, no DOM): currency with its code or symbol, thousands separators, one-decimal percentages,
 * relative times ("updated 2 h ago").
 */
const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string, locale: string | undefined, compact: boolean): Intl.NumberFormat {
  const id = `${locale ?? ''}|${currency}|${compact ? 'c' : ''}`;
  let f = moneyFormats.get(id);
  if (!f) {
    try {
      f = new Intl.NumberFormat(locale, compact
        ? { style: 'currency', currency, notation: 'compact', maximumFractionDigits: 1 }
        : { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
    } catch {
      // not an ISO 4217 code: show the number and the code as given
      const n = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      f = { format: (x: number) => `${n.format(x)} ${currency}` } as Intl.NumberFormat;
    }
    moneyFormats.set(id, f);
  }
  return f;
}

/** "$12,345.67"; amounts that round to zero but are not zero read "< $0.01". */
export function formatMoney(amount: number, currency: string | undefined, locale?: string): string {
  const f = moneyFormat(currency ?? 'USD', locale, false);
  if (amount !== 0 && Math.abs(amount) < 0.005) return `${amount < 0 ? '> −' : '< '}${f.format(0.01)}`;
  return f.format(amount);
}

/** A round figure without cents ("$5,200"); other amounts as formatMoney ("$0.74"). */
export function formatMoneyFigure(amount: number, currency: string | undefined, locale?: string): string {
  if (!Number.isInteger(amount)) return formatMoney(amount, currency, locale);
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: currency ?? 'USD', minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(amount);
  } catch {
    return formatMoney(amount, currency, locale);
  }
}

/** "$12.3K": for axes and tight spaces. */
export function formatMoneyCompact(amount: number, currency: string | undefined, locale?: string): string {
  return moneyFormat(currency ?? 'USD', locale, true).format(amount);
}

/** "12.3 %" with one decimal; "—" when unknown. */
export function formatPercent(share: number | undefined, locale?: string): string {
  if (share === undefined || !Number.isFinite(share)) return '—';
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(share * 100)} %`;
}

/** "+12.3 %" / "−4.0 %" for changes. */
export function formatChange(change: number | undefined, locale?: string): string {
  if (change === undefined || !Number.isFinite(change)) return 'new';
  const text = formatPercent(Math.abs(change), locale);
  return change > 0 ? `+${text}` : change < 0 ? `−${text}` : text;
}

/** "just now", "5 min ago", "2 h ago", "3 d ago". */
export function formatAge(fromIso: string, now: Date = new Date()): string {
  const t = Date.parse(fromIso);
  if (Number.isNaN(t)) return 'at an unknown time';
  const s = Math.max(0, Math.round((now.getTime() - t) / 1000));
  if (s < 60) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** The label a missing tag value shows. */
export const UNTAGGED_LABEL = '(untagged)';
export const OTHER_LABEL = 'Other';

/** The label of spend on instances without GPUs (and of rows without an instance type) in the GPU grouping. */
export const NO_GPU_LABEL = '(no GPU)';
