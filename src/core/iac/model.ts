import type { Cloud, FindingCode, Severity } from '../policy/model';

/** A 0-based position (line, UTF-16 character), as editors count. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** One text replacement in a file, by offsets into the text the analysis saw. */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  newText: string;
  /** The same edit as a snippet (`${1|dev,staging|}`), for editors that support snippets. */
  snippet?: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix an editor offers first (and applies for "fix all"). */
  preferred: boolean;
  kind: 'addTags' | 'addDefaultTags' | 'renameLabel' | 'fixLabelValue';
}

export interface Finding {
  file: string;
  range: Range;
  code: FindingCode;
  severity: Severity;
  message: string;
  /** `aws_instance.web`, `module.vpc`, or a CloudFormation logical id. */
  resource?: string;
  missing?: string[];
  /** Quick fixes; computed on first read (most findings are never fixed in a CLI run). */
  fixes?: Fix[];
}

/** Attaches fixes that are built only when first read, then kept. */
export function withLazyFixes<T extends Finding>(finding: T, make: () => Fix[]): T {
  let fixes: Fix[] | undefined;
  Object.defineProperty(finding, 'fixes', {
    enumerable: false,
    configurable: true,
    get: () => (fixes ??= make()),
  });
  return finding;
}

/** A resource declared in IaC, with the tags it will carry when they can be known statically. */
export interface DeclaredResource {
  cloud: Cloud;
  /** `aws_instance.web`, `module.vpc.aws_s3_bucket.this`, or the CloudFormation logical id. */
  address: string;
  type: string;
  name: string;
  file: string;
  range: Range;
  /** Known tags (keys with unknown values are left out). */
  tags: Record<string, string>;
  /** False when some keys cannot be known statically. */
  tagsComplete: boolean;
  region?: string;
  /** Instance type, machine type or VM size, when written literally (`p4d.24xlarge`, `a2-highgpu-1g`). */
  size?: string;
  /**
   * How many instances the block declares: `count = 6`, `count = var.n` with a default, `for_each` over a literal
   * map or set; 'unknown' when `count` / `for_each` cannot be known statically; absent for a single instance.
   */
  instances?: number | 'unknown';
}

/** Converts offsets to line/character positions for one text, in O(log n) per lookup. */
export class LineIndex {
  private readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    let i = text.indexOf('\n');
    while (i >= 0) {
      starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
    this.starts = starts;
  }
  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo]! };
  }
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(end) };
  }
  offset(pos: Position): number {
    const base = this.starts[Math.min(pos.line, this.starts.length - 1)] ?? 0;
    return Math.min(base + pos.character, this.text.length);
  }
  /** The indentation of the line holding `offset`. */
  indentAt(offset: number): string {
    const line = this.position(offset).line;
    const start = this.starts[line]!;
    const m = /^[ \t]*/.exec(this.text.slice(start, start + 200));
    return m ? m[0] : '';
  }
  get lineCount(): number {
    return this.starts.length;
  }
}

