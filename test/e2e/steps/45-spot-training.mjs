// @ts-check
import fs from 'node:fs';
import path from 'node:path';
import { importTs } from '../tsModule.mjs';

export const title = 'Spot training from the editor against moto: the demo job file, "Launch Spot Training…" shows the plan beside it and the DryRun checks with the estimate in the modal; declined, moto holds nothing; confirmed, the fleet runs and the Spot Jobs view shows it with state, type, zone and price; Stop in the view deletes both (README screenshots "spot-plan", "spot-jobs")';
export const workspace = 'demo';

const JOB = '.finops/jobs/llm-finetune.yaml';
const PROFILE = 'mlfinops-e2e';

/**
 * One EC2 Query API call to moto (which checks no signature), answering the XML text.
 * @param {string} endpoint @param {string} action @param {Record<string, string>} [params]
 */
async function ec2Query(endpoint, action, params = {}) {
  const r = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x' },
    body: new URLSearchParams({ Action: action, Version: '2016-11-15', ...params }).toString(),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`moto ${action}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return text;
}

/** The ids of an element in moto's XML answer (launchTemplateId, fleetId, subnetId …). @param {string} xml @param {string} element */
function idsIn(xml, element) {
  return [...new Set([...xml.matchAll(new RegExp(`<${element}>([^<]+)</${element}>`, 'g'))].map((m) => /** @type {string} */ (m[1])))];
}

/** What moto holds for the job: launch templates and fleets not deleted. @param {string} endpoint */
async function created(endpoint) {
  const fleets = (await ec2Query(endpoint, 'DescribeFleets')).split('<item>').filter((item) => /<fleetId>/.test(item) && !/<fleetState>deleted/.test(item));
  return { templates: idsIn(await ec2Query(endpoint, 'DescribeLaunchTemplates'), 'launchTemplateId'), fleets: fleets.flatMap((f) => idsIn(f, 'fleetId')) };
}

/** Drags the side bar's edge until it is `width` pixels wide. @param {import('playwright-core').Page} page @param {number} width */
async function dragSidebarTo(page, width) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || Math.abs(box.width - width) < 4) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
}

/** @param {import('../../../scripts/runE2e.mjs').StepContext} context */
export default async function ({ page, palette, shot, showView, openFile, waitFor, log, workspaceDir, home, machineSettings }) {
  /** @type {typeof import('../../support/moto.js')} */
  const { startMoto } = await importTs('test/support/moto.ts');
  const jobFile = path.join(workspaceDir, JOB);
  const jobText = fs.readFileSync(jobFile, 'utf8');
  const bucket = /uri:\s*s3:\/\/([^/\s]+)/.exec(jobText)?.[1];
  if (!bucket) throw new Error(`${JOB} has no s3:// checkpoint`);
  const moto = await startMoto();
  // the endpoint is a machine setting: code-server reads it from the server's machine settings, not the workspace's
  const settingsFile = machineSettings;
  const original = fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : undefined;
  const credentials = path.join(home, '.aws/credentials');
  const spotPane = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Spot Jobs' }) }).first();
  /** @type {string | null} */
  let paneWasExpanded = null;
  /** @type {number | undefined} */
  let sidebarWidth;
  try {
    // AWS is moto: the job's checkpoint bucket exists there, and the extension host signs with a profile of test keys
    const made = await fetch(`${moto.endpoint}/${bucket}`, { method: 'PUT' });
    if (!made.ok) throw new Error(`moto: creating ${bucket} answered ${made.status}`);
    // the job's subnets are moto's: a VPC with a subnet in two of the job's zones (the fleet launches into them)
    const vpc = idsIn(await ec2Query(moto.endpoint, 'CreateVpc', { CidrBlock: '10.0.0.0/16' }), 'vpcId')[0];
    if (!vpc) throw new Error('moto created no VPC');
    const subnets = [];
    for (const [i, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
      const id = idsIn(await ec2Query(moto.endpoint, 'CreateSubnet', { VpcId: vpc, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zone }), 'subnetId')[0];
      if (!id) throw new Error(`moto created no subnet in ${zone}`);
      subnets.push(id);
    }
    if (!/subnets:\s*\[[^\]]*\]/.test(jobText)) throw new Error(`${JOB} lists no aws subnets`);
    fs.writeFileSync(jobFile, jobText.replace(/subnets:\s*\[[^\]]*\]/, `subnets: [${subnets.join(', ')}]`));
    fs.mkdirSync(path.dirname(credentials), { recursive: true });
    fs.writeFileSync(credentials, `[${PROFILE}]\naws_access_key_id = testing\naws_secret_access_key = testing\n`);
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ ...(original ? JSON.parse(original) : {}), 'mlFinops.aws.endpoint': moto.endpoint, 'mlFinops.aws.profile': PROFILE }, null, 2));

    // machine settings are read when the window connects: reload it so the extension host has the endpoint
    await Promise.all([page.waitForEvent('load', { timeout: 180_000 }), palette('Developer: Reload Window')]);
    await page.locator('.monaco-workbench').waitFor({ timeout: 180_000 });
    await page.locator('.activitybar [aria-label^="ML FinOps"]').first().waitFor({ timeout: 180_000 });
    if (await page.locator('.part.panel').isVisible().catch(() => false)) {
      try { await palette('View: Hide Panel'); } catch { await page.keyboard.press('Escape'); }
    }
    try { await palette('View: Close All Editors'); } catch { await page.keyboard.press('Escape'); }
    await openFile(JOB);
    const dialog = page.locator('.monaco-dialog-box').first();
    const refused = page.locator('.notification-list-item', { hasText: 'was not launched' }).first();
    /** Runs the command on the demo's job until its modal asks (a launch refused before the endpoint is read is run again). */
    const launchToModal = async () => {
      await waitFor(async () => {
        await palette('ML FinOps: Launch Spot Training…');
        const input = page.locator('.quick-input-widget input[type="text"]:visible').first();
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'llm-finetune' }).first().waitFor({ state: 'visible', timeout: 30_000 });
        await input.fill('llm-finetune');
        await page.locator('.quick-input-list .monaco-list-row.focused', { hasText: 'llm-finetune' }).first().waitFor({ timeout: 30_000 });
        await page.keyboard.press('Enter');
        // the plan opens beside the job file; the DryRun's checks are added to it; then the modal asks
        const outcome = await waitFor(async () => ((await dialog.isVisible()) ? 'modal' : (await refused.isVisible()) ? 'refused' : undefined), 'the modal or a refusal', 120_000);
        if (outcome === 'modal') return true;
        log(`refused: ${(await refused.innerText()).replace(/\s+/g, ' ').slice(0, 200)}`);
        await palette('Notifications: Clear All Notifications');
        return false;
      }, 'the launch to reach the modal against moto', 240_000, 2_000);
      return {
        question: (await dialog.locator('.dialog-message-text').innerText()).replace(/\s+/g, ' ').trim(),
        detail: (await dialog.locator('.dialog-message-detail').innerText().catch(() => '')).trim(),
      };
    };
    /** Presses a button of the modal and waits for it to close. @param {string} name */
    const answer = async (name) => {
      await dialog.locator('.dialog-buttons .monaco-button', { hasText: name }).first().click();
      await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    };

    const { question, detail } = await launchToModal();
    log(`modal: ${question}`);
    if (!/^Launch spot training "llm-finetune" on AWS us-east-1 for about \$[\d,.]+ \(\d+ h, \$[\d,.]+ on-demand\)\?$/.test(question)) throw new Error(`the modal asks "${question}"`);
    if (!/^Spot ≈ \$[\d,.]+ for \d+ h of training/.test(detail)) throw new Error(`the modal does not start with the estimate: ${detail}`);
    if (!/✓ CreateLaunchTemplate: would succeed \(DryRun\)/.test(detail)) throw new Error(`the modal does not report the DryRun: ${detail}`);
    if (!detail.includes(`s3://${bucket}`)) throw new Error(`the modal does not name the checkpoint bucket: ${detail}`);
    // moto's spot price history answers $0.00001: no market price, so the catalogue's stands in, with its source
    if (!/EC2's spot price history has no usable price for .*the catalogue's spot prices stand in \(.+\d{4}-\d\d-\d\d\)\)/.test(detail)) throw new Error(`the modal does not say the catalogue's spot prices stand in: ${detail}`);
    const planTab = page.locator('.tab', { hasText: 'llm-finetune plan.txt' }).first();
    await planTab.waitFor({ timeout: 30_000 });
    if ((await page.locator('.editor-group-container').count()) < 2) throw new Error('the plan is not beside the job file');
    await shot('spot-confirm');

    // declined: nothing is created
    await answer('Cancel');
    const planGroup = page.locator('.editor-group-container', { has: page.locator('.tab', { hasText: 'llm-finetune plan.txt' }) }).first();
    // Monaco draws spaces as no-break spaces
    const planText = async () => (await planGroup.locator('.view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    await waitFor(async () => /Checks before launching/.test(await planText()), 'the plan with the DryRun checks', 60_000);
    const plan = await planText();
    for (const want of [/Will create:/, /EC2 Fleet \(type maintain\)/, /Estimated cost: Spot ≈ \$[\d,.]+ .* on-demand/, /✓ CreateLaunchTemplate: would succeed \(DryRun\)/]) if (!want.test(plan)) throw new Error(`the plan lacks ${want}:\n${plan}`);
    const estimate = /about (\$[\d,.]+) /.exec(question)?.[1];
    if (!estimate || !plan.includes(`Spot ≈ ${estimate} `)) throw new Error(`the plan's estimate is not the modal's (${estimate}):\n${plan}`);
    const none = await created(moto.endpoint);
    if (none.templates.length || none.fleets.length) throw new Error(`declined, yet moto holds launch templates ${none.templates.join(', ')} and fleets ${none.fleets.join(', ')}`);
    log('declined: no launch template, no fleet in moto');

    // the screenshot of the plan: beside the job file, wrapped to its width, without the side bar
    await planTab.click();
    await page.locator('.tab.active', { hasText: 'llm-finetune plan.txt' }).first().waitFor({ timeout: 30_000 });
    await palette('View: Toggle Word Wrap');
    await palette('View: Close Primary Side Bar');
    await palette('Notifications: Clear All Notifications');
    await waitFor(async () => !(await page.locator('.part.sidebar').isVisible()) && (await page.locator('.notification-toast').count()) === 0, 'the side bar and the notifications closed', 30_000);
    await waitFor(async () => /Checks before launching/.test(await planText()), 'the wrapped plan', 30_000);
    await shot('spot-plan');

    // confirmed: the launch template and the fleet exist in moto, and the fleet has its instance. Launched from the
    // plan's own editor, the plan is shown again where it is, not in a third column
    await launchToModal();
    if ((await page.locator('.tab', { hasText: 'llm-finetune plan.txt' }).count()) !== 1) throw new Error('a second launch opened the plan a second time');
    await answer('Launch');
    const launched = page.locator('.notification-list-item', { hasText: 'Launched "llm-finetune"' }).first();
    const outcome = await waitFor(async () => ((await launched.isVisible()) ? 'launched' : (await refused.isVisible()) ? 'refused' : undefined), 'the launch to end', 180_000);
    if (outcome !== 'launched') throw new Error(`the launch failed: ${(await refused.innerText()).replace(/\s+/g, ' ')}`);
    log(`launched: ${(await launched.innerText()).replace(/\s+/g, ' ').slice(0, 200)}`);
    const made2 = await created(moto.endpoint);
    if (made2.templates.length !== 1 || made2.fleets.length !== 1) throw new Error(`launched, yet moto holds launch templates [${made2.templates.join(', ')}] and fleets [${made2.fleets.join(', ')}]`);
    log(`moto: launch template ${made2.templates[0]}, fleet ${made2.fleets[0]}`);

    // the Spot Jobs view: the job running, with its instance's type, zone and price (the catalogue's: moto's is none)
    await showView();
    // wide enough for the job's whole line
    sidebarWidth = (await page.locator('.part.sidebar').boundingBox())?.width;
    await dragSidebarTo(page, 860);
    paneWasExpanded = await spotPane.locator('.pane-header').first().getAttribute('aria-expanded');
    if (paneWasExpanded === 'false') await spotPane.locator('.pane-header').first().click();
    const row = spotPane.locator('.monaco-list-row', { hasText: 'llm-finetune' }).first();
    await row.waitFor({ state: 'visible', timeout: 60_000 });
    const described = /running · (g[56]\.[24]xlarge) · (us-east-1[ab]) · \$(\d+\.\d{4})\/h \(catalogue\) · \d+ min · \$\d+\.\d\d so far/;
    const text = await waitFor(async () => {
      const t = (await row.innerText()).replace(/\s+/g, ' ');
      return described.test(t) ? t : undefined;
    }, 'the job running with type, zone and the catalogue\'s price', 120_000);
    log(`Spot Jobs: ${text}`);
    const [, type, , price] = /** @type {RegExpExecArray} */ (described.exec(text));
    // the price is the plan's spot price for that type
    if (!new RegExp(`${type?.replace('.', '\\.')}\\s+spot \\$${price?.replace('.', '\\.')}/h`).test(plan)) throw new Error(`the view's ${type} at $${price}/h is not the plan's spot price:\n${plan}`);
    // its children: the checkpoints in the bucket (none yet)
    // (a click on the row opens the job file: the twistie expands it)
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').first().click();
    await waitFor(async () => (await spotPane.locator('.monaco-list-row', { hasText: `No checkpoints yet in s3://${bucket}` }).count()) > 0, 'the job\'s checkpoints line', 60_000);
    await palette('Notifications: Clear All Notifications');
    await waitFor(async () => (await page.locator('.notification-toast').count()) === 0, 'no notification toast over the view', 30_000);
    // the job's tooltip names where its price comes from: the catalogue, with its source and date
    await palette('View: Close All Editors');
    const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: 'Plan: spot' }).first();
    const tooltip = await waitFor(async () => {
      if (await hover.isVisible()) return (await hover.innerText()).replace(/\s+/g, ' ');
      await page.mouse.move(1000, 450);
      await row.locator('.label-name').first().hover();
      return undefined;
    }, 'the job\'s tooltip', 60_000, 1_500);
    log(`tooltip: ${tooltip.slice(0, 400)}`);
    if (!/State: running.* at the catalogue's spot prices \(.+\(snapshot, \d{4}-\d\d-\d\d\)\): the cloud reports none usable\)/.test(tooltip)) throw new Error(`the tooltip does not name the catalogue as the price's source: ${tooltip}`);
    if (!new RegExp(`${type?.replace('.', '\\.')} us-east-1[ab] spot running \\$${price?.replace('.', '\\.')}/h \\(catalogue\\)`).test(tooltip)) throw new Error(`the tooltip does not list the instance at $${price}/h (catalogue): ${tooltip}`);
    await shot('spot-jobs');
    await page.mouse.move(1000, 450);

    // Stop from the view: the modal names what is deleted; confirmed, moto holds nothing and the job is planned again
    await waitFor(async () => {
      if (await dialog.isVisible()) return true;
      await row.hover();
      await row.locator('.action-label[aria-label^="Stop Spot Job"]').first().click({ timeout: 5_000 });
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      return true;
    }, 'the Stop modal', 90_000, 1_000);
    const stopQuestion = (await dialog.locator('.dialog-message-text').innerText()).replace(/\s+/g, ' ').trim();
    const stopDetail = (await dialog.locator('.dialog-message-detail').innerText().catch(() => '')).replace(/\s+/g, ' ');
    log(`stop modal: ${stopQuestion} ${stopDetail.slice(0, 200)}`);
    if (!/^Stop spot job "llm-finetune"\? Its 1 instance is terminated now/.test(stopQuestion)) throw new Error(`the Stop modal asks "${stopQuestion}"`);
    for (const id of [...made2.templates, ...made2.fleets]) if (!stopDetail.includes(id)) throw new Error(`the Stop modal does not name ${id}: ${stopDetail}`);
    await answer('Stop Job');
    await waitFor(async () => { const left = await created(moto.endpoint); return !left.templates.length && !left.fleets.length; }, 'moto to hold no launch template and no fleet after Stop', 120_000, 1_000);
    await waitFor(async () => /planned · est\. \$[\d,.]+ spot for \d+ h/.test((await row.innerText()).replace(/\s+/g, ' ')), 'the job planned again in the view', 120_000);
    log('stopped: nothing left in moto, the job planned again');
  } finally {
    if (sidebarWidth) await dragSidebarTo(page, sidebarWidth).catch(() => undefined);
    if (paneWasExpanded === 'false') await spotPane.locator('.pane-header').first().click().catch(() => undefined);
    if (original === undefined) fs.writeFileSync(settingsFile, '{}'); else fs.writeFileSync(settingsFile, original);
    fs.rmSync(credentials, { force: true });
    await moto.stop();
  }
}
