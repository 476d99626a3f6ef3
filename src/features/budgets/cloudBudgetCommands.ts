import * as vscode from 'vscode';
import type { Budget } from '../../core/budgets/schema';
import { addBudgetsToPolicyText, budgetNamesInPolicyText } from '../../core/budgets/policyText';
import { budgetEntryFromCloud, cloudSpecFromBudget, describeBudgetAmount, type CloudBudget, type CloudBudgetProvider } from '../../core/cloudBudgets';
import { describeError, isCancelled } from '../../core/errors';
import { cloudBudgetServices, type CloudBudgetChoice } from '../../providers/cloudBudgets';
import type { Confirmations } from '../../platform/confirmations';
import type { Services } from '../../platform/services';
import type { CostView } from '../../platform/costView';
import { withCancellableProgress } from '../../platform/cancellation';

const CLOUD_NAMES: Record<CloudBudgetProvider, string> = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure' };

function choices(services: Services): CloudBudgetChoice[] {
  return cloudBudgetServices(services.settings.settings, { trusted: vscode.workspace.isTrusted, log: services.log });
}

async function showFailure(services: Services, what: string, e: unknown): Promise<void> {
  if (isCancelled(e)) return;
  services.log.error(`${what}: ${describeError(e)}`);
  const pick = await vscode.window.showErrorMessage(`${what}: ${describeError(e)}`, 'Show Logs');
  if (pick === 'Show Logs') services.output.show(true);
}

/**
 * What a keybinding, a link or a test may pass to "Create Cloud Budget" to skip its questions: the budget of
 * `.finops.yaml` by name, the cloud, and the e-mail address when the budget names no recipient. The modal
 * confirmation is never skipped.
 */
export interface CreateCloudBudgetArgs {
  budget?: string;
  cloud?: CloudBudgetProvider;
  email?: string;
}

/** What may be passed to "Import Cloud Budgets" to skip the pick: the names of the cloud budgets to import. */
export interface ImportCloudBudgetsArgs {
  names?: string[];
}

function argsOf<T extends object>(arg: unknown): Partial<T> {
  return arg !== null && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? (arg as Partial<T>) : {};
}

/**
 * "Create Cloud Budget": a budget of `.finops.yaml` pushed to a cloud's budget service, so the cloud e-mails its
 * recipients even when nobody has the editor open. The modal confirmation shows exactly what will be created: the
 * budget in words, what the cloud does differently, and the request itself.
 */
