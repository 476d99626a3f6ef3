import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import type { SettingKey } from '../../core/settings';
import { gcpSetup } from '../../providers/cloudSources';
import type { SourceStatus } from '../../providers/registry';
import type { SourceState } from '../../core/sources';
import { Commands } from '../../shared/commands';
import { runSignIn, signInOf } from '../../platform/signIn';
import { withCancellableProgress } from '../../platform/cancellation';
import type { Services } from '../../platform/services';

/**
 * "ML FinOps: Configure Cloud Accounts": a quick pick of AWS, Azure, Google Cloud and FOCUS files, each with its
 * state. Picking one turns it on if needed, tests the connection (sign-in, then the cheapest call that proves
 * each permission) and says exactly what is missing, with "Open Settings" and, for an expired sign-in, the
 * sign-in command. Works with nothing configured. Called with `{ source }` it tests that source without
 * prompts and returns its state (for tests and other commands).
 */
interface Kind {
  id: 'aws' | 'azure' | 'gcp' | 'focus';
  label: string;
  icon: string;
  section: string;
  enabledKey?: SettingKey;
}

const KINDS: readonly Kind[] = [
  { id: 'aws', label: 'AWS', icon: '$(cloud)', section: 'mlFinops.aws', enabledKey: 'aws.enabled' },
  { id: 'azure', label: 'Azure', icon: '$(azure)', section: 'mlFinops.azure', enabledKey: 'azure.enabled' },
  { id: 'gcp', label: 'Google Cloud', icon: '$(cloud)', section: 'mlFinops.gcp', enabledKey: 'gcp.enabled' },
  { id: 'focus', label: 'FOCUS file', icon: '$(file)', section: 'mlFinops.focus' },
];


interface ConfigureArgs {
  source?: Kind['id'];
}

function summary(status: SourceStatus | undefined, kind: Kind, focusFiles: number): { description: string; detail: string } {
  if (kind.id === 'focus' && !status) {
    return focusFiles ? { description: `${focusFiles} path${focusFiles === 1 ? '' : 's'} set`, detail: 'Pick to add another FOCUS CSV / Parquet file.' } : { description: 'None', detail: 'Pick a FOCUS CSV / CSV.gz / Parquet file (or a native AWS / Azure / GCP export).' };
  }
  if (!status) return { description: 'Unavailable', detail: '' };
  const s = status.state;
  switch (s.kind) {
    case 'ok': return { description: status.note ? 'Ready (partly)' : 'Ready', detail: s.detail ?? status.note ?? status.label };
    case 'loading': return { description: 'Checking…', detail: status.label };
    case 'notConfigured': return { description: status.enabled ? 'Needs setup' : 'Off', detail: s.fix };
    case 'authExpired': return { description: 'Sign-in expired', detail: `${s.message} ${s.fix}` };
    case 'throttled': return { description: 'Throttled', detail: s.message };
    case 'error': return { description: 'Error', detail: s.fix ? `${s.message} ${s.fix}` : s.message };
  }
}

