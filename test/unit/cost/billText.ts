/**
 * Bill text as other tools write it, for tests: the same CSV lines in another encoding (UTF-8 with or without BOM,
 * Windows-1252, UTF-16 LE / BE) and with other line endings (LF, CRLF, CR, or a seeded mix). Independent of the
 * product's reader.
 */
export type TextEncoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
export type Newlines = 'lf' | 'crlf' | 'cr' | 'mixed' | 'mixed-last-lf' | 'mixed-last-crlf';

/** A small seeded PRNG (mulberry32): the same seed gives the same mix. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Windows-1252's characters in 0x80–0x9F (the rest of 0xA0–0xFF is Latin-1). */
const CP1252_HIGH: Record<string, number> = {
  '€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87, 'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c,
  'Ž': 0x8e, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b,
  'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
};

export function encodeCp1252(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    const byte = CP1252_HIGH[ch] ?? (code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : undefined);
    if (byte === undefined) throw new Error(`${ch} has no Windows-1252 byte`);
    out[n++] = byte;
  }
  return out.subarray(0, n);
}

export function encodeText(text: string, encoding: TextEncoding, bom = false): Buffer {
  switch (encoding) {
    case 'utf-8': return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
    case 'windows-1252': return encodeCp1252(text);
    case 'utf-16le': return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
    case 'utf-16be': {
      const le = Buffer.from(text, 'utf16le');
      for (let i = 0; i + 1 < le.length; i += 2) { const b = le[i]!; le[i] = le[i + 1]!; le[i + 1] = b; }
      return Buffer.concat([bom ? Buffer.from([0xfe, 0xff]) : Buffer.alloc(0), le]);
    }
  }
}

/** Ends each line (a record; multi-line quoted values keep their own line breaks) as `newlines` says. */
export function joinLines(lines: readonly string[], newlines: Newlines, seed = 1): string {
  const random = seeded(seed);
  const end = (i: number): string => {
    switch (newlines) {
      case 'lf': return '\n';
      case 'crlf': return '\r\n';
      case 'cr': return '\r';
      case 'mixed': return random() < 0.5 ? '\r\n' : '\n';
      case 'mixed-last-lf': return i === lines.length - 1 ? '\n' : '\r\n';
      case 'mixed-last-crlf': return i === lines.length - 1 ? '\r\n' : '\n';
    }
  };
  let out = lines.map((l, i) => l + end(i)).join('');
  // a seeded mix may come out uniform on short files: force one of each
  if (newlines === 'mixed' && !(out.includes('\r\n') && /(^|[^\r])\n/.test(out)) && lines.length > 1) {
    out = `${lines[0]}\r\n${lines.slice(1).map((l) => `${l}\n`).join('')}`;
  }
  return out;
}

export function encodeCsv(lines: readonly string[], encoding: TextEncoding, newlines: Newlines, seed = 1, bom = false): Buffer {
  return encodeText(joinLines(lines, newlines, seed), encoding, bom);
}
