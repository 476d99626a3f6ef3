// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import { importTs } from '../tsModule.mjs';

export const title = 'Cost dashboard in light, dark and both high-contrast themes: every chart mark 3:1 against its background, legend colours told apart (CIEDE2000), text 4.5:1 (README screenshots "dashboard-light", "dashboard-dark")';
export const workspace = 'demo';

/** The themes by their ids (VS Code 1.139's defaults, the Modern ones, both high-contrast themes), and the class VS Code gives the webview's body. */
const THEMES = [
  { id: 'Light 2026', kind: 'vscode-light', shot: 'dashboard-light' },
  { id: 'Dark 2026', kind: 'vscode-dark', shot: 'dashboard-dark' },
  { id: 'Light Modern', kind: 'vscode-light' },
  { id: 'Dark Modern', kind: 'vscode-dark' },
  { id: 'Default High Contrast', kind: 'vscode-high-contrast' },
  { id: 'Default High Contrast Light', kind: 'vscode-high-contrast-light' },
];

/**
 * Sets the colour theme in the workspace's settings, as a user who writes "workbench.colorTheme" there does (the
 * workbench applies the file when it changes; no picker whose input a webview taking focus could close).
 * @param {string} file the workspace's .vscode/settings.json @param {string} id
 */
function setTheme(file, id) {
  const settings = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  fs.writeFileSync(file, JSON.stringify({ ...settings, 'workbench.colorTheme': id }, null, 2));
}

/**
 * What the page draws and writes, as computed colours: every chart's marks, background and text colours (the
 * charts' `data-colours`), pixels around each chart's `data-hit` point, and every visible text with the colours
 * of its element and of the backgrounds behind it.
 * @param {import('playwright-core').FrameLocator} frame
 */
async function measure(frame) {
  return frame.locator('body').evaluate(() => {
    const probe = document.createElement('span');
    document.body.appendChild(probe);
    /** @param {string} c */
    const resolve = (c) => { probe.style.color = ''; probe.style.color = c; return probe.style.color ? getComputedStyle(probe).color : ''; };
    const charts = [];
    for (const canvas of document.querySelectorAll('canvas[id^="chart-"]')) {
      if (!(canvas instanceof HTMLCanvasElement) || !canvas.dataset.colours || canvas.offsetParent === null) continue;
      const info = JSON.parse(canvas.dataset.colours);
      const pixels = [];
      const [x, y] = (canvas.dataset.hit ?? '').split(',').map(Number);
      const ctx = canvas.getContext('2d');
      if (ctx && Number.isFinite(x) && Number.isFinite(y)) {
        const scale = canvas.width / canvas.clientWidth;
        for (let dx = -4; dx <= 4; dx += 2) for (let dy = -4; dy <= 4; dy += 2) {
          const d = ctx.getImageData(Math.round((x + dx) * scale), Math.round((y + dy) * scale), 1, 1).data;
          pixels.push(`rgba(${d[0]}, ${d[1]}, ${d[2]}, ${d[3] / 255})`);
        }
      }
      charts.push({
        id: canvas.id, legend: !!info.legend, background: resolve(info.background), text: resolve(info.text), ticks: info.ticks ? resolve(info.ticks) : '',
        marks: info.marks.map((/** @type {{ label: string; colour: string }} */ m) => ({ label: m.label, colour: resolve(m.colour) })), pixels,
      });
    }
    probe.remove();
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || seen.has(el) || !(n.textContent ?? '').trim() || el.closest('[hidden], .visually-hidden, option, script, style')) continue;
      seen.add(el);
      if (el.getClientRects().length === 0 || el.closest(':disabled')) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
      const backgrounds = [];
      for (let e = /** @type {Element | null} */ (el); e; e = e.parentElement) backgrounds.push(getComputedStyle(e).backgroundColor);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      texts.push({ text: (n.textContent ?? '').trim().slice(0, 40), where: `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`, colour: style.color, backgrounds, large });
    }
    return { kind: document.body.className, charts, texts };
  });
}

