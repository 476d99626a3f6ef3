import { CancelledError } from './errors';

/** Ports the core talks to; src/platform adapts them to VS Code, src/cli to the terminal. */
export interface Logger {
  trace(message: string, ...args: unknown[]): void;
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string | Error, ...args: unknown[]): void;
}

export interface ProgressReporter {
  report(update: { message?: string; increment?: number }): void;
}

export const silentLogger: Logger = {
  trace() {}, debug() {}, info() {}, warn() {}, error() {},
};


/** Throws a CancelledError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
