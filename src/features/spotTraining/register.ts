import * as vscode from 'vscode';
import type { Confirmations } from '../../platform/confirmations';
import type { Services } from '../../platform/services';
import { Commands } from '../../shared/commands';
import { launchSpotTraining, PLAN_SCHEME, PlanDocuments } from './launch';

/** Spot training in the editor: the launch command (plan, checks, modal confirmation). */
export function register(services: Services, confirmations: Confirmations): vscode.Disposable[] {
  const plans = new PlanDocuments();
  return [
    plans,
    vscode.workspace.registerTextDocumentContentProvider(PLAN_SCHEME, plans),
    vscode.commands.registerCommand(Commands.launchSpotTraining, (arg: unknown) => launchSpotTraining(services, confirmations, plans, arg, () => undefined)),
  ];
}
