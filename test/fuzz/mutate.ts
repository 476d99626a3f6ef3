import { seeded } from '../unit/cost/billText';

export { seeded };

export const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

/** Characters that break parsers and terminals: NUL, replacement, bidi override, lone surrogates, CR, BOM. */
export const HOSTILE_CHARS = ['\0', '\uFFFD', '\u202E', '\uD800', '\uDFFF', '\r', '\r\n', '\t', '\uFEFF', '\x1b[2J', '\u2028', 'é', '😀', '\\', '\v', '\f'];

/**
 * Seeded text mutations of what users and generators get wrong, and of what an attacker writes: spans deleted,
 * duplicated or swapped, tokens of the language inserted, the text cut short, and deep nesting or long chains
 * (thousands of levels) that overflow recursive parsers. Returns the text and a description of each step.
 */
export function mutateText(random: () => number, text: string, tokens: readonly string[], nests: readonly { open: string; close?: string; chain?: string }[]): { text: string; steps: string[] } {
  let t = text;
  const steps: string[] = [];
  const at = () => Math.floor(random() * (t.length + 1));
  const n = 1 + Math.floor(random() * 4);
  for (let i = 0; i < n; i++) {
    const how = pick(random, ['delete', 'duplicate', 'insert', 'insert', 'insert', 'truncate', 'swap lines', 'char', 'nest', 'chain', 'repeat line'] as const);
    switch (how) {
      case 'delete': { const a = at(); const b = Math.min(t.length, a + Math.floor(random() * 40)); t = t.slice(0, a) + t.slice(b); steps.push(`delete ${a}-${b}`); break; }
      case 'duplicate': { const a = at(); const b = Math.min(t.length, a + Math.floor(random() * 200)); const c = at(); t = t.slice(0, c) + t.slice(a, b) + t.slice(c); steps.push(`duplicate ${a}-${b} at ${c}`); break; }
      case 'insert': { const a = at(); const tok = pick(random, tokens); t = t.slice(0, a) + tok + t.slice(a); steps.push(`insert ${JSON.stringify(tok)} at ${a}`); break; }
      case 'truncate': { const a = at(); t = t.slice(0, a); steps.push(`truncate at ${a}`); break; }
      case 'swap lines': {
        const lines = t.split('\n');
        const x = Math.floor(random() * lines.length); const y = Math.floor(random() * lines.length);
        [lines[x], lines[y]] = [lines[y]!, lines[x]!];
        t = lines.join('\n'); steps.push(`swap lines ${x + 1}, ${y + 1}`); break;
      }
      case 'char': { const a = at(); const c = pick(random, HOSTILE_CHARS); t = t.slice(0, a) + c + t.slice(a); steps.push(`char ${JSON.stringify(c)} at ${a}`); break; }
      case 'nest': {
        const nest = pick(random, nests);
        const depth = pick(random, [5, 60, 250, 1200, 3000]);
        const closed = random() < 0.5 && nest.close !== undefined;
        const a = at();
        t = t.slice(0, a) + nest.open.repeat(depth) + (closed ? nest.close!.repeat(depth) : '') + t.slice(a);
        steps.push(`nest ${JSON.stringify(nest.open)} × ${depth}${closed ? ' closed' : ''} at ${a}`);
        break;
      }
      case 'chain': {
        const nest = pick(random, nests.filter((x) => x.chain));
        if (!nest) break;
        const depth = pick(random, [50, 800, 2500]);
        const a = at();
        t = t.slice(0, a) + nest.chain!.repeat(depth) + t.slice(a);
        steps.push(`chain ${JSON.stringify(nest.chain)} × ${depth} at ${a}`);
        break;
      }
      case 'repeat line': {
        const lines = t.split('\n');
        const x = Math.floor(random() * lines.length);
        const times = pick(random, [2, 50, 2000]);
        lines.splice(x, 0, ...Array<string>(times).fill(lines[x] ?? ''));
        t = lines.join('\n'); steps.push(`repeat line ${x + 1} × ${times}`); break;
      }
    }
  }
  return { text: t, steps };
}

/** A random string for names and values: plain, hostile, long, or formula-like. */
export function hostileString(random: () => number): string {
  const kind = pick(random, ['plain', 'formula', 'quotes', 'newline', 'pipe', 'markup', 'chars', 'long', 'empty', 'spaces'] as const);
  const word = pick(random, ['nlp', 'vision', 'team a', 'café', 'x', '42', '-1', '(untagged)', 'Other']);
  switch (kind) {
    case 'plain': return word;
    case 'formula': return `${pick(random, ['=', '+', '-', '@', '\t', '\r'])}${pick(random, ['HYPERLINK("http://x")', 'cmd|\' /C calc\'!A0', '1+1', word])}`;
    case 'quotes': return `"${word}"${pick(random, ['"', "'", '""', '\\"'])}`;
    case 'newline': return `${word}${pick(random, ['\n', '\r\n', '\r', '\u2028'])}| forged | row |`;
    case 'pipe': return `${word} | ${word} \\| *bold* _x_ \`code\` [link](http://x) <b>`;
    case 'markup': return `<img src=x onerror=alert(1)></script>${word}`;
    case 'chars': return Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(random, HOSTILE_CHARS)).join('') + word;
    case 'long': return word.repeat(1 + Math.floor(random() * 2000));
    case 'empty': return '';
    case 'spaces': return `  ${word}  `;
  }
}
