import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

interface CsvHeader {
  columns: string[];
  delimiter: ',' | ';' | '\t' | '|';
}

const MAX_HEADER_BYTES = 1 << 20;

/** The first line of a file (gunzipped for .gz), or undefined when it does not end within 1 MiB. */
async function firstLine(file: string): Promise<string | undefined> {
  const raw = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  const stream = /\.(gz|gzip)$/i.test(file) ? raw.pipe(zlib.createGunzip()) : raw;
  let text = '';
  try {
    for await (const chunk of stream) {
      text += (chunk as Buffer).toString('utf8');
      let inQuotes = false;
      for (let i = 0; i < text.length; i++) {
        const ch = text[i];
        if (ch === '"') inQuotes = !inQuotes;
        else if ((ch === '\n' || ch === '\r') && !inQuotes) return text.slice(0, i);
      }
      if (text.length > MAX_HEADER_BYTES) return undefined;
    }
    return text.length ? text : undefined;
  } finally {
    raw.destroy();
  }
}

function split(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (inQuotes) {
      if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === delimiter) { out.push(field); field = ''; } else field += ch;
  }
  out.push(field);
  return out;
}

/** The delimiter of `,` `;` tab `|` that splits the first line into the most fields (`,` when the file has none). */
export async function sniffDelimiter(file: string): Promise<CsvHeader['delimiter']> {
  const line = (await firstLine(file).catch(() => undefined))?.replace(/^\uFEFF/, '') ?? '';
  let best: CsvHeader['delimiter'] = ',';
  let most = 0;
  for (const delimiter of [',', ';', '\t', '|'] as const) {
    const n = split(line, delimiter).length;
    if (n > most) { most = n; best = delimiter; }
  }
  return best;
}

/**
 * Reads a bill CSV's header row without scanning the file: its column names and delimiter (the one of
 * `,` `;` tab `|` that splits the header into the most fields). Bills quote with `"` (RFC 4180).
 * Undefined when the file has no first line within 1 MiB (the caller lets DuckDB sniff instead).
 */
export async function readCsvHeader(file: string): Promise<CsvHeader | undefined> {
  if (!/\.(csv|tsv)(\.(gz|gzip))?$/i.test(file)) return undefined;
  const line = (await firstLine(file))?.replace(/^\uFEFF/, '');
  if (!line) return undefined;
  let best: CsvHeader | undefined;
  for (const delimiter of [',', ';', '\t', '|'] as const) {
    const columns = split(line, delimiter);
    if (!best || columns.length > best.columns.length) best = { columns, delimiter };
  }
  if (!best) return undefined;
  // empty names are named by position; duplicates are the reader's to refuse (src/providers/focus/inspect.ts)
  return { columns: best.columns.map((c, i) => c.trim() || `column${i + 1}`), delimiter: best.delimiter };
}