/** @param {import('../../../scripts/runE2e.mjs').StepContext} ctx */
export default async function (ctx) {
  const { page, palette, shot, waitFor, log, workspaceDir } = ctx;
  const workspaceSettings = path.join(workspaceDir, '.vscode/settings.json');
  /** @type {typeof import('../../../src/shared/colour.js')} */
  const colour = await importTs('src/shared/colour.ts');
  /** @param {string} c */
  const parse = (c) => { const v = colour.parseColour(c); if (!v) throw new Error(`unreadable colour "${c}"`); return v; };
  if (await page.locator('.part.panel').isVisible().catch(() => false)) {
    try { await palette('View: Hide Panel'); } catch { await page.keyboard.press('Escape'); }
  }
  await palette('ML FinOps: Open Cost Dashboard');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await waitFor(async () => !!(await frame.locator('#chart-service').getAttribute('data-colours').catch(() => null)), 'the dashboard drawn', 120_000);

  const original = fs.existsSync(workspaceSettings) ? fs.readFileSync(workspaceSettings, 'utf8') : undefined;
  const themeId = async () => frame.locator('body').getAttribute('data-vscode-theme-id').catch(() => null);
  const originalTheme = await themeId();
  try {
    for (const theme of THEMES) {
      setTheme(workspaceSettings, theme.id);
      await waitFor(async () => (await themeId()) === theme.id, `the dashboard in ${theme.id}`, 60_000);
      // the page takes the theme's colours, then redraws its charts with them (each chart writes the background it painted)
      await waitFor(async () => frame.locator('body').evaluate((b, kind) => {
        if (!b.classList.contains(kind) || (kind === 'vscode-high-contrast' && b.classList.contains('vscode-high-contrast-light'))) return false;
        const probe = document.createElement('span');
        probe.style.color = getComputedStyle(document.documentElement).getPropertyValue('--vscode-editorWidget-background').trim() || getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background').trim();
        document.body.appendChild(probe);
        const bg = getComputedStyle(probe).color;
        probe.remove();
        // every chart, the budgets' burn-downs too
        const canvases = [...document.querySelectorAll('canvas[data-colours]')];
        return canvases.length > 0 && canvases.every((c) => {
          if (!(c instanceof HTMLElement) || !c.dataset.colours) return false;
          if (c.offsetParent === null) return true;
          const p = document.createElement('span');
          p.style.color = JSON.parse(c.dataset.colours).background;
          document.body.appendChild(p);
          const same = getComputedStyle(p).color === bg;
          p.remove();
          return same;
        });
      }, theme.kind), `the dashboard redrawn in ${theme.id}`, 60_000);
      const m = await measure(frame);
      /** @type {string[]} */
      const problems = [];
      let minMark = Infinity, minPair = Infinity, minText = Infinity;
      for (const chart of m.charts) {
        const bg = parse(chart.background);
        if (bg.a < 1) problems.push(`${chart.id}: translucent background ${chart.background}`);
        for (const mark of chart.marks) {
          const r = colour.contrastRatio(parse(mark.colour), bg);
          minMark = Math.min(minMark, r);
          if (r < colour.GRAPHICS_CONTRAST) problems.push(`${chart.id}: "${mark.label}" ${mark.colour} has ${r.toFixed(2)}:1 against ${chart.background}`);
        }
        for (const [what, c] of [['legend text', chart.text], ['axis labels', chart.ticks]]) {
          if (!c) continue;
          const r = colour.contrastRatio(parse(c), bg);
          minText = Math.min(minText, r);
          if (r < colour.TEXT_CONTRAST) problems.push(`${chart.id}: ${what} ${c} has ${r.toFixed(2)}:1 against ${chart.background}`);
        }
        if (chart.legend) {
          const marks = [...new Map(chart.marks.map((/** @type {{ label: string; colour: string }} */ x) => [x.label, x])).values()];
          for (let i = 0; i < marks.length; i++) for (let j = i + 1; j < marks.length; j++) {
            const d = colour.deltaE2000(colour.over(parse(marks[i].colour), bg), colour.over(parse(marks[j].colour), bg));
            minPair = Math.min(minPair, d);
            if (d < colour.DISTINCT_DELTA_E) problems.push(`${chart.id}: "${marks[i].label}" ${marks[i].colour} and "${marks[j].label}" ${marks[j].colour} differ by ΔE2000 ${d.toFixed(1)}`);
          }
        }
        // the colours written are the colours drawn: a pixel at the chart's largest mark is one of them
        if (chart.pixels.length && !chart.pixels.some((/** @type {string} */ p) => chart.marks.some((/** @type {{ colour: string }} */ x) => colour.deltaE2000(colour.over(parse(p), bg), colour.over(parse(x.colour), bg)) < 2))) {
          problems.push(`${chart.id}: none of the pixels at its largest mark (${chart.pixels.slice(0, 3).join(', ')}…) has a colour it lists`);
        }
      }
      for (const t of m.texts) {
        let bg = { r: 255, g: 255, b: 255, a: 1 };
        for (const b of [...t.backgrounds].reverse()) bg = colour.over(parse(b), bg);
        const r = colour.contrastRatio(parse(t.colour), bg);
        minText = Math.min(minText, r);
        const need = t.large ? colour.GRAPHICS_CONTRAST : colour.TEXT_CONTRAST;
        if (r < need) problems.push(`text "${t.text}" (${t.where}) ${t.colour} has ${r.toFixed(2)}:1 against ${colour.toHex(bg)}`);
      }
      if (m.charts.length < 4) problems.push(`only ${m.charts.length} charts drawn`);
      log(`${theme.id}: ${m.charts.length} charts, ${m.charts.reduce((s, c) => s + c.marks.length, 0)} marks, lowest mark contrast ${minMark.toFixed(2)}:1, closest legend colours ΔE2000 ${minPair.toFixed(1)}, ${m.texts.length} texts, lowest text contrast ${minText.toFixed(2)}:1`);
      if (problems.length) throw new Error(`${theme.id}:\n${[...new Set(problems)].slice(0, 15).join('\n')}`);
      if (theme.shot) {
        await frame.locator('body').evaluate(() => window.scrollTo(0, 0));
        await shot(theme.shot);
      }
    }
  } finally {
    // the next steps' screenshots in the theme they started with
    if (original === undefined) fs.rmSync(workspaceSettings, { force: true });
    else fs.writeFileSync(workspaceSettings, original);
    await waitFor(async () => (await themeId()) === originalTheme, `the dashboard back in ${originalTheme}`, 60_000).catch((e) => log(String(e)));
  }
}
