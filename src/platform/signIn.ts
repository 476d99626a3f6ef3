import * as vscode from 'vscode';
import type { SourceState } from '../core/sources';

/** Sign-in commands the product may run in a terminal for the user, and nothing else. */
const SIGN_IN = /^(aws sso login( --profile [\w.+-]+)?|gcloud auth application-default login|az login( --tenant [\w.-]+)?)$/;

/** The sign-in command a source's state offers, when it is one the product may run. */
export function signInOf(state: SourceState | undefined, command = state && 'signIn' in state ? state.signIn : undefined): string | undefined {
  return command && SIGN_IN.test(command) ? command : undefined;
}

/** Runs a sign-in command in a new terminal, where the user sees it and can finish a browser sign-in. */
export function runSignIn(command: string, name = 'ML FinOps sign-in'): void {
  if (!SIGN_IN.test(command)) return;
  const terminal = vscode.window.createTerminal({ name });
  terminal.show();
  terminal.sendText(command, true);
}
