import * as vscode from 'vscode';

/** A modal question before something that spends or deletes money: what it does, the estimate, one action button. */
export interface ConfirmRequest {
  /** The question, e.g. `Launch spot training "llm-finetune" for about $31.40?`. */
  message: string;
  /** The estimate and what will be created or deleted, shown under the question. */
  detail: string;
  /** The button that goes ahead ("Launch", "Stop Job"); Cancel is always there. */
  action: string;
}

/** How the extension-host tests answer a confirmation: they see exactly what the user would, and choose. */
export type ConfirmAnswer = (request: ConfirmRequest) => boolean | Promise<boolean>;

/**
 * Every modal confirmation of the product goes through here, so nothing that spends money can be reached without
 * one. In the extension's Test mode (the extension-host suite) the answer comes from the test, which sees the same
 * question and detail; in any other mode `answerWith` refuses and the user answers the modal.
 */
export class Confirmations {
  private answer: ConfirmAnswer | undefined;

  constructor(private readonly mode: vscode.ExtensionMode) {}

  async confirm(request: ConfirmRequest): Promise<boolean> {
    if (this.answer) return (await this.answer(request)) === true;
    const pick = await vscode.window.showWarningMessage(request.message, { modal: true, detail: request.detail }, request.action);
    return pick === request.action;
  }

  /** Extension-host tests only: who answers the next confirmations (undefined: the modal again). */
  answerWith(answer: ConfirmAnswer | undefined): void {
    if (this.mode !== vscode.ExtensionMode.Test) throw new Error('Confirmations are answered by the user, in a modal, outside the extension-host tests.');
    this.answer = answer;
  }
}
