import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Commands } from '../../../src/shared/commands';
import { settingSchemas, parseSettings, settingDefault, type SettingKey } from '../../../src/core/settings';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));

test('every command in package.json is in the command map, and every command in the map is in package.json', () => {
  const contributed = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
  const mapped = new Set<string>(Object.values(Commands));
  assert.deepEqual([...contributed].filter((c) => !mapped.has(c)), [], 'contributed but not in src/shared/commands.ts');
  assert.deepEqual([...mapped].filter((c) => !contributed.has(c)), [], 'in src/shared/commands.ts but not contributed');
});

test('every command is in the ML FinOps category and every menu entry names a known command', () => {
  for (const c of pkg.contributes.commands) assert.equal(c.category, 'ML FinOps', c.command);
  const known = new Set<string>(Object.values(Commands));
  for (const [menu, entries] of Object.entries(pkg.contributes.menus as Record<string, { command?: string }[]>)) {
    for (const e of entries) if (e.command) assert.ok(known.has(e.command), `${menu}: ${e.command}`);
  }
});

test('settings in package.json and the zod schema have the same keys and defaults', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; scope?: string; markdownDescription?: string; enum?: unknown[] }>;
  const contributed = Object.keys(props).map((k) => k.replace(/^mlFinops\./, '')).sort();
  assert.deepEqual(contributed, Object.keys(settingSchemas).sort());
  for (const key of Object.keys(settingSchemas) as SettingKey[]) {
    const p = props[`mlFinops.${key}`]!;
    assert.deepEqual(p.default, settingDefault(key), `default of ${key}`);
    assert.ok(p.markdownDescription && p.scope, `${key} needs a description and a scope`);
    if (p.enum) for (const v of p.enum) assert.ok(settingSchemas[key].safeParse(v).success, `${key} enum value ${String(v)}`);
  }
});

test('settings that name an endpoint, profile or binary are machine-scoped', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
  for (const [key, p] of Object.entries(props)) {
    if (/endpoint|profile|binary|path$/i.test(key)) assert.match(p.scope ?? '', /^machine/, key);
  }
});

test('invalid settings fall back to defaults and are reported with the key', () => {
  const { settings, problems } = parseSettings({ 'cost.period': 'fortnight', 'aws.region': 'Mars', 'resources.hierarchy': ['Team'] });
  assert.equal(settings['cost.period'], 'last30Days');
  assert.equal(settings['aws.region'], 'us-east-1');
  assert.deepEqual(settings['resources.hierarchy'], ['Team']);
  assert.deepEqual(problems.map((p) => p.key).sort(), ['aws.region', 'cost.period']);
});

test('every command: link in welcome views and walkthroughs names a contributed command', () => {
  const known = new Set<string>(Object.values(Commands));
  const texts: string[] = [
    ...pkg.contributes.viewsWelcome.map((w: { contents: string }) => w.contents),
    ...(pkg.contributes.walkthroughs ?? []).flatMap((w: { steps: { description: string }[] }) => w.steps.map((s) => s.description)),
  ];
  const links = texts.flatMap((t) => [...t.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]!));
  assert.ok(links.length >= 3);
  for (const id of links) assert.ok(known.has(id), `${id} is linked but not contributed`);
});

test('walkthrough media files exist and ship in the .vsix', () => {
  const ignore = readFileSync(join(__dirname, '../../../.vscodeignore'), 'utf8');
  for (const w of pkg.contributes.walkthroughs ?? []) {
    for (const s of w.steps as { media: { markdown?: string } }[]) {
      if (!s.media.markdown) continue;
      assert.ok(readFileSync(join(__dirname, '../../..', s.media.markdown), 'utf8').length > 0, s.media.markdown);
    }
  }
  assert.match(ignore, /!media\/walkthrough\/\*\.md/);
});

test('activation: never at startup; on IaC files, the team policy, the view, the dashboard (commands are implicit)', () => {
  const events: string[] = pkg.activationEvents;
  assert.ok(!events.some((e) => e === '*' || e === 'onStartupFinished'), events.join(', '));
  for (const e of ['workspaceContains:**/*.tf', 'workspaceContains:.finops.yaml', 'onView:mlFinops.resources', 'onWebviewPanel:mlFinops.costDashboard']) {
    assert.ok(events.includes(e), e);
  }
  assert.ok(events.every((e) => /^(workspaceContains|onView|onWebviewPanel|onLanguage):/.test(e)), events.join(', '));
});

test('packaging: vscode:prepublish type-checks, lints and builds; the package ships the license files the bundles link to', () => {
  const prepublish: string = pkg.scripts['vscode:prepublish'];
  for (const step of ['npm run typecheck', 'npm run lint', 'esbuild.mjs --production']) assert.ok(prepublish.includes(step), step);
  const ignore = readFileSync(join(__dirname, '../../../.vscodeignore'), 'utf8');
  assert.match(ignore, /^!dist\/\*\.LEGAL\.txt$/m);
  assert.match(ignore, /^!dist\/webview\/\*\.LEGAL\.txt$/m);
});
