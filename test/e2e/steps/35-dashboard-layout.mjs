// @ts-check
export const title = 'Cost dashboard at 320, 800 and 1400 px: no horizontal scrolling, no clipped text, colours only from the theme; the GPU view (GPU-hours, cost per GPU-hour)';
export const workspace = 'demo';

/**
 * What overflows the page horizontally at the current width: the document itself, or any element (outside a
 * scrollable table region) whose box ends past the right edge or whose text is wider than its box.
 * @param {import('playwright-core').FrameLocator} frame
 */
async function overflow(frame) {
  return frame.locator('body').evaluate(() => {
    const doc = document.documentElement;
    const problems = [];
    if (doc.scrollWidth > doc.clientWidth + 1) problems.push(`the page scrolls: ${doc.scrollWidth} px wide in ${doc.clientWidth} px`);
    const width = doc.clientWidth;
    for (const el of document.querySelectorAll('body *')) {
      if (!(el instanceof HTMLElement) || el.closest('.table-scroll, [hidden], .visually-hidden') || el.offsetParent === null) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ').join('.')}` : ''}`;
      if (r.right > width + 1) problems.push(`${name} ends at ${Math.round(r.right)} px of ${width}`);
      const style = getComputedStyle(el);
      // clipped text: a box that hides what does not fit, and has more than fits
      if (style.overflowX !== 'visible' && !['CANVAS', 'SELECT', 'INPUT', 'OPTION'].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1) problems.push(`${name} clips its content (${el.scrollWidth} px in ${el.clientWidth})`);
    }
    return problems.slice(0, 10);
  });
}

/**
 * Colours that do not come from the theme: any colour in the page's style sheets or inline styles outside a
 * `var(--vscode-…)` reference (a fallback inside var() is allowed).
 * @param {import('playwright-core').FrameLocator} frame
 */
async function hardCodedColours(frame) {
  return frame.locator('body').evaluate(() => {
    const colourish = /color|background|border|outline|fill|stroke|shadow/i;
    /** @param {string} v */
    const outsideVars = (v) => {
      let out = v;
      // strip var(...) references, innermost first
      for (let i = 0; i < 10 && /var\(/.test(out); i++) out = out.replace(/var\([^()]*\)/g, '');
      return out;
    };
    const literal = /#[0-9a-f]{3,8}\b|\b(rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(|\b(white|black|red|green|blue|gray|grey|orange|yellow|purple)\b/i;
    const found = [];
    /** @param {CSSStyleDeclaration} style @param {string} where */
    const check = (style, where) => {
      for (let i = 0; i < style.length; i++) {
        const prop = style.item(i);
        if (!colourish.test(prop) || prop.startsWith('--')) continue;
        const value = style.getPropertyValue(prop);
        if (literal.test(outsideVars(value))) found.push(`${where} { ${prop}: ${value} }`);
      }
    };
    for (const sheet of Array.from(document.styleSheets)) {
      /** @param {CSSRuleList} rules */
      const walk = (rules) => {
        for (const rule of Array.from(rules)) {
          if (rule instanceof CSSStyleRule) check(rule.style, rule.selectorText);
          else if ('cssRules' in rule) walk(/** @type {CSSGroupingRule} */ (rule).cssRules);
        }
      };
      walk(sheet.cssRules);
    }
    for (const el of document.querySelectorAll('[style]')) if (el instanceof HTMLElement) check(el.style, `<${el.tagName.toLowerCase()} style>`);
    // the page's own colours are the theme's
    const root = getComputedStyle(document.documentElement);
    const body = getComputedStyle(document.body);
    const probe = document.createElement('span');
    probe.style.color = root.getPropertyValue('--vscode-foreground').trim();
    document.body.appendChild(probe);
    const themeFg = getComputedStyle(probe).color;
    probe.remove();
    if (!root.getPropertyValue('--vscode-foreground').trim()) found.push('the theme defines no --vscode-foreground');
    else if (body.color !== themeFg) found.push(`body colour ${body.color} is not the theme's foreground ${themeFg}`);
    return found.slice(0, 10);
  });
}

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, waitFor, log }) {
  if (await page.locator('.part.panel').isVisible().catch(() => false)) {
    try { await palette('View: Hide Panel'); } catch { await page.keyboard.press('Escape'); }
  }
  await palette('ML FinOps: Open Cost Dashboard');
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  await waitFor(async () => !!(await frame.locator('#chart-daily').getAttribute('data-hit').catch(() => null)), 'the dashboard drawn', 120_000);

  // the GPU view: accelerators with GPU-hours and cost per GPU-hour
  const gpu = frame.locator('#card-gpu');
  await waitFor(async () => (await gpu.locator('tbody tr').count().catch(() => 0)) > 0, 'the GPU card with rows', 60_000);
  const header = (await gpu.locator('thead').innerText()).replace(/\s+/g, ' ');
  if (!/GPU-hours/.test(header) || !/Cost per GPU-hour/.test(header)) throw new Error(`the GPU table's header is "${header}"`);
  const firstGpu = (await gpu.locator('tbody tr').first().innerText()).replace(/\s+/g, ' ');
  log(`GPU view: ${firstGpu}`);
  if (!/NVIDIA .+ × \d+/.test(firstGpu) || !/\$[\d,.]+\/GPU-h/.test(firstGpu)) throw new Error(`the first GPU row reads "${firstGpu}"`);

  const colours = await hardCodedColours(frame);
  if (colours.length) throw new Error(`colours not from the theme:\n${colours.join('\n')}`);

  // the editor area is the dashboard's width: close the side bar, then size the window so the page is W px wide
  try { await palette('View: Close Primary Side Bar'); } catch { await page.keyboard.press('Escape'); }
  const original = page.viewportSize();
  try {
    for (const target of [320, 800, 1400]) {
      let width = 0;
      for (let attempt = 0; attempt < 4; attempt++) {
        const inner = await frame.locator('body').evaluate(() => document.documentElement.clientWidth);
        const viewport = page.viewportSize() ?? { width: 1400, height: 900 };
        if (Math.abs(inner - target) <= 2) { width = inner; break; }
        await page.setViewportSize({ width: Math.max(200, viewport.width + (target - inner)), height: viewport.height });
        await waitFor(async () => (await frame.locator('body').evaluate(() => document.documentElement.clientWidth)) !== inner, `the dashboard to resize towards ${target} px`, 10_000).catch(() => undefined);
        width = await frame.locator('body').evaluate(() => document.documentElement.clientWidth);
      }
      if (Math.abs(width - target) > 24) throw new Error(`could not make the dashboard ${target} px wide (it is ${width} px)`);
      // charts redraw on resize: poll until the layout is stable and has no overflow
      /** @type {string[]} */
      let problems = [];
      await waitFor(async () => { problems = await overflow(frame); return problems.length === 0; }, `no horizontal overflow at ${target} px`, 20_000)
        .catch(() => { throw new Error(`at ${width} px: ${problems.join('; ')}`); });
      log(`${width} px: no horizontal overflow, no clipped text`);
    }
  } finally {
    if (original) await page.setViewportSize(original);
    // the side bar back for the next steps
    try { await palette('View: Toggle Primary Side Bar Visibility'); } catch { await page.keyboard.press('Escape'); }
  }
}
