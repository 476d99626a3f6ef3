import * as vscode from 'vscode';

/**
 * The bridge from VS Code's cancellation to the AbortSignal the core and the providers take: `withProgress` with
 * a Cancel button whose click aborts the signal the task runs with.
 */
export function withCancellableProgress<T>(
  options: Omit<vscode.ProgressOptions, 'cancellable'>,
  task: (progress: vscode.Progress<{ message?: string; increment?: number }>, signal: AbortSignal) => Promise<T>,
): Thenable<T> {
  return vscode.window.withProgress({ ...options, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      return await task(progress, controller.signal);
    } finally {
      subscription.dispose();
    }
  });
}