export async function createCloudBudget(services: Services, view: CostView, confirmations: Confirmations, arg?: unknown): Promise<CloudBudget | undefined> {
  const args = argsOf<CreateCloudBudgetArgs>(arg);
  await view.readPolicy();
  const budgets = view.budgets;
  if (!budgets.length) {
    const pick = await vscode.window.showInformationMessage('The team policy (.finops.yaml) has no budgets to create in a cloud. Add one under "budgets:", or import the clouds\' budgets.', 'Import Cloud Budgets');
    if (pick === 'Import Cloud Budgets') await vscode.commands.executeCommand('mlFinops.importCloudBudgets');
    return undefined;
  }
  let budget: Budget | undefined;
  if (typeof args.budget === 'string') {
    budget = budgets.find((b) => b.name === args.budget);
    if (!budget) {
      void vscode.window.showWarningMessage(`The team policy has no budget named "${args.budget}"; it has ${budgets.map((b) => `"${b.name}"`).join(', ')}.`);
      return undefined;
    }
  } else {
    const budgetPick = await vscode.window.showQuickPick(budgets.map((b) => ({ label: b.name, description: describeBudgetAmount(b), budget: b })), { title: 'Create which budget in a cloud?' });
    if (!budgetPick) return undefined;
    budget = budgetPick.budget;
  }
  const all = choices(services);
  const preferred = budget.scope?.provider ?? [];
  const ordered = [...all].sort((a, b) => Number(preferred.includes(b.provider)) - Number(preferred.includes(a.provider)));
  const named = all.find((c) => c.provider === args.cloud);
  const choice = named ?? (await vscode.window.showQuickPick(ordered.map((c) => ({
    label: CLOUD_NAMES[c.provider],
    description: 'service' in c ? c.label : 'not available',
    detail: 'missing' in c ? c.missing : preferred.includes(c.provider) ? 'The budget\'s scope names this cloud.' : undefined,
    choice: c,
  })), { title: `Create "${budget.name}" in which cloud?` }))?.choice;
  if (!choice) return undefined;
  if ('missing' in choice) {
    void vscode.window.showWarningMessage(`${CLOUD_NAMES[choice.provider]} budgets are not available: ${choice.missing}`);
    return undefined;
  }
  const service = choice.service;
  const spec = cloudSpecFromBudget(budget);
  if (!spec.notify.emails.length && !spec.notify.topic) {
    const email = typeof args.email === 'string' ? args.email : await vscode.window.showInputBox({
      title: `Who does "${budget.name}" e-mail?`,
      prompt: 'An e-mail address for the budget\'s alerts (add `notify: { emails: [...] }` to the budget to skip this question).',
      validateInput: (v) => (/^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/.test(v.trim()) ? undefined : 'An e-mail address such as ml-leads@example.com'),
    });
    if (!email) return undefined;
    spec.notify.emails = [email.trim()];
  }
  try {
    const plan = await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `Preparing the ${service.label} budget…` },
      (_p, signal) => service.plan(spec, signal));
    const detail = [
      ...plan.summary,
      '',
      ...plan.notes.map((n) => `• ${n}`),
      '',
      `${plan.api} on ${plan.where}:`,
      JSON.stringify(plan.request, null, 2),
    ].join('\n');
    const ok = await confirmations.confirm({ message: `Create budget "${spec.name}" in ${plan.where}?`, detail, action: 'Create Budget' });
    if (!ok) return undefined;
    const created = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Creating "${spec.name}" in ${plan.where}…` },
      () => service.create(plan));
    services.log.info(`Created cloud budget "${created.name}" in ${created.where} (${describeBudgetAmount(created)}).`);
    void vscode.window.showInformationMessage(`Created budget "${created.name}" in ${created.where}: ${describeBudgetAmount(created)}.`);
    return created;
  } catch (e) {
    await showFailure(services, `Could not create budget "${spec.name}"`, e);
    return undefined;
  }
}

/**
 * "Import Cloud Budgets": the budgets that already exist in the configured clouds, read and offered for
 * `.finops.yaml`, so the dashboard, the status bar and CI track them. The file is edited (comments kept) and shown;
 * nothing is saved for the user.
 */
export async function importCloudBudgets(services: Services, view: CostView, arg?: unknown): Promise<number> {
  const args = argsOf<ImportCloudBudgetsArgs>(arg);
  const available = choices(services).filter((c): c is Extract<CloudBudgetChoice, { service: unknown }> => 'service' in c);
  if (!available.length) {
    const pick = await vscode.window.showWarningMessage('No cloud account is configured to read budgets from.', 'Configure Cloud Accounts');
    if (pick === 'Configure Cloud Accounts') await vscode.commands.executeCommand('mlFinops.configureAccounts');
    return 0;
  }
  let found: CloudBudget[] = [];
  const failures: string[] = [];
  try {
    await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: 'Reading cloud budgets…' }, async (_p, signal) => {
      const lists = await Promise.all(available.map(async (c) => {
        try {
          return await c.service.list(signal);
        } catch (e) {
          if (isCancelled(e)) throw e;
          failures.push(`${c.label}: ${describeError(e)}`);
          return [];
        }
      }));
      found = lists.flat();
    });
  } catch (e) {
    await showFailure(services, 'Could not read the cloud budgets', e);
    return 0;
  }
  for (const f of failures) services.log.warn(`Import Cloud Budgets: ${f}`);
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showWarningMessage('Open a folder first: the budgets are written to its .finops.yaml.');
    return 0;
  }
  const uri = vscode.Uri.joinPath(folder.uri, services.settings.get('tags.policyFile'));
  const file = vscode.workspace.asRelativePath(uri);
  // the text the user sees: the open editor's (with its unsaved changes), else the file's, else none yet
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  let text = open?.getText();
  if (text === undefined) {
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    } catch {
      // no policy file yet: it is created
    }
  }
  await view.readPolicy();
  // the budgets already there: those the policy read, and any entry of the text (an unsaved or invalid one too)
  const existing = new Set([...view.budgets.map((b) => b.name), ...budgetNamesInPolicyText(text ?? '')]);
  const seen = new Set<string>();
  const fresh = found.filter((b) => !existing.has(b.name) && !seen.has(b.name) && seen.add(b.name));
  if (!fresh.length) {
    void vscode.window.showInformationMessage(found.length
      ? `Every cloud budget found (${found.length}) is already in the team policy.`
      : `No cost budget was found${failures.length ? ` (${failures.join('; ')})` : ''}.`);
    return 0;
  }
  const chosen = Array.isArray(args.names)
    ? fresh.filter((b) => args.names!.includes(b.name))
    : (await vscode.window.showQuickPick(fresh.map((b) => ({
      label: b.name, description: `${CLOUD_NAMES[b.provider]} · ${describeBudgetAmount(b)}`, detail: b.where, picked: true, budget: b,
    })), { title: 'Import which budgets into .finops.yaml?', canPickMany: true }))?.map((p) => p.budget);
  if (!chosen?.length) return 0;
  const entries = chosen.map((b) => budgetEntryFromCloud(b));
  let newText: string;
  try {
    newText = addBudgetsToPolicyText(text ?? '', entries, file);
  } catch (e) {
    await showFailure(services, 'Could not import the cloud budgets', e);
    return 0;
  }
  const edit = new vscode.WorkspaceEdit();
  if (text === undefined) edit.createFile(uri, { ignoreIfExists: true, contents: Buffer.from(newText, 'utf8') });
  else {
    const document = open ?? await vscode.workspace.openTextDocument(uri);
    edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), newText);
  }
  if (!await vscode.workspace.applyEdit(edit)) {
    void vscode.window.showErrorMessage(`${file} could not be edited; the budgets were not written.`);
    return 0;
  }
  await vscode.window.showTextDocument(uri);
  void vscode.window.showInformationMessage(`Added ${entries.length} budget${entries.length === 1 ? '' : 's'} to ${file}. Save the file to track ${entries.length === 1 ? 'it' : 'them'}.`);
  return entries.length;
}
