import * as fs from 'node:fs';
import * as path from 'node:path';
import { isFinOpsError } from '../../src/core/errors';
import { evaluateTags, matchesAllowed } from '../../src/core/policy/evaluate';
import { loadPolicy } from '../../src/core/policy/load';
import type { Cloud } from '../../src/core/policy/model';
import { hostileString, mutateText, pick, seeded } from './mutate';
import type { FuzzTarget } from './target';

/**
 * Fuzz target "policy load + evaluation": the shipped and test policies (YAML, and an AWS Organizations tag policy
 * in JSON) mutated with YAML tokens, anchors and aliases, prototype-named keys and backtracking patterns; each is
 * loaded and then evaluated against random tag sets on the three clouds. A run is right when nothing throws and
 * every problem is placed on a line of the file.
 */
const root = path.resolve(__dirname, '../..');

const ORG_POLICY = JSON.stringify({
  tags: {
    costcenter: { tag_key: { '@@assign': 'CostCenter' }, tag_value: { '@@assign': ['100', '2*', '*-ml'] }, enforced_for: { '@@assign': ['ec2:instance'] } },
    team: { tag_key: { '@@assign': 'Team' }, tag_value: { '@@assign': ['nlp', 'vision'] } },
  },
}, null, 2);

const TOKENS = [':', ': ', '- ', '&a ', '*a', '*missing', '<<: *a\n', '{', '}', '[', ']', '"', "'", '\t', '\n', '---\n', '? ', '|\n', '#',
  'constructor: x\n', '__proto__: { polluted: true }\n', 'toString:\n', 'hasOwnProperty: 1\n', "pattern: '^(a+)+$'\n", "pattern: '(x+x+)+y'\n",
  "pattern: '[\n", 'allowed: [', 'required: [Team, Team]\n', 'labelKeys: { Team: [] }\n', 'aliases: { Team: [team, TEAM] }\n', '"@@assign": ["*"]', '"tag_value": { "@@assign": ["a*b*c*d*e*"] }', 'budgets:\n  - amount: -1\n'];
const NESTS = [{ open: '[', close: ']' }, { open: '{a: ', close: '}' }, { open: '- ', close: undefined }, { open: '&a [*a, ' , close: ']' }];

export interface PolicyInput { text: string; json: boolean; steps: string[]; tags: { cloud: Cloud; keys: [string, string | undefined][]; complete: boolean }[] }

export function policyTarget(): FuzzTarget<PolicyInput> {
  const read = (p: string) => { try { return fs.readFileSync(p, 'utf8'); } catch { return undefined; } };
  const seeds = [
    read(path.join(root, 'demo/.finops.yaml')), read(path.join(root, 'test/fixtures/workspace/budgets/.finops.yaml')),
    read(path.join(root, 'test/fixtures/workspace/tagging/bad.finops.yaml')),
  ].filter((t): t is string => t !== undefined);
  return {
    name: 'policy load + evaluation',
    setup: async () => {}, teardown: async () => {},
    generate(seed) {
      const random = seeded(seed);
      const json = random() < 0.25;
      const base = json ? ORG_POLICY : pick(random, seeds);
      const m = mutateText(random, base, TOKENS, NESTS);
      const tags = Array.from({ length: 3 }, () => ({
        cloud: pick(random, ['aws', 'gcp', 'azure'] as const),
        keys: Array.from({ length: Math.floor(random() * 6) }, (): [string, string | undefined] => [pick(random, ['Team', 'team', 'CostCenter', 'cost_center', 'cost-center', 'Owner', 'Environment', hostileString(random)]), random() < 0.2 ? undefined : hostileString(random)]),
        complete: random() < 0.7,
      }));
      return { text: m.text, json, steps: m.steps, tags };
    },
    describe: (i) => `${i.json ? 'org policy' : 'policy'}: ${i.steps.join('; ')}`,
    async run(input) {
      try {
        const loaded = loadPolicy(input.text, input.json ? 'tag-policy.json' : '.finops.yaml');
        const lines = input.text.split(/\r\n|\r|\n/).length;
        for (const p of loaded.problems) {
          if (!(p.line >= 1 && p.line <= lines + 1 && p.column >= 1)) return { kind: 'wrong', detail: `problem "${p.message}" at line ${p.line}:${p.column} of ${lines}` };
        }
        for (const t of input.tags) {
          evaluateTags(loaded.policy, t.cloud, { keys: new Map(t.keys), complete: t.complete });
          for (const rule of Object.values(loaded.policy.rules)) {
            for (const allowed of rule.allowed ?? []) matchesAllowed(t.keys[0]?.[1] ?? 'x'.repeat(40), allowed);
          }
        }
        return { kind: 'ok' };
      } catch (e) {
        return isFinOpsError(e) ? { kind: 'refused' } : { kind: 'thrown', detail: e instanceof Error ? e.stack ?? e.message : String(e) };
      }
    },
  };
}
