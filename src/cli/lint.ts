import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FinOpsError } from '../core/errors';
import { IacWorkspace } from '../core/iac/workspace';
import type { Finding } from '../core/iac/model';
import type { Severity } from '../core/policy/model';
import { collectIacFiles } from '../providers/iac/files';
import { version } from '../../package.json';
import { ExitCode, printable, usageError, type CliIO, type Subcommand } from './io';
import { readWorkspace } from './workspace';

const usage = `Usage: mlfinops lint [paths…] [options]

Checks the tags of Terraform (.tf, .tf.json) and CloudFormation resources against the team tag policy.
Paths are files or folders (default: the current folder); .terraform/ and node_modules/ are skipped.

Options:
  --policy FILE             the policy: a .finops.yaml or an AWS Organizations tag policy JSON
                            (default: the workspace's, as VS Code reads it: from the current folder up to
                            the repository root, the first .finops.yaml or mlFinops.tags.policyFile in
                            .vscode/settings.json; else the built-in policy)
  --format text|json|sarif  output format (default: text); sarif is SARIF 2.1.0 for code scanning
  --fail-on error|warning|never
                            exit 1 when a finding is at least this severe (default: warning)
  --show-unverified         also report resources whose tags cannot be verified statically
  -h, --help                show this help

Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage or policy error.`;

const rank: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

interface JsonFinding {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  severity: Severity;
  resource?: string;
  missing?: string[];
  message: string;
}

function toJsonFinding(f: Finding, cwd: string): JsonFinding {
  return {
    file: path.relative(cwd, f.file).split(path.sep).join('/') || path.basename(f.file),
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    code: f.code,
    severity: f.severity,
    ...(f.resource ? { resource: f.resource } : {}),
    ...(f.missing ? { missing: f.missing } : {}),
    message: f.message,
  };
}

const ruleHelp: Record<string, string> = {
  'missing-tag': 'A resource lacks a tag (or GCP label) that the team policy requires.',
  'invalid-tag-value': 'A tag value is not one of the allowed values or does not match the policy pattern.',
  'placeholder-tag-value': 'A tag value is a placeholder (TODO, TBD, CHANGEME, empty, or the policy\'s tags.placeholders) that still has to be filled in.',
  'invalid-label-key': 'A Google Cloud label key breaks GCP rules: lowercase letters, digits, "_" and "-", starting with a letter.',
  'invalid-label-value': 'A Google Cloud label value breaks GCP rules: lowercase letters, digits, "_" and "-", at most 63 characters.',
  'asg-tag-conflict': 'An aws_autoscaling_group uses both "tag" blocks and the "tags" attribute.',
  'cannot-verify': 'The tags come from values known only at plan time, so they cannot be checked statically.',
  'syntax-error': 'The file cannot be parsed; the rest of it is still checked.',
  'file-skipped': 'The file was not checked (too large or not text).',
  'invalid-policy': 'The tag policy file has an error.',
};

function toSarif(findings: JsonFinding[]): object {
  const codes = [...new Set(findings.map((f) => f.code))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'mlfinops',
          fullName: 'ML FinOps tag lint',
          version,
          semanticVersion: version,
          rules: codes.map((id) => ({ id, name: id, shortDescription: { text: ruleHelp[id] ?? id }, defaultConfiguration: { level: 'warning' } })),
        },
      },
      columnKind: 'utf16CodeUnits',
      originalUriBaseIds: { SRCROOT: { description: { text: 'The folder mlfinops lint ran in.' } } },
      results: findings.map((f) => ({
        ruleId: f.code,
        ruleIndex: codes.indexOf(f.code),
        level: f.severity === 'info' ? 'note' : f.severity,
        message: { text: f.message },
        locations: [{
          physicalLocation: {
            artifactLocation: { uri: encodeURI(f.file), uriBaseId: 'SRCROOT' },
            region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
          },
        }],
        ...(f.resource ? { properties: { resource: f.resource, ...(f.missing ? { missing: f.missing } : {}) } } : {}),
      })),
    }],
  };
}

function formatText(findings: JsonFinding[], resources: number, files: number): string {
  const lines = findings.map((f) => `${printable(f.file)}:${f.line}:${f.column}  ${f.severity.padEnd(7)}  ${printable(f.message)}  ${f.code}`);
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const summary = findings.length === 0
    ? `No problems: ${resources} resource${resources === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'} checked.`
    : `${findings.length} problem${findings.length === 1 ? '' : 's'} (${count('error')} error${count('error') === 1 ? '' : 's'}, ${count('warning')} warning${count('warning') === 1 ? '' : 's'}, ${count('info')} info) in ${new Set(findings.map((f) => f.file)).size} file(s); ${resources} resources in ${files} files checked.`;
  return [...lines, ...(lines.length ? [''] : []), summary, ''].join('\n');
}

const lint: Subcommand = {
  summary: 'check Terraform and CloudFormation tags against the team tag policy',
  usage,
  async run(args: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        policy: { type: 'string' },
        format: { type: 'string', default: 'text' },
        'fail-on': { type: 'string', default: 'warning' },
        'show-unverified': { type: 'boolean', default: false },
      },
    });
    const format = values.format;
    if (format !== 'text' && format !== 'json' && format !== 'sarif') throw usageError(`--format must be text, json or sarif (got "${format}")`);
    const failOn = values['fail-on'];
    if (failOn !== 'error' && failOn !== 'warning' && failOn !== 'never') throw usageError(`--fail-on must be error, warning or never (got "${failOn}")`);

    const workspace = await readWorkspace(io.cwd, values.policy);
    const loaded = workspace.loaded;
    const policyName = workspace.policyFile ? path.relative(io.cwd, workspace.policyFile) || workspace.policyFile : 'the default policy';
    const errors = loaded.problems.filter((p) => p.severity === 'error');
    for (const p of loaded.problems) {
      if (p.severity === 'info') continue;
      io.stderr(`${printable(policyName)}:${p.line}:${p.column}: ${p.severity}: ${printable(p.message)}\n`);
    }
    if (errors.length > 0) {
      throw new FinOpsError('input', `${policyName} has ${errors.length} error${errors.length === 1 ? '' : 's'};`, { fix: `fix ${errors.length === 1 ? 'it' : 'them'} and run again.` });
    }

    const roots = positionals.length > 0 ? positionals.map((p) => path.resolve(io.cwd, p)) : [io.cwd];
    const ws = new IacWorkspace({ policy: loaded.policy, reportUnknown: values['show-unverified'], root: workspace.root });
    const { files, skipped } = await collectIacFiles(roots, ws, { sync: true });
    // files that could not be read are findings ("file-skipped"); folders and YAML/JSON files that may not be
    // templates are said here, so nothing is left out silently
    for (const s of skipped) if (!files.includes(s.path)) io.stderr(`mlfinops lint: skipped ${printable(path.relative(io.cwd, s.path) || s.path)}: ${s.reason}\n`);
    const result = ws.analyze();
    const findings = [...result.findingsByFile.values()].flat().map((f) => toJsonFinding(f, io.cwd));
    findings.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
    if (format === 'json') io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
    else if (format === 'sarif') io.stdout(`${JSON.stringify(toSarif(findings), null, 2)}\n`);
    else io.stdout(formatText(findings, result.resources.length, files.length));
    if (failOn === 'never') return ExitCode.ok;
    return findings.some((f) => rank[f.severity] >= rank[failOn]) ? ExitCode.findings : ExitCode.ok;
  },
};

export default lint;
