import * as fs from 'node:fs';
import * as path from 'node:path';
import { isUtf8 } from 'node:buffer';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import { FinOpsError } from '../../core/errors';
import { throwIfAborted } from '../../core/ports';

/**
 * The text layer of a CSV bill, before DuckDB sees it: its encoding and line endings, checked in one pass over the
 * bytes (UTF-8 validated by the runtime's SIMD check, newlines counted with indexOf), and a UTF-8, LF copy for the
 * files DuckDB cannot read as they are: Windows-1252 / Latin-1 and UTF-16 exports, and files whose rows end
 * sometimes in CRLF and sometimes in LF (real Azure exports). Line numbers are kept, so a row named in a message
 * is the same row in the user's file.
 */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface CsvTextScan {
  encoding: TextEncoding;
  /** Line endings of the file's rows: mixed means both CRLF and LF (or CR) end rows. */
  newlines: 'lf' | 'crlf' | 'cr' | 'mixed' | 'none';
  /** The first byte that is not UTF-8 (1-based line, 0-based byte offset in the file) when read as Windows-1252. */
  firstNonUtf8?: { line: number; offset: number };
}

/** Bytes Windows-1252 leaves undefined: a file holding them is in neither encoding the reader knows. */
const CP1252_UNDEFINED = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);
const CHUNK = 1 << 20;

/** A readable stream of the file's bytes, gunzipped for .gz (and zstd-decompressed where this Node.js can). */
export function openBytes(file: string): Readable | undefined {
  const raw = fs.createReadStream(file, { highWaterMark: CHUNK });
  if (/\.(gz|gzip)$/i.test(file)) return raw.pipe(zlib.createGunzip());
  if (/\.zst$/i.test(file)) {
    const make = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
    if (!make) { raw.destroy(); return undefined; }
    return raw.pipe(make());
  }
  return raw;
}

/** Length of an incomplete UTF-8 sequence at the end of `b` (0 when the last sequence is complete). */
function incompleteTail(b: Buffer): number {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const byte = b[b.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Validates UTF-8 byte by byte: the offset of the first invalid byte (or -1) and how many multi-byte characters were valid. */
function inspectUtf8(b: Buffer): { invalidAt: number; valid: number; undefinedCp1252: boolean } {
  let invalidAt = -1;
  let valid = 0;
  let undefinedCp1252 = false;
  for (let i = 0; i < b.length;) {
    const c = b[i]!;
    if (c < 0x80) { i++; continue; }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    let ok = need > 0 && i + need < b.length;
    for (let k = 1; ok && k <= need; k++) ok = ((b[i + k] ?? 0) & 0xc0) === 0x80;
    if (ok && need === 2) ok = !(c === 0xe0 && b[i + 1]! < 0xa0) && !(c === 0xed && b[i + 1]! > 0x9f);
    if (ok && need === 3) ok = !(c === 0xf0 && b[i + 1]! < 0x90) && !(c === 0xf4 && b[i + 1]! > 0x8f);
    if (ok) { valid++; i += need + 1; continue; }
    if (invalidAt < 0) invalidAt = i;
    if (CP1252_UNDEFINED.has(c)) undefinedCp1252 = true;
    i++;
  }
  return { invalidAt, valid, undefinedCp1252 };
}

function countLineBreaks(b: Buffer, end: number, prevCr: boolean): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    if (b[i] === 0x0a) { if (!(i === 0 ? prevCr : b[i - 1] === 0x0d)) n++; } else if (b[i] === 0x0d) n++;
  }
  return n;
}

function utf16Without(b: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(b.length - (b.length % 2), 256);
  if (n < 8) return undefined;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) { if (b[i] === 0) evenZero++; if (b[i + 1] === 0) oddZero++; }
  const pairs = n / 2;
  if (oddZero >= pairs * 0.9 && evenZero === 0) return 'utf-16le';
  if (evenZero >= pairs * 0.9 && oddZero === 0) return 'utf-16be';
  return undefined;
}

function describeFile(file: string): string {
  return path.basename(file);
}

/**
 * Reads the whole file once and says how it is encoded and how its lines end. A file that is neither UTF-8
 * (with or without BOM), UTF-16 (with BOM, or plainly so) nor Windows-1252 / Latin-1 is refused, naming the line
 * of its first undecodable byte; so is a UTF-8 file with a few broken bytes (reading it as Windows-1252 would
 * garble every other accented name).
 */
