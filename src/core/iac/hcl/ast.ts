/**
 * Syntax tree of HCL native syntax (Terraform `.tf`, `.tfvars`). Every node carries the offsets of its
 * source text (UTF-16 code units, end exclusive), so findings and quick fixes point at exact ranges.
 */
export interface Span {
  start: number;
  end: number;
}

export interface Body extends Span {
  attributes: Attribute[];
  blocks: Block[];
}

export interface Attribute extends Span {
  kind: 'attribute';
  name: string;
  nameSpan: Span;
  expr: Expr;
}

export interface BlockLabel extends Span {
  value: string;
}

export interface Block extends Span {
  kind: 'block';
  type: string;
  typeSpan: Span;
  labels: BlockLabel[];
  /** Offset of `{` and of the matching `}` (end of file when the brace is missing). */
  open: number;
  close: number;
  body: Body;
  /** The body was only checked for balanced brackets (the analysis does not need it). */
  skipped?: boolean;
}

export type Expr =
  | LiteralExpr
  | TemplateExpr
  | TupleExpr
  | ObjectExpr
  | TraversalExpr
  | CallExpr
  | ForExpr
  | ConditionalExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr
  | RelativeTraversalExpr
  | InvalidExpr;

interface LiteralExpr extends Span {
  type: 'literal';
  value: string | number | boolean | null;
}

/** A quoted string or heredoc; parts are literal text or interpolated expressions. */
export interface TemplateExpr extends Span {
  type: 'template';
  parts: Array<string | Expr>;
  /** True when the template has a `%{ }` directive (if/for), which is not evaluated statically. */
  hasDirective: boolean;
  heredoc: boolean;
}

interface TupleExpr extends Span {
  type: 'tuple';
  items: Expr[];
}

export interface ObjectItem extends Span {
  key: Expr;
  value: Expr;
}

export interface ObjectExpr extends Span {
  type: 'object';
  items: ObjectItem[];
}

export type TraversalStep =
  | { kind: 'attr'; name: string; span: Span }
  | { kind: 'index'; key: Expr; span: Span }
  | { kind: 'splat'; span: Span };

interface TraversalExpr extends Span {
  type: 'traversal';
  root: string;
  steps: TraversalStep[];
}

/** An index, attribute or splat applied to an expression that is not a plain name. */
interface RelativeTraversalExpr extends Span {
  type: 'relative';
  source: Expr;
  steps: TraversalStep[];
}

interface CallExpr extends Span {
  type: 'call';
  name: string;
  args: Expr[];
  expandFinal: boolean;
}

interface ForExpr extends Span {
  type: 'for';
}

interface ConditionalExpr extends Span {
  type: 'conditional';
  condition: Expr;
  whenTrue: Expr;
  whenFalse: Expr;
}

interface BinaryExpr extends Span {
  type: 'binary';
  op: string;
  left: Expr;
  right: Expr;
}

interface UnaryExpr extends Span {
  type: 'unary';
  op: string;
  operand: Expr;
}

interface ParenExpr extends Span {
  type: 'paren';
  inner: Expr;
}

interface InvalidExpr extends Span {
  type: 'invalid';
}

export interface SyntaxError extends Span {
  message: string;
}

export interface HclFile {
  body: Body;
  errors: SyntaxError[];
  /** Nothing of the file could be read (nested too deeply, or JSON that does not parse): it is not checked. */
  unparseable?: boolean;
}
