/**
 * A JSON reader that keeps source offsets (UTF-16 code units, end exclusive) for every value and key, for
 * Terraform's JSON syntax (`.tf.json`, `.tfvars.json`). Strict RFC 8259 JSON, with a nesting limit checked as
 * it reads: a document nested deeper than `maxJsonDepth` is refused before any deeper level is built, so no
 * input can exhaust the stack. A syntax error stops the read and is returned with its offset.
 */
export type JsonNode =
  | { t: 'str'; v: string; start: number; end: number }
  | { t: 'num'; v: number; start: number; end: number }
  | { t: 'bool'; v: boolean; start: number; end: number }
  | { t: 'null'; start: number; end: number }
  | { t: 'obj'; items: Array<{ key: JsonNode & { t: 'str' }; value: JsonNode }>; start: number; end: number }
  | { t: 'arr'; items: JsonNode[]; start: number; end: number };

/** Deeper than any real Terraform or CloudFormation JSON (they rarely pass 20 levels). */
export const maxJsonDepth = 128;

export interface JsonResult {
  value?: JsonNode;
  error?: { message: string; start: number; end: number };
}

class JsonSyntax extends Error {
  constructor(message: string, readonly start: number, readonly end = start + 1) {
    super(message);
  }
}

const numberRe = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const plainRun = /[^"\\\u0000-\u001f]+/y;
const escapes: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function parseJsonWithOffsets(text: string): JsonResult {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const len = text.length;
  const describe = (at: number) => (at >= len ? 'the end of the file' : JSON.stringify(text[at]));
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) pos++;
      else return;
    }
  };
  const string = (): JsonNode & { t: 'str' } => {
    const start = pos++;
    let out = '';
    for (;;) {
      plainRun.lastIndex = pos;
      if (plainRun.test(text)) { out += text.slice(pos, plainRun.lastIndex); pos = plainRun.lastIndex; }
      if (pos >= len) throw new JsonSyntax('Unterminated string: add the closing quote.', start, pos);
      const c = text[pos]!;
      if (c === '"') { pos++; return { t: 'str', v: out, start, end: pos }; }
      if (c === '\\') {
        const e = text[pos + 1];
        if (e !== undefined && escapes[e] !== undefined) { out += escapes[e]; pos += 2; continue; }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) { out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16)); pos += 6; continue; }
        throw new JsonSyntax('Invalid escape sequence in a string.', pos, pos + 2);
      }
      throw new JsonSyntax('A control character (such as a line break) inside a string must be escaped.', pos);
    }
  };
  const value = (depth: number): JsonNode => {
    ws();
    const start = pos;
    const c = text[pos];
    if (c === '{' || c === '[') {
      if (depth >= maxJsonDepth) throw new JsonSyntax(`Nested more than ${maxJsonDepth} levels deep: not read.`, start);
      pos++;
      ws();
      if (c === '{') {
        const items: Array<{ key: JsonNode & { t: 'str' }; value: JsonNode }> = [];
        if (text[pos] === '}') { pos++; return { t: 'obj', items, start, end: pos }; }
        for (;;) {
          ws();
          if (text[pos] !== '"') throw new JsonSyntax(`Expected a key in quotes, found ${describe(pos)}.`, pos);
          const key = string();
          ws();
          if (text[pos] !== ':') throw new JsonSyntax(`Expected ":" after the key, found ${describe(pos)}.`, pos);
          pos++;
          items.push({ key, value: value(depth + 1) });
          ws();
          if (text[pos] === ',') { pos++; continue; }
          if (text[pos] === '}') { pos++; return { t: 'obj', items, start, end: pos }; }
          throw new JsonSyntax(`Expected "," or "}" in the object, found ${describe(pos)}.`, pos);
        }
      }
      const items: JsonNode[] = [];
      if (text[pos] === ']') { pos++; return { t: 'arr', items, start, end: pos }; }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[pos] === ',') { pos++; continue; }
        if (text[pos] === ']') { pos++; return { t: 'arr', items, start, end: pos }; }
        throw new JsonSyntax(`Expected "," or "]" in the list, found ${describe(pos)}.`, pos);
      }
    }
    if (c === '"') return string();
    for (const [word, node] of [['true', { t: 'bool', v: true }], ['false', { t: 'bool', v: false }], ['null', { t: 'null' }]] as const) {
      if (text.startsWith(word, pos)) { pos += word.length; return { ...node, start, end: pos } as JsonNode; }
    }
    numberRe.lastIndex = pos;
    if (numberRe.test(text)) {
      pos = numberRe.lastIndex;
      return { t: 'num', v: Number(text.slice(start, pos)), start, end: pos };
    }
    throw new JsonSyntax(`Expected a value, found ${describe(pos)}.`, pos);
  };
  try {
    const v = value(0);
    ws();
    if (pos < len) throw new JsonSyntax(`Unexpected ${describe(pos)} after the end of the JSON value.`, pos);
    return { value: v };
  } catch (e) {
    if (!(e instanceof JsonSyntax)) throw e;
    return { error: { message: e.message, start: Math.min(e.start, len), end: Math.min(Math.max(e.end, e.start), len) } };
  }
}