export async function scanCsvText(file: string, signal?: AbortSignal): Promise<CsvTextScan | undefined> {
  const stream = openBytes(file);
  if (!stream) return undefined;
  let encoding: TextEncoding | undefined;
  let carry: Buffer | undefined;
  let offset = 0;
  let lf = 0;
  let crlf = 0;
  let cr = 0;
  // a CR that ended the previous chunk: CRLF or a bare CR, decided by the next chunk's first byte
  let pendingCr = false;
  let first = true;
  let validMultibyte = 0;
  let firstInvalid: { line: number; offset: number } | undefined;
  let undefinedCp1252: { line: number; offset: number } | undefined;
  const linesBefore = () => lf + crlf + cr + (pendingCr ? 1 : 0);
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      throwIfAborted(signal);
      let chunk = raw;
      if (first) {
        first = false;
        if (chunk[0] === 0xff && chunk[1] === 0xfe) encoding = 'utf-16le';
        else if (chunk[0] === 0xfe && chunk[1] === 0xff) encoding = 'utf-16be';
        else encoding = utf16Without(chunk);
        if (encoding) break; // UTF-16: transcoded whole; its line endings are normalised with it
      }
      if (carry) { chunk = Buffer.concat([carry, chunk]); carry = undefined; }
      const tail = incompleteTail(chunk);
      const body = tail ? chunk.subarray(0, chunk.length - tail) : chunk;
      if (tail) carry = Buffer.from(chunk.subarray(chunk.length - tail));
      if (!body.length) continue;
      if (!isUtf8(body)) {
        const found = inspectUtf8(body);
        validMultibyte += found.valid;
        if (found.invalidAt >= 0 && !firstInvalid) {
          firstInvalid = { line: linesBefore() + countLineBreaks(body, found.invalidAt, pendingCr) + 1, offset: offset + found.invalidAt };
        }
        if (found.undefinedCp1252 && !undefinedCp1252) {
          const at = body.findIndex((c) => CP1252_UNDEFINED.has(c));
          undefinedCp1252 = { line: linesBefore() + countLineBreaks(body, at, pendingCr) + 1, offset: offset + at };
        }
      } else if (validMultibyte === 0) {
        // valid multi-byte characters tell a UTF-8 file with a broken byte from a Windows-1252 file
        for (let i = 0; i < body.length; i++) if (body[i]! >= 0xc2) { validMultibyte = 1; break; }
      }
      // line endings: each LF with or without a CR before it, then CRs not followed by LF
      if (pendingCr && body[0] !== 0x0a) cr++;
      let i = -1;
      while ((i = body.indexOf(0x0a, i + 1)) !== -1) {
        if (i === 0 ? pendingCr : body[i - 1] === 0x0d) crlf++; else lf++;
      }
      let j = -1;
      while ((j = body.indexOf(0x0d, j + 1)) !== -1 && j < body.length - 1) if (body[j + 1] !== 0x0a) cr++;
      pendingCr = body[body.length - 1] === 0x0d;
      offset += body.length;
    }
  } finally {
    stream.destroy();
  }
  if (pendingCr) cr++;
  if (carry && !firstInvalid) firstInvalid = { line: lf + crlf + cr + 1, offset };
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return { encoding, newlines: 'none' };
  const kinds = [lf > 0, crlf > 0, cr > 0].filter(Boolean).length;
  const newlines = kinds > 1 ? 'mixed' : lf ? 'lf' : crlf ? 'crlf' : cr ? 'cr' : 'none';
  if (!firstInvalid) return { encoding: 'utf-8', newlines };
  const name = describeFile(file);
  if (validMultibyte > 0) {
    throw new FinOpsError('input', `${name} is not valid UTF-8: line ${firstInvalid.line} holds a byte that is not UTF-8 (byte ${firstInvalid.offset + 1} of the file), while other lines are UTF-8.`, {
      fix: 'Export the bill again as UTF-8 CSV; a file edited in two encodings cannot be read reliably.',
    });
  }
  if (undefinedCp1252) {
    throw new FinOpsError('input', `${name} is neither UTF-8 nor Windows-1252 / Latin-1: line ${undefinedCp1252.line} holds a byte no Western encoding uses (byte ${undefinedCp1252.offset + 1} of the file).`, {
      fix: 'Export the bill again as UTF-8 CSV (Excel: "CSV UTF-8"; Azure and AWS exports are UTF-8).',
    });
  }
  return { encoding: 'windows-1252', newlines, firstNonUtf8: firstInvalid };
}

/** True when DuckDB reads the file as it is (UTF-8 with one kind of line ending). */
export function readableAsIs(scan: CsvTextScan): boolean {
  return scan.encoding === 'utf-8' && scan.newlines !== 'mixed';
}

/** Turns CRLF and bare CR into LF; a CR at the end of a chunk waits for the next one. */
class NewlinesToLf extends Transform {
  private pendingCr = false;
  override _transform(chunk: string, _enc: BufferEncoding, done: (e?: Error | null, data?: string) => void): void {
    let text = (this.pendingCr ? '\r' : '') + chunk;
    this.pendingCr = text.endsWith('\r');
    if (this.pendingCr) text = text.slice(0, -1);
    done(null, text.replace(/\r\n?/g, '\n'));
  }
  override _flush(done: (e?: Error | null, data?: string) => void): void {
    done(null, this.pendingCr ? '\n' : '');
  }
}

/** Decodes bytes in one encoding into text (a byte-order mark dropped). */
class Decode extends Transform {
  private readonly decoder: TextDecoder;
  constructor(encoding: TextEncoding) {
    super({ readableObjectMode: true });
    // The WHATWG decoder for "windows-1252" is the one browsers use for Latin-1 labels too.
    this.decoder = new TextDecoder(encoding, { fatal: false, ignoreBOM: false });
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: string) => void): void {
    done(null, this.decoder.decode(chunk, { stream: true }));
  }
  override _flush(done: (e?: Error | null, data?: string) => void): void {
    done(null, this.decoder.decode());
  }
}

/**
 * Writes `file` as UTF-8 with LF line endings to `target` (uncompressed), keeping every line where it was.
 * Multi-line quoted values keep their text; a CR inside one becomes LF.
 */
export async function writeUtf8Copy(file: string, scan: CsvTextScan, target: string, signal?: AbortSignal): Promise<void> {
  const source = openBytes(file);
  if (!source) throw new FinOpsError('unavailable', `${describeFile(file)} is compressed with zstd, which this Node.js cannot read.`, { fix: 'Decompress the file, or use Node.js 22.15 or later.' });
  const temp = `${target}.part`;
  try {
    const toLf = new NewlinesToLf({ writableObjectMode: true, decodeStrings: false });
    await pipeline(source, new Decode(scan.encoding), toLf, fs.createWriteStream(temp), { signal });
    await fs.promises.rename(temp, target);
  } catch (e) {
    await fs.promises.rm(temp, { force: true }).catch(() => undefined);
    throw e;
  }
}