export function register(services: Services): vscode.Disposable[] {
  const { log, sources } = services;

  const statusOf = (id: string) => sources.all().find((s) => s.id === id);

  const openSettings = (kind: Kind) => vscode.commands.executeCommand('workbench.action.openSettings', kind.section);

  /** Waits (polling, bounded) until the registry has rebuilt from a settings change. */
  const settled = async (probe: () => boolean): Promise<void> => {
    const deadline = Date.now() + 5000;
    while (!probe() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  };

  async function report(kind: Kind, state: SourceState): Promise<void> {
    const buttons: string[] = [];
    if (state.kind === 'ok') {
      void vscode.window.showInformationMessage(`${kind.label}: ${state.detail ?? 'ready'}`);
      return;
    }
    const text = state.kind === 'notConfigured' ? state.fix : state.kind === 'loading' ? 'still checking' : 'fix' in state && state.fix ? `${state.message} ${state.fix}` : state.message;
    const signIn = signInOf(state);
    if (signIn) buttons.push('Sign In');
    buttons.push('Open Settings', 'Show Logs');
    const show = state.kind === 'throttled' || state.kind === 'notConfigured' ? vscode.window.showWarningMessage : vscode.window.showErrorMessage;
    const choice = await show(`${kind.label}: ${text}`, ...buttons);
    if (choice === 'Open Settings') await openSettings(kind);
    if (choice === 'Show Logs') await vscode.commands.executeCommand(Commands.showLogs);
    if (choice === 'Sign In' && signIn) runSignIn(signIn, `ML FinOps: ${kind.label} sign-in`);
  }

  async function test(kind: Kind, interactive: boolean): Promise<SourceState> {
    const state = interactive
      ? await withCancellableProgress({ location: vscode.ProgressLocation.Notification, title: `ML FinOps: testing the ${kind.label} connection…` }, (_p, signal) => sources.check(kind.id, signal))
      : await sources.check(kind.id);
    log.info(`${kind.label} connection test: ${state.kind}${'detail' in state && state.detail ? ` — ${state.detail}` : ''}`);
    return state;
  }

  async function chooseGcpProject(kind: Kind): Promise<boolean> {
    const gcp = gcpSetup(services.settings.settings);
    try {
      const accounts = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'ML FinOps: listing your billing accounts…' }, () => gcp.billingAccounts());
      const account = await vscode.window.showQuickPick(accounts.map((a) => ({ label: a.displayName, description: a.id, detail: a.open ? 'open' : 'closed', id: a.id })), { title: 'Google Cloud: billing account', placeHolder: 'The billing account whose projects you want to see' });
      if (!account) return false;
      const projects = await gcp.projects(account.id);
      const project = await vscode.window.showQuickPick(projects.map((p) => ({ label: p.projectId, description: p.billingEnabled ? 'billing enabled' : 'billing disabled' })), { title: 'Google Cloud: project that runs BigQuery queries', placeHolder: 'Usually the project that holds the billing export dataset' });
      if (!project) return false;
      const config = vscode.workspace.getConfiguration('mlFinops');
      await config.update('gcp.projectId', project.label, vscode.ConfigurationTarget.Global);
      const tables = await gcp.exportTables(project.label);
      const table = await vscode.window.showQuickPick(
        [...tables.map((t) => ({ label: t.table, description: t.kind })), { label: 'Enter a table…', description: 'project.dataset.table' }],
        { title: 'Google Cloud: billing export table', placeHolder: tables.length ? 'The Cloud Billing export (or FOCUS view) to read costs from' : 'No export table found in this project' },
      );
      const chosen = table?.label === 'Enter a table…'
        ? await vscode.window.showInputBox({ title: 'Billing export table', prompt: 'project.dataset.table', validateInput: (v) => (/^[\w-]+\.[\w-]+\.[\w$-]+$/.test(v) ? undefined : 'project.dataset.table') })
        : table?.label;
      if (chosen) await config.update('gcp.billingTable', chosen, vscode.ConfigurationTarget.Global);
      return true;
    } catch (e) {
      await vscode.window.showErrorMessage(`${kind.label}: ${describeError(e)}`, 'Open Settings').then((c) => (c ? openSettings(kind) : undefined));
      return false;
    }
  }

  async function configureFocus(kind: Kind, interactive: boolean): Promise<SourceState> {
    if (interactive) {
      const folder = vscode.workspace.workspaceFolders?.[0];
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: true, openLabel: 'Use as cost data', title: 'FOCUS or native billing export files',
        filters: { 'Bills (CSV, CSV.gz, Parquet)': ['csv', 'gz', 'parquet'] },
        ...(folder ? { defaultUri: folder.uri } : {}),
      });
      if (picked?.length) {
        const files = picked.map((u) => {
          const rel = folder ? path.relative(folder.uri.fsPath, u.fsPath) : u.fsPath;
          return folder && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : u.fsPath;
        });
        const current = services.settings.get('focus.files');
        await vscode.workspace.getConfiguration('mlFinops', folder?.uri).update('focus.files', [...new Set([...current, ...files])], folder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
        await settled(() => statusOf('focus') !== undefined);
      }
    }
    if (!statusOf('focus')) {
      const state: SourceState = { kind: 'notConfigured', fix: 'Add a FOCUS file to "mlFinops.focus.files" (pick one here, or run "ML FinOps: Open the Demo Workspace" to try the bundled bill).' };
      if (interactive && !services.settings.get('focus.files').length) await report(kind, state);
      return state;
    }
    const state = await test(kind, interactive);
    if (interactive) await report(kind, state);
    return state;
  }

  async function configure(kind: Kind, interactive: boolean): Promise<SourceState> {
    if (kind.id === 'focus') return configureFocus(kind, interactive);
    let status = statusOf(kind.id);
    if (!status) return { kind: 'notConfigured', fix: `${kind.label} is not available.` };
    if (status.state.kind === 'notConfigured' && !status.enabled) {
      if (!interactive) return status.state;
      const choice = await vscode.window.showInformationMessage(`${kind.label} is off. ${status.state.fix}`, 'Turn On', 'Open Settings');
      if (choice === 'Open Settings') await openSettings(kind);
      if (choice !== 'Turn On' || !kind.enabledKey) return status.state;
      await vscode.workspace.getConfiguration('mlFinops').update(kind.enabledKey, true, vscode.ConfigurationTarget.Global);
      await settled(() => statusOf(kind.id)?.enabled === true);
      status = statusOf(kind.id);
      if (!status) return { kind: 'notConfigured', fix: `${kind.label} is not available.` };
    }
    if (status.state.kind === 'notConfigured') {
      if (interactive && kind.id === 'gcp' && !services.settings.get('gcp.projectId')) {
        const choice = await vscode.window.showWarningMessage(`${kind.label}: ${status.state.fix}`, 'Choose Project…', 'Open Settings');
        if (choice === 'Open Settings') await openSettings(kind);
        if (choice === 'Choose Project…' && (await chooseGcpProject(kind))) {
          await settled(() => statusOf(kind.id)?.state.kind !== 'notConfigured');
          return configure(kind, interactive);
        }
        return status.state;
      }
      if (interactive) await report(kind, status.state);
      return status.state;
    }
    const state = await test(kind, interactive);
    if (interactive) await report(kind, state);
    return state;
  }

  async function pick(): Promise<SourceState | undefined> {
    const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem & { source: Kind }>();
    quickPick.title = 'ML FinOps: Configure Cloud Accounts';
    quickPick.placeholder = 'Pick a source to set up and test. Credentials come from your own CLI sign-in; nothing secret is stored.';
    quickPick.matchOnDetail = true;
    const render = () => {
      quickPick.items = KINDS.map((kind) => {
        const { description, detail } = summary(statusOf(kind.id), kind, services.settings.get('focus.files').length);
        return { label: `${kind.icon} ${kind.label}`, description, detail, source: kind };
      });
    };
    render();
    const subscription = sources.onDidChange(render);
    try {
      const chosen = await new Promise<Kind | undefined>((resolve) => {
        quickPick.onDidAccept(() => { resolve(quickPick.selectedItems[0]?.source); quickPick.hide(); });
        quickPick.onDidHide(() => resolve(undefined));
        quickPick.show();
      });
      return chosen ? await configure(chosen, true) : undefined;
    } finally {
      subscription.dispose();
      quickPick.dispose();
    }
  }

  return [
    vscode.commands.registerCommand(Commands.configureAccounts, async (args?: ConfigureArgs) => {
      try {
        if (args?.source) {
          const kind = KINDS.find((k) => k.id === args.source);
          return kind ? await configure(kind, false) : undefined;
        }
        return await pick();
      } catch (e) {
        log.error(`Configure Cloud Accounts failed: ${describeError(e)}`);
        void vscode.window.showErrorMessage(`ML FinOps: ${describeError(e)}`, 'Show Logs').then((c) => (c ? vscode.commands.executeCommand(Commands.showLogs) : undefined));
        return undefined;
      }
    }),
  ];
}
