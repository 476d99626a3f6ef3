import type {
  Attribute, Block, BlockLabel, Body, Expr, HclFile, ObjectItem, Span, SyntaxError, TemplateExpr, TraversalStep,
} from './ast';

/**
 * A recursive-descent parser for HCL native syntax (the language of `.tf` and `.tfvars` files), written for
 * speed and exact source offsets. It recovers from errors line by line, so one bad line never hides the
 * rest of the file. Semantics follow the HCL native syntax specification (hashicorp/hcl, hclsyntax/spec.md).
 */
interface ParseOptions {
  /** Parse attribute expressions on first use (default true). */
  lazy?: boolean;
  /** Top-level blocks whose bodies are only checked for balance, not built (Terraform `output`, `data` …). */
  skipBody?: (type: string, labels: readonly BlockLabel[]) => boolean;
}

/**
 * How deep brackets, blocks, interpolations and operator chains may nest. Real Terraform stays far below
 * (a few dozen levels); deeper input is refused instead of exhausting the stack, so one hostile file never
 * stops the analysis of the others.
 */
export const maxHclDepth = 200;

/** Thrown inside the parser when input nests deeper than `maxHclDepth`; caught where parsing starts. */
class TooDeep extends Error {
  constructor(readonly at: number) {
    super('too deep');
  }
}

const tooDeepMessage = `Nested more than ${maxHclDepth} levels deep (brackets, blocks, interpolations or a chain of operators):`;

export function parseHcl(src: string, options: ParseOptions = {}): HclFile {
  const p = new HclParser(src, options.lazy ?? true, options.skipBody);
  try {
    const body = p.parseFile();
    return { body, errors: p.errors };
  } catch (e) {
    if (!(e instanceof TooDeep)) throw e;
    const at = Math.min(e.at, src.length);
    return {
      body: { attributes: [], blocks: [], start: 0, end: src.length },
      errors: [{ message: `${tooDeepMessage} the file is not read.`, start: at, end: Math.min(at + 1, src.length) }],
      unparseable: true,
    };
  }
}

/**
 * An attribute whose expression is parsed on first use. The file's structure (blocks, attribute names,
 * brackets, strings, heredocs) is always checked; an expression's inner syntax is checked when it is read.
 * Most attributes of a Terraform file are never read by tag analysis, so this halves parse time and memory.
 */
/** A template's parts as they are read: literal text between interpolations. */
class TemplateParts {
  parts: Array<string | Expr> = [];
  text = '';
  hasDirective = false;

  /** Ends the literal text read so far (before an interpolation). */
  endText(): void {
    if (this.text) { this.parts.push(this.text); this.text = ''; }
  }

  done(): { parts: Array<string | Expr>; hasDirective: boolean } {
    this.endText();
    return { parts: this.parts, hasDirective: this.hasDirective };
  }
}

class LazyAttribute implements Attribute {
  readonly kind = 'attribute' as const;
  private parsed: Expr | undefined;
  constructor(
    private readonly src: string,
    private readonly errors: SyntaxError[],
    readonly name: string,
    readonly nameSpan: Span,
    readonly start: number,
    private readonly exprStart: number,
    private readonly scanEnd: number,
  ) {}
  get end(): number {
    return this.expr.end;
  }
  get expr(): Expr {
    if (this.parsed) return this.parsed;
    const p = new HclParser(this.src, false);
    p.pos = this.exprStart;
    let e: Expr;
    try {
      e = p.parseExpr(false);
      p.trailing(this.scanEnd);
    } catch (err) {
      if (!(err instanceof TooDeep)) throw err;
      p.errors.push({ message: `${tooDeepMessage} this value is not read.`, start: err.at, end: Math.min(err.at + 1, this.scanEnd) });
      e = { type: 'invalid', start: this.exprStart, end: this.scanEnd };
    }
    for (const err of p.errors) if (!this.errors.some((x) => x.start === err.start)) this.errors.push(err);
    this.parsed = e;
    return e;
  }
}

const enum C {
  tab = 9, lf = 10, cr = 13, space = 32, bang = 33, quote = 34, hash = 35, dollar = 36, percent = 37, amp = 38,
  lparen = 40, rparen = 41, star = 42, plus = 43, comma = 44, minus = 45, dot = 46, slash = 47,
  d0 = 48, d9 = 57, colon = 58, lt = 60, eq = 61, gt = 62, question = 63,
  A = 65, Z = 90, lbracket = 91, backslash = 92, rbracket = 93, underscore = 95,
  a = 97, e = 101, E = 69, z = 122, lbrace = 123, pipe = 124, rbrace = 125, tilde = 126,
}

const idStartRe = /[\p{ID_Start}_]/u;
const idContinueRe = /[\p{ID_Continue}-]/u;

