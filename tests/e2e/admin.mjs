// Browser test of the admin pages on a running demo store (tests/stack/up.sh).
//
//   node tests/e2e/admin.mjs ENVFILE
//
// Logs in as the stack's admin, walks the setup wizard end to end against the stack's Cloud API
// sandbox (credentials checked green, copy buttons, Meta's webhook handshake, a test message that
// lands in the sandbox, the doctor, finish), then opens every settings tab, saves one and checks
// that another tab's values did not change. Screenshots: target/e2e/admin-*.png.

import { chromium } from 'playwright-core';
import { login, readEnv } from './lib/common.mjs';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [envFile] = process.argv.slice(2);
if (!envFile) {
  console.error('usage: admin.mjs ENVFILE');
  process.exit(2);
}
const env = readEnv(envFile);
const SITE = env.SITE_URL.replace(/\/$/, '');
const SANDBOX = env.SANDBOX_URL.replace(/\/$/, '');
const SHOTS = join(ROOT, 'target', 'e2e');
mkdirSync(SHOTS, { recursive: true });
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) { failures++; throw new Error(what); }
}
const shot = (page, name) => page.screenshot({ path: join(SHOTS, `admin-${name}.png`), fullPage: true });
const setup = (q) => `${SITE}/wp-admin/admin.php?page=cartpinger-setup&${q}`;
const settings = (tab) => `${SITE}/wp-admin/admin.php?page=cartpinger-settings&tab=${tab}`;

