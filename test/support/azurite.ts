import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { freePort } from './moto';

/** Azurite's well-known development account (documented, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface Azurite {
  /** The Blob endpoint with the account in its path, as Azurite serves it: http://127.0.0.1:PORT/devstoreaccount1 */
  blobEndpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

/** Starts Azurite's Blob service (the pinned npm devDependency) in memory on 127.0.0.1 and waits until it answers. */
export async function startAzurite(): Promise<Azurite> {
  const port = await freePort();
  const main = path.resolve(__dirname, '../../node_modules/azurite/dist/src/blob/main.js');
  const child: ChildProcess = spawn(process.execPath, [main, '--blobHost', '127.0.0.1', '--blobPort', String(port),
    '--inMemoryPersistence', '--skipApiVersionCheck', '--loose', '--silent'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  let exited = false;
  child.on('exit', () => { exited = true; });
  const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`Azurite exited before answering: ${stderr}`);
    try {
      await fetch(`${blobEndpoint}?comp=list`);
      break; // any HTTP answer (403 without a signature) means it is listening
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) { child.kill(); throw new Error(`Azurite did not start within 60 s: ${stderr}`); }
    await new Promise((r) => setTimeout(r, 100)); // poll again
  }
  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`,
    stop: () => new Promise<void>((resolve) => {
      if (exited) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
