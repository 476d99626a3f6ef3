import type * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import { redact } from '../core/redact';

function format(message: string | Error, args: unknown[]): string {
  const head = message instanceof Error ? message.stack ?? message.message : message;
  const tail = args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return redact(tail ? `${head} ${tail}` : head);
}

/** The one "ML FinOps" log output channel, as the core's Logger port. Every line is redacted. */
export function createLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    trace: (m, ...a) => channel.trace(format(m, a)),
    debug: (m, ...a) => channel.debug(format(m, a)),
    info: (m, ...a) => channel.info(format(m, a)),
    warn: (m, ...a) => channel.warn(format(m, a)),
    error: (m, ...a) => channel.error(format(m, a)),
  };
}
