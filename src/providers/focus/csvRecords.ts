import { throwIfAborted } from '../../core/ports';
import { openBytes } from './csvText';

/**
 * A small streaming RFC 4180 reader, used when DuckDB refused a CSV bill, to say where and why: it reads the file
 * as DuckDB's strict mode does (quotes doubled inside quoted fields, text after a closing quote refused, blank lines
 * skipped, every row as wide as the header) and tracks the row (1 = the first row after the header) and the line
 * each record starts on. It is not the fast path: DuckDB reads the bills; this explains their problems.
 */
export type CsvStructureProblem =
  | { kind: 'fieldCount'; row: number; line: number; expected: number; got: number }
  | { kind: 'unterminatedQuote'; row: number; line: number; column: number }
  | { kind: 'textAfterQuote'; row: number; line: number; column: number }
  | { kind: 'noHeader' };

/** Called with each record after the header; return true to stop reading. */
type CsvRecordVisitor = (fields: readonly string[], row: number, line: number, header: readonly string[]) => boolean | void;

interface CsvWalk {
  header: string[];
  problem?: CsvStructureProblem;
  /** True when the visitor stopped the walk. */
  stopped: boolean;
}

const QUOTE = 34;

export async function walkCsvRecords(file: string, delimiter: string, visit: CsvRecordVisitor, signal?: AbortSignal): Promise<CsvWalk> {
  const stream = openBytes(file);
  const out: CsvWalk = { header: [], stopped: false };
  if (!stream) return out;
  const decoder = new TextDecoder('utf-8');
  const delim = delimiter.charCodeAt(0);
  let header: string[] | undefined;
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let afterQuote = false;
  let fieldQuoted = false;
  let pendingCr = false;
  let line = 1;
  let recordLine = 1;
  let row = 0;
  let started = false; // the record has at least one character
  let bom = true;

  /** Ends a record; returns a problem or true to stop. */
  const endRecord = (): CsvStructureProblem | true | undefined => {
    fields.push(field);
    const record = fields;
    fields = [];
    field = '';
    fieldQuoted = false;
    afterQuote = false;
    const blank = !started;
    started = false;
    if (blank) return undefined;
    if (!header) {
      header = record.map((h) => h.trim());
      out.header = header;
      return undefined;
    }
    row++;
    if (record.length !== header.length) return { kind: 'fieldCount', row, line: recordLine, expected: header.length, got: record.length };
    return visit(record, row, recordLine, header) ? true : undefined;
  };

  try {
    for await (const bytes of stream as AsyncIterable<Buffer>) {
      throwIfAborted(signal);
      let text = decoder.decode(bytes, { stream: true });
      if (bom) { bom = false; if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); }
      for (let i = 0; i < text.length; i++) {
        const ch = text.charCodeAt(i);
        if (pendingCr) {
          pendingCr = false;
          if (ch === 10) continue; // the LF of a CRLF
        }
        if (inQuotes) {
          if (ch === QUOTE) {
            if (i + 1 < text.length) {
              if (text.charCodeAt(i + 1) === QUOTE) { field += '"'; i++; continue; }
              inQuotes = false;
              afterQuote = true;
              continue;
            }
            // the quote is the chunk's last character: decide with the next chunk
            inQuotes = false;
            afterQuote = true;
            continue;
          }
          if (ch === 10 || ch === 13) line++;
          if (ch === 13 && text.charCodeAt(i + 1) === 10) { field += '\r\n'; i++; continue; }
          field += text[i];
          continue;
        }
        if (afterQuote && ch === QUOTE && fieldQuoted) {
          // "" split across two chunks: an escaped quote after all
          field += '"';
          inQuotes = true;
          afterQuote = false;
          continue;
        }
        if (ch === delim) {
          fields.push(field);
          field = '';
          fieldQuoted = false;
          afterQuote = false;
          started = true;
          continue;
        }
        if (ch === 10 || ch === 13) {
          const result = endRecord();
          line++;
          recordLine = line;
          if (ch === 13) pendingCr = true;
          if (result === true) { out.stopped = true; return out; }
          if (result) { out.problem = result; return out; }
          continue;
        }
        if (afterQuote) {
          out.problem = { kind: 'textAfterQuote', row: header ? row + 1 : 0, line, column: fields.length + 1 };
          return out;
        }
        if (ch === QUOTE && field.length === 0 && !fieldQuoted) {
          inQuotes = true;
          fieldQuoted = true;
          started = true;
          continue;
        }
        field += text[i];
        started = true;
      }
    }
    const rest = decoder.decode();
    if (rest) field += rest;
    if (inQuotes) {
      out.problem = { kind: 'unterminatedQuote', row: header ? row + 1 : 0, line: recordLine, column: fields.length + 1 };
      return out;
    }
    if (started || fields.length) {
      const result = endRecord();
      if (result === true) out.stopped = true;
      else if (result) out.problem = result;
    }
    if (!header) out.problem = { kind: 'noHeader' };
    return out;
  } finally {
    stream.destroy();
  }
}
