// @ts-check
// ESLint rule `local/no-import-cycle`: a module may not import (directly or through others) a module that imports
// it back. Static imports and re-exports of the project's own files count, `import type` included (a type cycle
// is still two modules that cannot be understood one without the other); `await import()` does not, since a lazy
// import is how a module loads something on demand. The graph beyond the file being linted is read from disk and
// kept per process (refreshed when a file changes), so a whole-tree run reads each file once.
import fs from 'node:fs';
import path from 'node:path';

/** Static `import … from`, `import '…'`, `export … from` specifiers (multi-line imports included). */
const IMPORT = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s*)?['"]([^'"\n]+)['"]/gm;
const EXTENSIONS = ['.ts', '.mts', '.mjs', '.js'];

/** @type {Map<string, { mtimeMs: number; deps: string[] }>} */
const graph = new Map();

/**
 * The project file a relative specifier names, or undefined (packages and missing files are not followed).
 * @param {string} fromDir @param {string} specifier @returns {string | undefined}
 */
function resolve(fromDir, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(fromDir, specifier);
  for (const candidate of [base, ...EXTENSIONS.map((e) => base + e), ...EXTENSIONS.map((e) => path.join(base, `index${e}`))]) {
    try {
      if (fs.statSync(candidate).isFile() && EXTENSIONS.includes(path.extname(candidate))) return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** @param {string} file @param {string} text */
function depsOfText(file, text) {
  /** @type {string[]} */
  const deps = [];
  for (const m of text.matchAll(IMPORT)) {
    const target = resolve(path.dirname(file), m[1] ?? '');
    if (target) deps.push(target);
  }
  return deps;
}

/** @param {string} file @returns {string[]} */
function depsOf(file) {
  let stat;
  try {
    stat = fs.statSync(file);
  } catch {
    return [];
  }
  const known = graph.get(file);
  if (known && known.mtimeMs === stat.mtimeMs) return known.deps;
  const deps = depsOfText(file, fs.readFileSync(file, 'utf8'));
  graph.set(file, { mtimeMs: stat.mtimeMs, deps });
  return deps;
}

/** A path of imports from `start` back to `goal`, or undefined. @param {string} start @param {string} goal */
function pathBack(start, goal) {
  const seen = new Set();
  /** @type {string[]} */
  const trail = [];
  /** @type {(file: string) => boolean} */
  const visit = (file) => {
    if (file === goal) return true;
    if (seen.has(file)) return false;
    seen.add(file);
    trail.push(file);
    for (const dep of depsOf(file)) if (visit(dep)) return true;
    trail.pop();
    return false;
  };
  return visit(start) ? trail : undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Disallow import cycles between the project\'s own modules.' },
    schema: [],
    messages: { cycle: 'Import cycle: {{cycle}}. Move what both need into a module that neither imports back (see the layer rules in eslint.config.mjs).' },
  },
  create(context) {
    const file = context.physicalFilename;
    const cwd = context.cwd;
    return {
      /** @param {import('estree').ImportDeclaration | import('estree').ExportNamedDeclaration | import('estree').ExportAllDeclaration} node */
      'ImportDeclaration, ExportNamedDeclaration[source], ExportAllDeclaration'(node) {
        const specifier = node.source && typeof node.source.value === 'string' ? node.source.value : undefined;
        const target = specifier ? resolve(path.dirname(file), specifier) : undefined;
        if (!target || !node.source) return;
        const back = target === file ? [] : pathBack(target, file);
        if (!back) return;
        const cycle = [file, ...back, file].map((f) => path.relative(cwd, f)).join(' → ');
        context.report({ node: node.source, messageId: 'cycle', data: { cycle } });
      },
    };
  },
};

export default rule;