async function formValues(page) {
  return page.evaluate(() => {
    const out = {};
    document.querySelectorAll('form.cartpinger-settings-form [name^="cartpinger["]').forEach((el) => {
      out[el.name] = el.type === 'checkbox' ? el.checked : el.value;
    });
    return out;
  });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SITE });
  const p = await ctx.newPage();
  const jsErrors = [];
  p.on('pageerror', (e) => jsErrors.push(String(e)));

  await login(p, env);

  // 1. Welcome.
  await p.goto(setup('step=1'));
  check(await p.locator('a.cartpinger-guide').getAttribute('href') === 'https://developers.facebook.com/docs/whatsapp/cloud-api/get-started', 'step 1 links to Meta\'s setup guide');
  await shot(p, '1-welcome');
  await Promise.all([p.waitForURL(/step=2/), p.click('a.cartpinger-next')]);

  // 2. Credentials, checked against the sandbox.
  check(await p.locator('#cartpinger-access-token').getAttribute('value') === '', 'the saved token is never printed');
  await p.fill('#cartpinger-phone-number-id', env.PHONE_NUMBER_ID);
  await p.fill('#cartpinger-waba-id', env.WABA_ID);
  await p.fill('#cartpinger-access-token', env.SANDBOX_TOKEN);
  await shot(p, '2-credentials');
  await Promise.all([p.waitForURL(/step=3/), p.click('form.cartpinger-credentials [type=submit]')]);
  const credOutcome = p.locator('.cartpinger-outcome');
  check(await credOutcome.getAttribute('data-ok') === '1', `credentials check green: ${await credOutcome.textContent()}`);
  check(/CartPinger Sandbox/.test(await credOutcome.textContent()), 'the phone\'s verified name is shown');

  // 3. Webhook: copy buttons, then Meta's handshake (done here with fetch, as Meta would).
  check(await p.locator('button.cartpinger-copy').count() === 2, 'two copy buttons');
  const hookUrl = await p.inputValue('#cartpinger-webhook-url');
  const verify = await p.inputValue('#cartpinger-verify-token');
  check(hookUrl === `${SITE}/wp-json/cartpinger/v1/webhook`, `callback URL ${hookUrl}`);
  check(verify.length > 0, 'a verify token is shown');
  await p.click('button.cartpinger-copy[data-copy="cartpinger-verify-token"]');
  await p.waitForFunction(() => document.querySelector('button.cartpinger-copy[data-copy="cartpinger-verify-token"]').textContent !== 'Copy', null, { timeout: 5000 });
  const label = await p.locator('button.cartpinger-copy[data-copy="cartpinger-verify-token"]').textContent();
  check(label === 'Copied', `copy button answers "${label}"`);
  check(await p.evaluate(() => navigator.clipboard.readText()) === verify, 'the verify token is on the clipboard');
  await shot(p, '3-webhook');
  const hs = await fetch(`${hookUrl}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(verify)}&hub.challenge=e2e-challenge`);
  check(hs.status === 200 && (await hs.text()) === 'e2e-challenge', `webhook handshake answers the challenge (${hs.status})`);
  await p.reload();
  check(await p.locator('.cartpinger-webhook-verified').count() === 1, 'step 3 shows the webhook as verified');
  await Promise.all([p.waitForURL(/step=4/), p.click('a.cartpinger-next')]);

  // 4. Test message, sent through the queue to the sandbox.
  const phone = '+34600222' + String(Date.now()).slice(-3);
  await p.fill('#cartpinger-test-phone', phone);
  await Promise.all([p.waitForURL(/step=4/), p.click('form.cartpinger-test [type=submit]')]);
  const testOutcome = p.locator('.cartpinger-outcome');
  const testText = await testOutcome.textContent();
  check(await testOutcome.getAttribute('data-ok') === '1', `test message sent: ${testText}`);
  check(/wamid/.test(testText), 'the outcome shows the wamid');
  const sbx = await (await fetch(`${SANDBOX}/_sandbox/messages?limit=500`)).json();
  const landed = (sbx.messages || []).filter((m) => JSON.stringify(m).includes(phone.slice(1)) && JSON.stringify(m).includes('abandoned_cart_recovery'));
  check(landed.length === 1, `the test message, a real first reminder, landed in the sandbox (${landed.length})`);
  // Its button opens the shop with a sample cart, on the checkout (issue 16 point 3).
  // Tapped in the sandbox's inbox, as the merchant taps it in WhatsApp (a fresh profile).
  const sample = await browser.newContext();
  const sp = await sample.newPage();
  await sp.goto(`${SANDBOX}/inbox?to=${phone.replace('+', '')}`);
  await Promise.all([sp.waitForNavigation({ timeout: 60000 }), sp.locator('.btn a').first().click()]);
  // The shop's checkout page: /checkout/ (block) or /classic-checkout/ (the classic stack).
  const sampleCart = await (await sp.request.get(`${SITE}/wp-json/wc/store/v1/cart`)).json();
  const sampleItems = (sampleCart.items || []).map((i) => i.name);
  if (sampleItems.length) await sp.getByText(sampleItems[0]).first().waitFor({ state: 'attached', timeout: 30000 }).catch(() => {});
  check(/\/(classic-)?checkout\/\?utm_source=cartpinger/.test(sp.url()) && /sample cart/.test(await sp.locator('body').innerText())
    && sampleItems.length > 0 && (await sp.content()).includes(sampleItems[0]),
    `the test reminder's link opens a sample cart on the checkout (${sp.url()}, cart: ${JSON.stringify(sampleItems)})`);
  await sp.screenshot({ path: join(SHOTS, 'admin-4-test-sample-cart.png'), fullPage: true });
  await sample.close();
  await shot(p, '4-test-message');

  // 5. Doctor and finish.
  await p.goto(setup('step=5'));
  const state = async (id) => p.locator(`tr.cartpinger-check[data-check="${id}"]`).getAttribute('data-state');
  check(await state('credentials') === 'ok', 'doctor: credentials green');
  check(await state('webhook_verified') === 'ok', 'doctor: webhook verified green');
  check(await state('template_order_confirmed') === 'ok', 'doctor: order_confirmed approved');
  check(await state('queue_paused') === 'ok', 'doctor: queue not paused');
  check(await state('token_type') === 'note', 'doctor: token type is a note');
  console.log('     doctor:', JSON.stringify(await p.$$eval('tr.cartpinger-check', (rows) => rows.map((r) => `${r.dataset.check}=${r.dataset.state}`))));
  await shot(p, '5-doctor');
  await Promise.all([p.waitForURL(/page=cartpinger(&|$)/), p.click('form.cartpinger-finish [type=submit]')]);
  check(/page=cartpinger$/.test(p.url()) || /page=cartpinger&/.test(p.url()), `finish goes to the dashboard (${p.url()})`);
  await p.goto(setup('view=doctor'));
  check(await p.locator('table.cartpinger-doctor').count() === 1, '?view=doctor shows the doctor');

  // Settings: every tab opens; saving one leaves another unchanged.
  const tabs = ['whatsapp', 'recovery', 'consent', 'orders', 'widget', 'supporter', 'advanced'];
  const before = {};
  for (const tab of tabs) {
    await p.goto(settings(tab));
    check(await p.locator(`a.nav-tab-active[data-tab="${tab}"]`).count() === 1, `settings tab ${tab} opens`);
    before[tab] = await formValues(p);
    if (tab === 'supporter') check(await p.locator('.cartpinger-tab-supporter').count() === 1, 'the supporter tab shows its placeholder note');
    await shot(p, `settings-${tab}`);
  }
  check(before.supporter && Object.keys(before.supporter).length === 0, 'the supporter tab has no form fields');
  await p.goto(settings('whatsapp'));
  check(await p.locator('#cartpinger-access-token').getAttribute('placeholder') === 'Saved — leave blank to keep', 'a saved secret shows the placeholder');

  await p.goto(settings('recovery'));
  const delay = before.recovery['cartpinger[recovery_delay_minutes]'] === '33' ? '34' : '33';
  await p.fill('#cartpinger-recovery-delay-minutes', delay);
  await p.setChecked('#cartpinger-enable-auto-coupon', !before.recovery['cartpinger[enable_auto_coupon]']);
  await Promise.all([p.waitForURL(/updated=1/), p.click('form.cartpinger-settings-form [type=submit]')]);
  check(await p.locator('.cartpinger-settings-saved').count() === 1, 'saved notice');
  const after = await formValues(p);
  check(after['cartpinger[recovery_delay_minutes]'] === delay, `recovery delay saved (${after['cartpinger[recovery_delay_minutes]']})`);
  check(after['cartpinger[enable_auto_coupon]'] === !before.recovery['cartpinger[enable_auto_coupon]'], 'unchecking/checking a switch is saved');
  await shot(p, 'settings-saved');
  for (const tab of ['widget', 'whatsapp', 'orders', 'advanced']) {
    await p.goto(settings(tab));
    check(JSON.stringify(await formValues(p)) === JSON.stringify(before[tab]), `tab ${tab} unchanged after saving recovery`);
  }

  // A validation error comes back with its message and field.
  await p.goto(settings('recovery'));
  await p.fill('#cartpinger-holdout-percent', '77');
  // The browser's own min/max check would stop the form: bypass it to reach the server's.
  await p.evaluate(() => { document.querySelector('form.cartpinger-settings-form').noValidate = true; });
  await Promise.all([p.waitForURL(/settings-error=1/), p.click('form.cartpinger-settings-form [type=submit]')]);
  const err = p.locator('.cartpinger-settings-error');
  check(await err.getAttribute('data-field') === 'holdout_percent', 'error names the field');
  check(/0 to 50/.test(await err.textContent()), `error message: ${await err.textContent()}`);
  await shot(p, 'settings-error');
  // Issue 16 point 5: what was typed stays, and the error sits at its field.
  check(await p.inputValue('#cartpinger-holdout-percent') === '77', 'the typed value is kept after the error');
  check(await p.locator('#cartpinger-holdout-percent[aria-invalid="true"]').count() === 1 && /0 to 50/.test(await p.locator('.cartpinger-field-error').textContent()), 'error shown at the field');
  check(await p.locator('.cartpinger-step').count() === 3, 'reminders as a timeline of 3 steps');
  check(await p.locator('.form-table tr').count() === await p.locator('.form-table p.description').count(), 'help under every field');
  await p.setViewportSize({ width: 390, height: 844 });
  await shot(p, 'settings-error-390');
  await p.setViewportSize({ width: 1280, height: 900 });

  // Issue 16 point 2: the chat button tab previews the choices live, before saving.
  await p.goto(settings('widget'));
  await p.fill('#cartpinger-support-phone', '+34 612 345 678');
  await p.selectOption('#cartpinger-widget-position', 'left');
  check((await p.locator('.cartpinger-preview-url').textContent()).startsWith('https://wa.me/34612345678'), `live preview link (${await p.locator('.cartpinger-preview-url').textContent()})`);
  check(await p.locator('.cartpinger-preview-screen[data-position="left"]').count() === 1, 'live preview follows the position');
  await shot(p, 'settings-widget-preview');
  await p.setViewportSize({ width: 390, height: 844 });
  await shot(p, 'settings-widget-preview-390');
  await p.setViewportSize({ width: 1280, height: 900 });

  // Issue 16 point 1: the consent texts are editable, with the text shoppers read now.
  await p.goto(settings('consent'));
  check(/up to \d reminders?/.test(await p.locator('[data-consent="reminders"]').textContent()), 'consent tab shows the reminders text as shoppers read it');
  await shot(p, 'settings-consent');
  check(jsErrors.length === 0, `no JavaScript errors (${jsErrors.join('; ')})`);
  console.log('PASS admin');
} catch (e) {
  console.error(`FAIL admin: ${e.message}`);
  failures++;
} finally {
  await browser.close();
}
process.exit(failures ? 1 : 0);
