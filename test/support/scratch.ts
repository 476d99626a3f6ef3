import { after, before } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDbEngine } from '../../src/providers/focus/duckdb';

/**
 * A scratch folder for one test file (and, for bill tests, one DuckDB engine), made before its tests and removed
 * after them. Call it at the top level of the test file.
 */
export interface Scratch {
  /** The folder. */
  readonly dir: string;
  /** Writes a file under the folder (lines are joined with "\n") and returns its path. */
  write(name: string, text: string | readonly string[]): string;
}

export function scratch(prefix: string): Scratch {
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), `mlfinops-${prefix}-`)); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return {
    get dir() { return dir; },
    write(name, text) {
      const file = path.join(dir, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, typeof text === 'string' ? text : text.join('\n'));
      return file;
    },
  };
}

/** A scratch folder and the in-process DuckDB engine that bill tests query with, closed after the file's tests. */
export function billScratch(prefix: string): Scratch & { readonly engine: DuckDbEngine } {
  const files = scratch(prefix);
  let engine: DuckDbEngine | undefined;
  before(() => { engine = new DuckDbEngine(); });
  after(() => engine?.close());
  return {
    get dir() { return files.dir; },
    write: (name, text) => files.write(name, text),
    get engine() { return engine!; },
  };
}
