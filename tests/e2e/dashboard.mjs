// Browser test of the Dashboard, the CSV export and the Templates page on a running demo store.
//
//   node tests/e2e/dashboard.mjs ENVFILE
//
// ENVFILE is the one tests/stack/up.sh --background wrote. Seeds a few carts and messages with
// PHP (tests/e2e/lib/dashboard-seed.php, through the stack's PHP_EXT_ARGS / PHP_INI_SCAN_DIR),
// logs in as admin, checks
// that uPlot drew a canvas and the KPIs show, downloads the export and checks its header row,
// and sees APPROVED statuses on the Templates page (the sandbox approves the catalog).
// Screenshots: target/e2e/dashboard.png, dashboard-90.png, templates.png. Exit 1 on a failure.
import { chromium } from 'playwright-core';
import { login, readEnv } from './lib/common.mjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const envFile = process.argv[2];
if (!envFile) {
  console.error('usage: dashboard.mjs ENVFILE');
  process.exit(2);
}
const env = readEnv(envFile);
const SITE = env.SITE_URL.replace(/\/$/, '');
const SHOTS = join(ROOT, 'target', 'e2e');
mkdirSync(SHOTS, { recursive: true });
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} [dashboard] ${what}`);
  if (!ok) failures++;
}

function php(script, ...args) {
  const argv = [...(env.PHP_EXT_ARGS || '').split(' ').filter(Boolean), join(ROOT, script), ...args];
  const phpEnv = { ...process.env, ...(env.PHP_INI_SCAN_DIR ? { PHP_INI_SCAN_DIR: env.PHP_INI_SCAN_DIR } : {}) };
  return JSON.parse(execFileSync('php', argv, { encoding: 'utf8', env: phpEnv }).trim().split('\n').pop());
}

// 1. Wiring and data.
const seeded = php('tests/e2e/lib/dashboard-seed.php', env.WP_DIR);
check(seeded.ids.length === 9, `seeded ${seeded.ids.length} carts (${seeded.total} in the table)`);

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
try {
  const ctx = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const jsErrors = [];
  page.on('pageerror', (e) => jsErrors.push(String(e)));
  await login(page, env);

  // 2. Dashboard: chart, KPIs, the original heartbeat and counts.
  await page.goto(`${SITE}/wp-admin/admin.php?page=cartpinger&range=7`);
  await page.waitForSelector('#cartpinger-chart canvas', { timeout: 15000 });
  const canvas = await page.evaluate(() => {
    const c = document.querySelector('#cartpinger-chart canvas');
    return c ? { w: c.width, h: c.height, bw: c.getBoundingClientRect().width } : null;
  });
  check(canvas && canvas.w > 0 && canvas.h > 0 && canvas.bw > 0, `uPlot canvas rendered (${JSON.stringify(canvas)})`);
  check(await page.locator('#cartpinger-chart .u-legend').count() === 1, 'chart legend present');
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.src).filter(Boolean));
  check(scripts.some((s) => s.includes('/assets/vendor/uplot/uPlot.iife.min.js')) && !scripts.some((s) => /cdn|unpkg|jsdelivr/.test(s)),
    'uPlot is served from the plugin (no CDN)');
  const kpi = async (k) => (await page.locator(`[data-kpi="${k}"] .cartpinger-kpi-value`).textContent()).trim();
  const captured = Number(await kpi('captured'));
  check(captured >= 9, `KPI captured carts: ${captured}`);
  check(Number(await kpi('recovered')) >= 2, `KPI recovered: ${await kpi('recovered')}`);
  check(Number(await kpi('failed')) >= 1, `KPI failed: ${await kpi('failed')}`);
  check(/€|EUR/.test(await kpi('revenue')), `KPI revenue: ${await kpi('revenue')}`);
  check(await page.locator('[data-kpi="cost"]').count() === 1, `KPI Meta cost: ${await kpi('cost')}`);
  check(/%/.test(await kpi('recovery_rate')), `KPI recovery rate: ${await kpi('recovery_rate')}`);
  check(await page.locator('.cartpinger-heartbeat').count() === 1, 'heartbeat line kept');
  const recoveredCount = Number(await page.locator('tr[data-status="recovered"] td').nth(1).textContent());
  check(recoveredCount >= 2, `counts table: recovered = ${recoveredCount}`);
  check(await page.locator('tr[data-group="holdout"]').count() === 1, 'holdout comparison shown');
  check(Number(await page.locator('tr[data-step="ordered"] td').nth(1).textContent()) >= 2, 'funnel ordered step');
  check(/131026: Message undeliverable/.test(await page.locator('.cartpinger-recent-messages').textContent()), 'failure reason listed');
  await page.screenshot({ path: join(SHOTS, 'dashboard.png'), fullPage: true });

  // Filters: failed messages only.
  await page.selectOption('select[name="msg_status"]', 'failed');
  await Promise.all([page.waitForURL(/msg_status=failed/), page.locator('select[name="msg_status"]').locator('xpath=ancestor::form').locator('button').click()]);
  const statuses = await page.locator('.cartpinger-recent-messages tbody tr[data-message-status]').evaluateAll((rows) => rows.map((r) => r.dataset.messageStatus));
  check(statuses.length >= 1 && statuses.every((s) => s === 'failed'), `message status filter (${statuses.join(',')})`);

  // Range picker.
  await page.click('a[data-range="90"]');
  await page.waitForSelector('#cartpinger-chart canvas');
  check(await page.locator('a[data-range="90"].current').count() === 1, '90-day range selected');
  const points = await page.evaluate(() => JSON.parse(document.getElementById('cartpinger-dashboard-data').textContent).x.length);
  check(points === 90, `90 points in the chart data (${points})`);
  await page.screenshot({ path: join(SHOTS, 'dashboard-90.png'), fullPage: true });

  // 3. Export download.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('button.cartpinger-export')]);
  check(download.suggestedFilename() === 'cartpinger-recoveries.csv', `download name ${download.suggestedFilename()}`);
  const csvPath = join(SHOTS, 'cartpinger-recoveries.csv');
  await download.saveAs(csvPath);
  const csv = readFileSync(csvPath, 'utf8');
  const header = csv.split('\r\n')[0];
  check(header === 'id,created_at,status,close_reason,sequence_step,customer_phone,customer_name,customer_email,consent,consent_at,messaged_at,clicked_at,recovered_at,recovered_order_id,recovered_revenue,currency,holdout',
    `CSV header row: ${header}`);
  check(csv.includes(`"E2E, ""Shopper"" 0"`) && csv.includes(`'=HYPERLINK`), 'CSV quoting and formula neutralising');
  const firstId = Number(csv.split('\r\n')[1].split(',')[0]);
  check(firstId === Math.max(...seeded.ids), `newest first (first id ${firstId})`);

  // 4. Templates page.
  await page.goto(`${SITE}/wp-admin/admin.php?page=cartpinger-templates`);
  await page.waitForSelector('.cartpinger-template-status');
  const tplStatuses = await page.locator('.cartpinger-template-status').evaluateAll((els) => els.map((e) => e.dataset.status));
  check(tplStatuses.length === 35 && tplStatuses.every((s) => s === 'APPROVED'), `Templates: ${tplStatuses.length} statuses, ${tplStatuses.filter((s) => s === 'APPROVED').length} APPROVED`);
  check(await page.locator('.cartpinger-template.card').count() === 7, 'one card per template');
  check(/Hi .+, you left some items in your cart/.test(await page.locator('[data-template="abandoned_cart_recovery"] [data-language="en"] .cartpinger-wa-body').innerText()), 'WhatsApp-style English preview');
  const buttonUrl = await page.locator('#cartpinger-button-url').inputValue();
  check(buttonUrl.startsWith(SITE) && buttonUrl.endsWith('{{1}}'), `exact button URL shown (${buttonUrl})`);
  check(await page.locator('button.cartpinger-copy[data-copy="cartpinger-button-url"]').count() === 1, 'copy button for the URL');
  await page.screenshot({ path: join(SHOTS, 'templates.png'), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SHOTS, 'templates-390.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await Promise.all([page.waitForURL(/cartpinger_refreshed=1/), page.click('button.cartpinger-refresh')]);
  check(await page.locator('.cartpinger-template-status[data-status="APPROVED"]').count() === 35, 'Refresh keeps 35 APPROVED');

  check(jsErrors.length === 0, `no page JS errors ${jsErrors.join(' | ')}`);
} catch (e) {
  check(false, `exception: ${e.stack || e}`);
} finally {
  await browser.close();
}
console.log(failures === 0 ? 'dashboard e2e: all checks passed' : `dashboard e2e: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