function isIdStart(c: number): boolean {
  return (c >= C.a && c <= C.z) || (c >= C.A && c <= C.Z) || c === C.underscore || (c > 127 && idStartRe.test(String.fromCharCode(c)));
}
function isIdContinue(c: number): boolean {
  return (c >= C.a && c <= C.z) || (c >= C.A && c <= C.Z) || (c >= C.d0 && c <= C.d9) || c === C.underscore || c === C.minus
    || (c > 127 && idContinueRe.test(String.fromCharCode(c)));
}
function isDigit(c: number): boolean {
  return c >= C.d0 && c <= C.d9;
}

class HclParser {
  pos = 0;
  readonly errors: SyntaxError[] = [];
  private readonly len: number;
  /** Nesting of the constructs being read (each recursive step counts one). */
  private depth = 0;

  constructor(private readonly src: string, private readonly lazy = false, private readonly skipBody?: (type: string, labels: readonly BlockLabel[]) => boolean) {
    this.len = src.length;
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  /** Enters one level of nesting; past `maxHclDepth` the whole read is abandoned. */
  private enter(): void {
    if (++this.depth > maxHclDepth) throw new TooDeep(this.pos);
  }

  private code(at = this.pos): number {
    return at < this.len ? this.src.charCodeAt(at) : -1;
  }

  private error(message: string, start: number, end = start + 1): void {
    // one error per offset is enough; a cascade adds nothing for the reader
    const last = this.errors[this.errors.length - 1];
    if (last && last.start === start) return;
    this.errors.push({ message, start, end: Math.min(Math.max(end, start), this.len) });
  }

  /** Skips blanks and comments; newlines too when `nl` (inside brackets and parentheses). */
  private skip(nl: boolean): void {
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === C.space || c === C.tab || c === C.cr || (nl && c === C.lf)) {
        const run = nl ? blanksAndNewlines : blanks;
        run.lastIndex = this.pos;
        run.test(s);
        this.pos = run.lastIndex;
      } else if (c === C.lf) {
        return;
      } else if (c === C.hash || (c === C.slash && s.charCodeAt(this.pos + 1) === C.slash)) {
        const eol = s.indexOf('\n', this.pos);
        this.pos = eol < 0 ? this.len : eol;
      } else if (c === C.slash && s.charCodeAt(this.pos + 1) === C.star) {
        const close = s.indexOf('*/', this.pos + 2);
        if (close < 0) {
          this.error('Unterminated comment: a /* comment needs a closing */.', this.pos, this.pos + 2);
          this.pos = this.len;
        } else {
          this.pos = close + 2;
        }
      } else {
        return;
      }
    }
  }

  private readIdent(): string {
    const start = this.pos;
    asciiIdent.lastIndex = start;
    if (asciiIdent.test(this.src)) this.pos = asciiIdent.lastIndex;
    while (this.pos < this.len && isIdContinue(this.src.charCodeAt(this.pos))) this.pos++;
    return this.src.slice(start, this.pos);
  }

  /** Skips to the end of the current line (keeping brackets and strings balanced) after an error. */
  private recoverLine(): void {
    let depth = 0;
    const s = this.src;
    while (this.pos < this.len) {
      const c = s.charCodeAt(this.pos);
      if (c === C.lf && depth <= 0) return;
      if (c === C.quote) {
        this.pos++;
        while (this.pos < this.len) {
          const d = s.charCodeAt(this.pos);
          if (d === C.backslash) this.pos += 2;
          else if (d === C.quote || d === C.lf) break;
          else this.pos++;
        }
        if (s.charCodeAt(this.pos) === C.quote) this.pos++;
        continue;
      }
      if (c === C.lbrace || c === C.lbracket || c === C.lparen) depth++;
      else if (c === C.rbrace || c === C.rbracket || c === C.rparen) {
        if (depth === 0 && c === C.rbrace) return;
        depth--;
      }
      this.pos++;
    }
  }

  /** After a lazily parsed expression: anything left before `end` is an error. */
  trailing(end: number): void {
    this.skip(false);
    if (this.pos < end) this.error(`Unexpected ${describeChar(this.code())}: put each attribute and block on its own line.`, this.pos);
  }

  /**
   * Skips an attribute's expression without building it: to the newline (or the block's closing brace) at
   * bracket depth 0, keeping strings, interpolations, heredocs and comments intact. Returns the end offset of
   * the expression (trailing blanks and comments excluded).
   */
  private skipExpr(): number {
    const start = this.pos;
    const depth = this.skipBalanced(true);
    let end = this.pos;
    while (end > start && isBlank(this.src.charCodeAt(end - 1))) end--;
    if (depth > 0) this.error('This expression opens a bracket that is never closed.', start, end);
    if (end === start) this.error(`Expected an expression, found ${describeChar(this.code())}.`, start);
    return end;
  }

  /**
   * Scans over balanced brackets, strings, heredocs and comments without building anything. Stops at a
   * newline at depth 0 (`toNewline`), at a closing bracket at depth 0, or at the end; returns the depth left.
   */
  private skipBalanced(toNewline: boolean): number {
    const s = this.src;
    let depth = 0;
    for (;;) {
      boringRun.lastIndex = this.pos;
      if (boringRun.test(s)) this.pos = boringRun.lastIndex;
      if (this.pos >= this.len) return depth;
      const c = s.charCodeAt(this.pos);
      if (c === C.lf) {
        if (toNewline && depth === 0) return 0;
        this.pos++;
      } else if (c === C.hash || (c === C.slash && (s.charCodeAt(this.pos + 1) === C.slash || s.charCodeAt(this.pos + 1) === C.star))) {
        this.skip(false);
      } else if (c === C.slash) {
        this.pos++;
      } else if (c === C.quote) {
        this.skipQuotedRaw();
      } else if (c === C.lt) {
        if (s.charCodeAt(this.pos + 1) === C.lt && isHeredocStart(s, this.pos)) this.skipHeredocRaw();
        else this.pos++;
      } else if (c === C.lbrace || c === C.lbracket || c === C.lparen) {
        depth++;
        this.pos++;
      } else {
        if (depth === 0) return 0;
        depth--;
        this.pos++;
      }
    }
  }

  /** Skips a heredoc to the line after its terminator, checking that it has one. */
  private skipHeredocRaw(): void {
    const s = this.src;
    const start = this.pos;
    const m = /^<<-?([A-Za-z_][\w-]*)\r?\n/.exec(s.slice(this.pos, this.pos + 200));
    if (!m) { this.pos += 2; return; }
    const marker = m[1]!;
    let lineStart = this.pos + m[0].length;
    for (;;) {
      const eol = s.indexOf('\n', lineStart);
      const lineEnd = eol < 0 ? this.len : eol;
      if (s.slice(lineStart, lineEnd).trim() === marker) {
        this.pos = lineStart + s.slice(lineStart, lineEnd).indexOf(marker) + marker.length;
        return;
      }
      if (eol < 0) break;
      lineStart = eol + 1;
    }
    this.error(`Unterminated heredoc: add a line with just ${marker}.`, start, start + 2 + marker.length);
    this.pos = this.len;
  }

  /** Skips a quoted string, interpolations included, checking that it is terminated. */
  private skipQuotedRaw(): void {
    this.enter();
    this.skipQuotedRawBody();
    this.depth--;
  }

  private skipQuotedRawBody(): void {
    const s = this.src;
    const start = this.pos++;
    for (;;) {
      if (this.pos >= this.len) { this.error('Unterminated string: add the closing quote.', start, this.pos); return; }
      const c = s.charCodeAt(this.pos);
      if (c === C.backslash) { this.pos += 2; continue; }
      if (c === C.quote) { this.pos++; return; }
      if (c === C.lf) { this.error('Unterminated string: add the closing quote.', start, this.pos); return; }
      if ((c === C.dollar || c === C.percent) && s.charCodeAt(this.pos + 1) === C.lbrace) {
        if (this.pos > start && s.charCodeAt(this.pos - 1) === c) { this.pos += 2; continue; }
        this.pos += 2;
        let depth = 0;
        while (this.pos < this.len) {
          const d = s.charCodeAt(this.pos);
          if (d === C.quote) { this.skipQuotedRaw(); continue; }
          if (d === C.lbrace) depth++;
          else if (d === C.rbrace) { if (depth === 0) break; depth--; }
          this.pos++;
        }
        this.pos++;
        continue;
      }
      this.pos++;
    }
  }

  parseFile(): Body {
    return this.parseBody(false);
  }

  private parseBody(inBlock: boolean): Body {
    this.enter();
    const body = this.parseBodyItems(inBlock);
    this.depth--;
    return body;
  }

  private parseBodyItems(inBlock: boolean): Body {
    const start = this.pos;
    const attributes: Attribute[] = [];
    const blocks: Block[] = [];
    for (;;) {
      this.skip(true);
      const c = this.code();
      if (c < 0) break;
      if (c === C.rbrace) {
        if (inBlock) break;
        this.error('Unexpected "}": there is no block to close here.', this.pos);
        this.pos++;
        continue;
      }
      if (!isIdStart(c)) {
        this.error(`Unexpected ${describeChar(c)}: expected an attribute name or a block type.`, this.pos);
        const before = this.pos;
        this.recoverLine();
        if (this.pos === before) this.pos++;
        continue;
      }
      const item = this.parseItem(inBlock);
      if (item?.kind === 'attribute') attributes.push(item);
      else if (item) blocks.push(item);
    }
    return { attributes, blocks, start, end: this.pos };
  }

  /** One attribute (`name = expr`) or block (`type "label" … { … }`) at the cursor; undefined after a reported error. */
  private parseItem(inBlock: boolean): Attribute | Block | undefined {
    const itemStart = this.pos;
    const name = this.readIdent();
    const nameSpan = { start: itemStart, end: this.pos };
    this.skip(false);
    const n = this.code();
    if (n === C.eq && this.code(this.pos + 1) !== C.eq) {
      const attribute = this.parseAttribute(name, nameSpan, itemStart);
      this.endOfItem();
      return attribute;
    }
    const labels = this.parseBlockLabels();
    if (this.code() !== C.lbrace) {
      this.error(labels.length === 0 && n !== C.lbrace
        ? `Expected "=" or "{" after "${name}": an attribute needs "=", a block needs "{".`
        : `Expected "{" to open the "${name}" block.`, this.pos, this.pos + 1);
      this.recoverLine();
      return undefined;
    }
    const block = this.parseBlock(name, nameSpan, labels, itemStart, inBlock);
    this.endOfItem();
    return block;
  }

  /** The expression after `name =`: parsed now, or (lazy) only checked and parsed when first read. */
  private parseAttribute(name: string, nameSpan: Span, itemStart: number): Attribute {
    this.pos++;
    this.skip(false);
    if (!this.lazy) {
      const expr = this.parseExpr(false);
      return { kind: 'attribute', name, nameSpan, expr, start: itemStart, end: expr.end };
    }
    const exprStart = this.pos;
    const errorsBefore = this.errors.length;
    const exprEnd = this.skipExpr();
    // an expression whose structure is already reported broken adds no second error when read
    const sink = this.errors.length > errorsBefore ? [] : this.errors;
    return new LazyAttribute(this.src, sink, name, nameSpan, itemStart, exprStart, exprEnd);
  }

  /** A block's labels: quoted strings or identifiers, up to the opening brace. */
  private parseBlockLabels(): BlockLabel[] {
    const labels: BlockLabel[] = [];
    for (;;) {
      const l = this.code();
      if (l === C.quote) {
        const t = this.parseQuoted();
        labels.push({ value: templateText(t) ?? '', start: t.start, end: t.end });
      } else if (isIdStart(l)) {
        const ls = this.pos;
        labels.push({ value: this.readIdent(), start: ls, end: this.pos });
      } else {
        return labels;
      }
      this.skip(false);
    }
  }

  /**
   * A block from its opening brace: its body parsed, or, for a top-level block the caller does not need
   * (`skipBody`), only its brackets checked.
   */
  private parseBlock(type: string, typeSpan: Span, labels: BlockLabel[], itemStart: number, inBlock: boolean): Block {
    const open = this.pos++;
    const skipped = !inBlock && this.skipBody?.(type, labels) === true;
    let body: Body;
    if (skipped) {
      const bodyStart = this.pos;
      this.skipBalanced(false);
      body = { attributes: [], blocks: [], start: bodyStart, end: this.pos };
    } else {
      body = this.parseBody(true);
    }
    let close: number;
    if (this.code() === C.rbrace) {
      close = this.pos++;
    } else {
      close = this.len;
      this.error(`The "${type}" block opened here is never closed: add "}".`, open, open + 1);
    }
    return { kind: 'block', type, typeSpan, labels, open, close, body, start: itemStart, end: Math.min(close + 1, this.len), ...(skipped ? { skipped: true } : {}) };
  }

  /** After an attribute or block: only a newline, the end of the file or a closing brace may follow. */
  private endOfItem(): void {
    this.skip(false);
    const c = this.code();
    if (c < 0 || c === C.lf || c === C.rbrace) return;
    this.error(`Unexpected ${describeChar(c)}: put each attribute and block on its own line.`, this.pos);
    this.recoverLine();
  }

  parseExpr(nl: boolean): Expr {
    this.enter();
    const e = this.parseConditional(nl);
    this.depth--;
    return e;
  }

  private parseConditional(nl: boolean): Expr {
    const start = this.pos;
    const condition = this.parseBinary(1, nl);
    const save = this.pos;
    this.skip(nl);
    if (this.code() !== C.question) {
      this.pos = save;
      return condition;
    }
    this.pos++;
    this.skip(true);
    const whenTrue = this.parseExpr(true);
    this.skip(true);
    if (this.code() !== C.colon) {
      this.error('Expected ":" in a conditional expression (cond ? a : b).', this.pos);
      return { type: 'conditional', condition, whenTrue, whenFalse: { type: 'invalid', start: this.pos, end: this.pos }, start, end: this.pos };
    }
    this.pos++;
    this.skip(true);
    const whenFalse = this.parseExpr(nl);
    return { type: 'conditional', condition, whenTrue, whenFalse, start, end: whenFalse.end };
  }

  /** The binary operator at the cursor and its precedence (1 loosest), or undefined. */
  private readBinaryOp(): { op: string; prec: number } | undefined {
    const s = this.src;
    const c = s.charCodeAt(this.pos);
    const c2 = s.charCodeAt(this.pos + 1);
    switch (c) {
      case C.pipe: return c2 === C.pipe ? { op: '||', prec: 1 } : undefined;
      case C.amp: return c2 === C.amp ? { op: '&&', prec: 2 } : undefined;
      case C.eq: return c2 === C.eq ? { op: '==', prec: 3 } : undefined;
      case C.bang: return c2 === C.eq ? { op: '!=', prec: 3 } : undefined;
      case C.lt: return c2 === C.eq ? { op: '<=', prec: 4 } : c2 === C.lt ? undefined : { op: '<', prec: 4 };
      case C.gt: return { op: c2 === C.eq ? '>=' : '>', prec: 4 };
      case C.plus: return { op: '+', prec: 5 };
      case C.minus: return { op: '-', prec: 5 };
      case C.star: return c2 === C.rbracket ? undefined : { op: '*', prec: 6 };
      case C.slash: return c2 === C.slash || c2 === C.star ? undefined : { op: '/', prec: 6 };
      case C.percent: return c2 === C.lbrace ? undefined : { op: '%', prec: 6 };
      default: return undefined;
    }
  }

  /** Precedence climbing over the binary operators (HCL spec order: || && ==,!= comparisons +,- *,/,%). */
  private parseBinary(minPrec: number, nl: boolean): Expr {
    let left = this.parseUnary(nl);
    // a chain `a + b + c …` is read in this loop but nests in the tree: each operator counts one level
    let chain = 0;
    for (;;) {
      const save = this.pos;
      this.skip(nl);
      const operator = this.readBinaryOp();
      if (!operator || operator.prec < minPrec) {
        this.pos = save;
        this.depth -= chain;
        return left;
      }
      this.enter();
      chain++;
      this.pos += operator.op.length;
      this.skip(true);
      const right = this.parseBinary(operator.prec + 1, nl);
      left = { type: 'binary', op: operator.op, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(nl: boolean): Expr {
    const c = this.code();
    if (c === C.bang || c === C.minus) {
      this.enter();
      const start = this.pos++;
      this.skip(nl);
      const operand = this.parseUnary(nl);
      this.depth--;
      return { type: 'unary', op: c === C.bang ? '!' : '-', operand, start, end: operand.end };
    }
    return this.parsePostfix(this.parsePrimary(nl));
  }

  private parseSteps(): TraversalStep[] {
    const steps: TraversalStep[] = [];
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      const start = this.pos;
      if (c === C.dot) {
        const n = s.charCodeAt(this.pos + 1);
        if (isIdStart(n)) {
          this.pos++;
          const name = this.readIdent();
          steps.push({ kind: 'attr', name, span: { start, end: this.pos } });
        } else if (isDigit(n)) {
          this.pos++;
          const ds = this.pos;
          while (isDigit(s.charCodeAt(this.pos))) this.pos++;
          const key: Expr = { type: 'literal', value: Number(s.slice(ds, this.pos)), start: ds, end: this.pos };
          steps.push({ kind: 'index', key, span: { start, end: this.pos } });
        } else if (n === C.star) {
          this.pos += 2;
          steps.push({ kind: 'splat', span: { start, end: this.pos } });
        } else {
          return steps;
        }
      } else if (c === C.lbracket) {
        this.pos++;
        this.skip(true);
        if (this.code() === C.star) {
          this.pos++;
          this.skip(true);
          if (this.code() === C.rbracket) this.pos++;
          else this.error('Expected "]" after "[*".', this.pos);
          steps.push({ kind: 'splat', span: { start, end: this.pos } });
          continue;
        }
        const key = this.parseExpr(true);
        this.skip(true);
        if (this.code() === C.rbracket) this.pos++;
        else {
          this.error('Expected "]" to close the index.', this.pos);
          steps.push({ kind: 'index', key, span: { start, end: this.pos } });
          return steps;
        }
        steps.push({ kind: 'index', key, span: { start, end: this.pos } });
      } else {
        return steps;
      }
    }
  }

  private parsePostfix(expr: Expr): Expr {
    const c = this.code();
    if (c !== C.dot && c !== C.lbracket) return expr;
    if (c === C.dot && expr.type === 'literal' && typeof expr.value === 'number') return expr;
    const steps = this.parseSteps();
    if (steps.length === 0) return expr;
    if (expr.type === 'traversal') return { ...expr, steps: [...expr.steps, ...steps], end: this.pos };
    return { type: 'relative', source: expr, steps, start: expr.start, end: this.pos };
  }

  private parsePrimary(nl: boolean): Expr {
    const start = this.pos;
    const c = this.code();
    const s = this.src;
    if (isDigit(c)) {
      while (isDigit(s.charCodeAt(this.pos))) this.pos++;
      if (s.charCodeAt(this.pos) === C.dot && isDigit(s.charCodeAt(this.pos + 1))) {
        this.pos++;
        while (isDigit(s.charCodeAt(this.pos))) this.pos++;
      }
      const e = s.charCodeAt(this.pos);
      if (e === C.e || e === C.E) {
        let q = this.pos + 1;
        if (s.charCodeAt(q) === C.plus || s.charCodeAt(q) === C.minus) q++;
        if (isDigit(s.charCodeAt(q))) {
          this.pos = q;
          while (isDigit(s.charCodeAt(this.pos))) this.pos++;
        }
      }
      return { type: 'literal', value: Number(s.slice(start, this.pos)), start, end: this.pos };
    }
    if (c === C.quote) return this.parseQuoted();
    if (c === C.lt && s.charCodeAt(this.pos + 1) === C.lt) return this.parseHeredoc();
    if (c === C.lbracket) return this.parseTuple();
    if (c === C.lbrace) return this.parseObject();
    if (c === C.lparen) {
      this.pos++;
      this.skip(true);
      const inner = this.parseExpr(true);
      this.skip(true);
      if (this.code() === C.rparen) this.pos++;
      else this.error('Expected ")" to close the parenthesis.', this.pos);
      return { type: 'paren', inner, start, end: this.pos };
    }
    if (isIdStart(c)) {
      let name = this.readIdent();
      // provider-defined functions: provider::aws::arn_parse(...)
      while (s.charCodeAt(this.pos) === C.colon && s.charCodeAt(this.pos + 1) === C.colon && isIdStart(s.charCodeAt(this.pos + 2))) {
        this.pos += 2;
        name += `::${this.readIdent()}`;
      }
      const save = this.pos;
      this.skip(false);
      if (this.code() === C.lparen) return this.parseCall(name, start);
      this.pos = save;
      if (name === 'true' || name === 'false') return { type: 'literal', value: name === 'true', start, end: this.pos };
      if (name === 'null') return { type: 'literal', value: null, start, end: this.pos };
      return { type: 'traversal', root: name, steps: [], start, end: this.pos };
    }
    void nl;
    this.error(c < 0 ? 'Expected an expression, found the end of the file.' : `Expected an expression, found ${describeChar(c)}.`, start);
    return { type: 'invalid', start, end: start };
  }

  private parseCall(name: string, start: number): Expr {
    this.pos++;
    const args: Expr[] = [];
    let expandFinal = false;
    for (;;) {
      this.skip(true);
      const c = this.code();
      if (c === C.rparen) { this.pos++; break; }
      if (c < 0) { this.error(`Expected ")" to close the call to ${name}().`, start, start + name.length); break; }
      const before = this.pos;
      args.push(this.parseExpr(true));
      this.skip(true);
      if (this.src.startsWith('...', this.pos)) { this.pos += 3; expandFinal = true; this.skip(true); }
      const d = this.code();
      if (d === C.comma) { this.pos++; continue; }
      if (d === C.rparen) { this.pos++; break; }
      this.error(`Expected "," or ")" in the arguments of ${name}().`, this.pos);
      if (this.pos === before) this.pos++;
      break;
    }
    return { type: 'call', name, args, expandFinal, start, end: this.pos };
  }

  private atFor(): boolean {
    const s = this.src;
    return s.startsWith('for', this.pos) && !isIdContinue(s.charCodeAt(this.pos + 3));
  }

  /** `[for ...]` and `{for ...}`: parsed for their extent; their value is never known statically. */
  private parseFor(start: number, close: number): Expr {
    this.pos += 3;
    let depth = 0;
    const s = this.src;
    while (this.pos < this.len) {
      const c = s.charCodeAt(this.pos);
      if (c === C.quote) { this.parseQuoted(); continue; }
      if (c === C.lt && s.charCodeAt(this.pos + 1) === C.lt && isHeredocStart(s, this.pos)) { this.parseHeredoc(); continue; }
      if (c === C.hash || (c === C.slash && (s.charCodeAt(this.pos + 1) === C.slash || s.charCodeAt(this.pos + 1) === C.star))) { this.skip(true); continue; }
      if (c === C.lbrace || c === C.lbracket || c === C.lparen) depth++;
      else if (c === C.rbrace || c === C.rbracket || c === C.rparen) {
        if (depth === 0) {
          if (c === close) this.pos++;
          else this.error(`Expected "${String.fromCharCode(close)}" to close the for expression.`, this.pos);
          return { type: 'for', start, end: this.pos };
        }
        depth--;
      }
      this.pos++;
    }
    this.error(`Expected "${String.fromCharCode(close)}" to close the for expression.`, start);
    return { type: 'for', start, end: this.pos };
  }

  private parseTuple(): Expr {
    const start = this.pos++;
    const items: Expr[] = [];
    const forExpr = this.parseItems(start, C.rbracket, 'list', () => {
      const before = this.pos;
      items.push(this.parseExpr(true));
      this.skip(true);
      const d = this.code();
      if (d === C.comma) { this.pos++; return true; }
      if (d === C.rbracket) return true;
      this.error('Expected "," or "]" in the list.', this.pos);
      if (this.pos === before) this.pos++;
      this.skipToClose(C.rbracket);
      return false;
    });
    return forExpr ?? { type: 'tuple', items, start, end: this.pos };
  }

  /**
   * The items of a list or map after its opening bracket, up to its closing bracket (which it consumes): `parseItem`
   * reads one item and its separator, and returns false after an error it has recovered from. A `for` expression
   * in the brackets is returned instead.
   */
  private parseItems(start: number, close: number, what: string, parseItem: () => boolean): Expr | undefined {
    this.skip(true);
    if (this.atFor()) return this.parseFor(start, close);
    for (;;) {
      this.skip(true);
      const c = this.code();
      if (c === close) { this.pos++; return undefined; }
      if (c < 0) { this.error(`Expected "${String.fromCharCode(close)}" to close the ${what}.`, start); return undefined; }
      if (!parseItem()) return undefined;
    }
  }

  /** Error recovery inside a bracketed construct: skip to its closing bracket. */
  private skipToClose(close: number): void {
    let depth = 0;
    const s = this.src;
    while (this.pos < this.len) {
      const c = s.charCodeAt(this.pos);
      if (c === C.quote) { this.parseQuoted(); continue; }
      if (c === C.lbrace || c === C.lbracket || c === C.lparen) depth++;
      else if (c === C.rbrace || c === C.rbracket || c === C.rparen) {
        if (depth === 0) { if (c === close) this.pos++; return; }
        depth--;
      }
      this.pos++;
    }
  }

  private parseObject(): Expr {
    const start = this.pos++;
    const items: ObjectItem[] = [];
    const forExpr = this.parseItems(start, C.rbrace, 'map', () => {
      const itemStart = this.pos;
      const key = this.parseExpr(false);
      this.skip(false);
      const sep = this.code();
      if ((sep === C.eq && this.code(this.pos + 1) !== C.eq) || sep === C.colon) {
        this.pos++;
        this.skip(false);
      } else {
        this.error('Expected "=" after the key in the map.', this.pos);
        if (this.pos === itemStart) this.pos++;
        this.skipToClose(C.rbrace);
        return false;
      }
      const value = this.parseExpr(false);
      items.push({ key, value, start: itemStart, end: value.end });
      this.skip(false);
      const d = this.code();
      if (d === C.comma) { this.pos++; return true; }
      if (d === C.lf || d === C.rbrace) return true;
      this.error(`Unexpected ${describeChar(d)}: separate map items with a newline or ",".`, this.pos);
      this.skipToClose(C.rbrace);
      return false;
    });
    return forExpr ?? { type: 'object', items, start, end: this.pos };
  }

  parseQuoted(): TemplateExpr {
    this.enter();
    const t = this.parseQuotedBody();
    this.depth--;
    return t;
  }

  private parseQuotedBody(): TemplateExpr {
    const start = this.pos++;
    const t = new TemplateParts();
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === C.quote) { this.pos++; break; }
      if (this.pos >= this.len || c === C.lf) {
        this.error('Unterminated string: add the closing quote.', start, this.pos);
        break;
      }
      if (c === C.backslash) {
        const n = s.charCodeAt(this.pos + 1);
        const m = simpleEscapes[n];
        if (m !== undefined) { t.text += m; this.pos += 2; continue; }
        if (n === 117 || n === 85) {
          const digits = n === 117 ? 4 : 8;
          const hex = s.slice(this.pos + 2, this.pos + 2 + digits);
          if (/^[0-9a-fA-F]+$/.test(hex) && hex.length === digits) {
            t.text += String.fromCodePoint(parseInt(hex, 16));
            this.pos += 2 + digits;
            continue;
          }
        }
        this.error('Invalid escape sequence in a string.', this.pos, this.pos + 2);
        this.pos += 2;
        continue;
      }
      if (this.readTemplateSequence(t)) continue;
      // plain text up to the next character that needs attention
      quotedSpecial.lastIndex = this.pos + 1;
      const m = quotedSpecial.exec(s);
      const stop = m ? m.index : this.len;
      t.text += s.slice(this.pos, stop);
      this.pos = stop;
    }
    return { type: 'template', ...t.done(), heredoc: false, start, end: this.pos };
  }

  /** At `$${` / `%%{` (literal text) or an interpolation / directive, reads it into `t`; false when neither is here. */
  private readTemplateSequence(t: TemplateParts): boolean {
    const s = this.src;
    const c = s.charCodeAt(this.pos);
    if (c !== C.dollar && c !== C.percent) return false;
    if (s.charCodeAt(this.pos + 1) === c && s.charCodeAt(this.pos + 2) === C.lbrace) {
      t.text += String.fromCharCode(c) + '{';
      this.pos += 3;
      return true;
    }
    if (s.charCodeAt(this.pos + 1) !== C.lbrace) return false;
    const directive = c === C.percent;
    t.endText();
    t.hasDirective ||= directive;
    const e = this.parseInterpolation(directive);
    if (e) t.parts.push(e);
    return true;
  }

  /** `${ expr }` (returns the expression) or `%{ directive }` (skipped). */
  private parseInterpolation(directive: boolean): Expr | undefined {
    const open = this.pos;
    this.pos += 2;
    if (this.code() === C.tilde) this.pos++;
    this.skip(true);
    if (directive) {
      this.skipToClose(C.rbrace);
      return undefined;
    }
    const e = this.parseExpr(true);
    this.skip(true);
    if (this.code() === C.tilde) this.pos++;
    if (this.code() === C.rbrace) this.pos++;
    else {
      this.error('Expected "}" to close the "${" interpolation.', open, open + 2);
      this.skipToClose(C.rbrace);
    }
    return e;
  }

  private parseHeredoc(): Expr {
    const start = this.pos;
    const s = this.src;
    this.pos += 2;
    const indent = s.charCodeAt(this.pos) === C.minus;
    if (indent) this.pos++;
    const marker = this.readIdent();
    if (!marker || (s.charCodeAt(this.pos) !== C.lf && !(s.charCodeAt(this.pos) === C.cr && s.charCodeAt(this.pos + 1) === C.lf))) {
      this.error('A heredoc starts with <<NAME (or <<-NAME) followed by a newline.', start, this.pos);
      this.recoverLine();
      return { type: 'invalid', start, end: this.pos };
    }
    const bodyStart = s.indexOf('\n', this.pos) + 1;
    let lineStart = bodyStart;
    let bodyEnd = -1;
    let after = -1;
    while (lineStart <= this.len) {
      const eol = s.indexOf('\n', lineStart);
      const lineEnd = eol < 0 ? this.len : eol;
      const line = s.slice(lineStart, lineEnd).trim();
      if (line === marker) {
        bodyEnd = lineStart;
        after = lineStart + s.slice(lineStart, lineEnd).indexOf(marker) + marker.length;
        break;
      }
      if (eol < 0) break;
      lineStart = eol + 1;
    }
    if (bodyEnd < 0) {
      this.error(`Unterminated heredoc: add a line with just ${marker}.`, start, start + 2 + marker.length);
      this.pos = this.len;
      return { type: 'invalid', start, end: this.pos };
    }
    // the body: literal text with ${} interpolations; escapes are not processed in heredocs
    const t = new TemplateParts();
    this.pos = bodyStart;
    while (this.pos < bodyEnd) {
      if (this.readTemplateSequence(t)) continue;
      heredocSpecial.lastIndex = this.pos + 1;
      const m = heredocSpecial.exec(s);
      const stop = m ? Math.min(m.index, bodyEnd) : bodyEnd;
      t.text += s.slice(this.pos, stop);
      this.pos = stop;
    }
    this.pos = after;
    return { type: 'template', ...t.done(), heredoc: true, start, end: after };
  }
}

