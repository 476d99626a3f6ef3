import * as vscode from 'vscode';
import type { Logger } from '../core/ports';
import { parseSettings, settingSchemas, type SettingKey, type SettingProblem, type Settings } from '../core/settings';

const SECTION = 'mlFinops';

/**
 * One typed, validated view of the `mlFinops.*` settings. Invalid values fall back to their defaults and
 * are reported once each (same key and value) with an "Open Settings" action; the extension keeps working.
 */
export class SettingsService implements vscode.Disposable {
  private current: Settings;
  private problems: SettingProblem[] = [];
  private readonly reported = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<{ affects(key: SettingKey): boolean }>();
  private readonly subscription: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor(private readonly log: Logger) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      this.current = this.read();
      this.emitter.fire({ affects: (key) => e.affectsConfiguration(`${SECTION}.${key}`) });
    });
  }

  get settings(): Settings {
    return this.current;
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    return this.current[key];
  }

  /** Problems with the current values (each already reported to the user once). */
  get currentProblems(): readonly SettingProblem[] {
    return this.problems;
  }

  private read(): Settings {
    const config = vscode.workspace.getConfiguration(SECTION);
    const raw: Partial<Record<SettingKey, unknown>> = {};
    for (const key of Object.keys(settingSchemas) as SettingKey[]) raw[key] = config.get(key);
    const { settings, problems } = parseSettings(raw);
    this.problems = problems;
    for (const p of problems) this.report(p);
    return settings;
  }

  private report(problem: SettingProblem): void {
    const id = `${problem.key}=${JSON.stringify(problem.value)}`;
    if (this.reported.has(id)) return;
    this.reported.add(id);
    const text = `ML FinOps: the setting "${SECTION}.${problem.key}" has an invalid value (${JSON.stringify(problem.value)}): expected ${problem.message}. Using the default until it is fixed.`;
    this.log.warn(text);
    void vscode.window.showWarningMessage(text, 'Open Settings').then((choice) => {
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.${problem.key}`);
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
