import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * A private temporary folder for the UTF-8 copies of bills DuckDB cannot read as they are, made on first use
 * and removed with everything in it by dispose().
 */
export class ScratchDir {
  private dir?: Promise<string>;

  constructor(private readonly base: string = os.tmpdir()) {}

  /** A path inside the folder (the folder is created first, and again if something removed it). */
  async file(name: string): Promise<string> {
    this.dir ??= fs.promises.mkdtemp(path.join(this.base, 'mlfinops-bills-'));
    const dir = await this.dir;
    await fs.promises.mkdir(dir, { recursive: true });
    return path.join(dir, name);
  }

  dispose(): void {
    const pending = this.dir;
    this.dir = undefined;
    void pending?.then((d) => fs.promises.rm(d, { recursive: true, force: true })).catch(() => undefined);
  }
}
