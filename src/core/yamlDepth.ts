import { Lexer } from 'yaml';

/**
 * How deep a YAML or JSON document read with the `yaml` library may nest. The library builds documents
 * recursively, and deep recursion can end the whole process on Node 20 (V8 aborts when it compiles a regular
 * expression with the stack nearly full) instead of throwing; so nesting is measured first, from the library's
 * own tokens (a flat pass that builds nothing), and a deeper document is refused before it is built.
 * CloudFormation templates and policies stay far below (about 20 levels).
 */
export const maxYamlDepth = 128;

/** Tokens the lexer emits that stand for no source text (document start, flow end, scalar start). */
const controlToken = /^[\u0002\u0018\u001f]$/;

/**
 * Where a YAML (or JSON) text nests deeper than `limit`, or undefined. The measure never undercounts: flow
 * brackets `[ {` open a level each, and a line's block level is bounded by its indentation plus the `-`, `?`
 * and `:` indicators on it (a level needs at least one more column or one more indicator). Indentation counts
 * half (two columns a level, as written in practice), so a document indented one column a level may reach
 * twice the limit, which the library still reads safely.
 */
export function yamlTooDeep(text: string, limit = maxYamlDepth): { offset: number } | undefined {
  let flow = 0;
  let indent = 0;
  let indicators = 0;
  let lineStart = true;
  let offset = 0;
  for (const token of new Lexer().lex(text)) {
    if (controlToken.test(token)) continue;
    if (token === '\n' || token === '\r\n') {
      indent = 0;
      indicators = 0;
      lineStart = true;
    } else {
      if (lineStart && /^ +$/.test(token)) indent = token.length;
      else if (token === '[' || token === '{') flow++;
      else if (token === ']' || token === '}') flow = Math.max(0, flow - 1);
      else if (token === '-' || token === '?' || token === ':') indicators++;
      lineStart = false;
      if (flow + Math.ceil(indent / 2) + indicators > limit) return { offset };
    }
    offset += token.length;
  }
  return undefined;
}