/** Characters with no meaning to the bracket scanner, skipped in one regex step. */
const boringRun = /[^\n"#/<{}()[\]]+/y;
const blanks = /[ \t\r]+/y;
const blanksAndNewlines = /[ \t\r\n]+/y;
const asciiIdent = /[A-Za-z0-9_-]+/y;

function isBlank(c: number): boolean {
  return c === C.space || c === C.tab || c === C.cr;
}

const simpleEscapes: Record<number, string> = { 110: '\n', 114: '\r', 116: '\t', 34: '"', 92: '\\' };
const quotedSpecial = /["\\$%\n]/g;
const heredocSpecial = /[$%]/g;

function isHeredocStart(s: string, at: number): boolean {
  return /^<<-?[A-Za-z_]/.test(s.slice(at, at + 4));
}

function describeChar(c: number): string {
  if (c < 0) return 'end of file';
  if (c === C.lf) return 'newline';
  const ch = String.fromCharCode(c);
  return c < 32 || c === 0xfffd ? `character U+${c.toString(16).toUpperCase().padStart(4, '0')}` : `"${ch}"`;
}

/** The literal text of a template without interpolations, or undefined when it has any. */
export function templateText(t: TemplateExpr): string | undefined {
  let out = '';
  for (const p of t.parts) {
    if (typeof p !== 'string') return undefined;
    out += p;
  }
  return out;
}
