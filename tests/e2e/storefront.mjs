// Browser check of what a shopper sees of CartPinger on both checkouts, on a desktop and on a
// 390 px phone (issue 16 points 1 and 2), on a running demo store (tests/stack/up.sh --fast):
//
//   node tests/e2e/storefront.mjs ENVFILE
//
// - The two consents (order updates; reminders and offers) sit right under the phone field:
//   the next form control after the phone input is the order-updates box, then the reminders
//   box, and the first box starts within 80 px below the phone input. Their texts name the
//   shop, say how many reminders, "STOP" and the privacy policy.
// - The chat button is not on cart or checkout by default; with "All pages" chosen it is there
//   but its box never intersects Place Order at any scroll position on a 390 px phone.
// Screenshots: target/e2e/<checkout>-consent-<desktop|390>.png, <checkout>-chat-<desktop|390>.png.
import { chromium } from 'playwright-core';
import { readEnv } from './lib/common.mjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [envFile] = process.argv.slice(2);
if (!envFile) {
  console.error('usage: storefront.mjs ENVFILE');
  process.exit(2);
}
const env = readEnv(envFile);
const SITE = env.SITE_URL.replace(/\/$/, '');
const SHOTS = join(ROOT, 'target', 'e2e');
mkdirSync(SHOTS, { recursive: true });
const UPDATES = /Send me updates about my order from .* on WhatsApp/;
const REMINDERS = /Remind me on WhatsApp if I leave items in my cart/;
const VIEWPORTS = [{ name: 'desktop', width: 1280, height: 900 }, { name: '390', width: 390, height: 844 }];
const PAGES = { classic: 'classic-checkout', block: 'checkout' };
// tests/e2e/run.sh narrows this to the classic checkout on WooCommerce before 8.9, whose
// Checkout block cannot show the consent boxes (the setup doctor says so).
const CHECKOUTS = (process.env.CARTPINGER_E2E_CHECKOUTS || 'classic,block').split(',').filter((c) => c in PAGES);
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} [storefront] ${what}`);
  if (!ok) failures++;
  return ok;
}

/** Runs PHP in the stack's WordPress (with the extension) and returns its last output line. */
function php(code) {
  const full = `$_SERVER['HTTP_HOST'] = '127.0.0.1'; $_SERVER['REQUEST_URI'] = '/';
require ${JSON.stringify(join(env.WP_DIR, 'wp-load.php'))};
${code}`;
  const args = [...(env.PHP_EXT_ARGS || '').split(' ').filter(Boolean), '-r', full];
  const phpEnv = { ...process.env, ...(env.PHP_INI_SCAN_DIR ? { PHP_INI_SCAN_DIR: env.PHP_INI_SCAN_DIR } : {}) };
  return execFileSync('php', args, { encoding: 'utf8', env: phpEnv }).trim().split('\n').pop();
}

function widget(values) {
  return JSON.parse(php(`$s = \\CartPinger\\Plugin::instance()->settings(); $out = array();
foreach ( json_decode( ${JSON.stringify(JSON.stringify(values))}, true ) as $k => $v ) {
  if ( null === $v ) { delete_option( \\CartPinger\\Settings\\Settings::option_name( $k ) ); } else { $s->set( $k, $v ); }
  $out[ $k ] = $s->get( $k );
}
echo wp_json_encode( $out ), PHP_EOL;`));
}

async function openCheckout(browser, checkout, vp) {
  const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height } });
  const page = await context.newPage();
  const products = await (await fetch(`${SITE}/wp-json/wc/store/v1/products?per_page=1&type=simple`)).json();
  await page.goto(`${SITE}/?add-to-cart=${products[0].id}`);
  await page.goto(`${SITE}/${PAGES[checkout]}/`);
  await page.waitForSelector(checkout === 'block' ? '.wc-block-checkout' : 'form.checkout', { timeout: 30000 });
  return { context, page };
}

async function phoneInput(page, checkout) {
  const ids = checkout === 'classic' ? ['billing_phone'] : ['shipping-phone', 'billing-phone'];
  // The block checkout renders its address form after the page loads.
  await page.locator(ids.map((id) => `#${id}`).join(', ')).first().waitFor({ state: 'visible', timeout: 30000 }).catch(() => {});
  for (const id of ids) {
    const el = page.locator(`#${id}`);
    if (await el.count() && await el.first().isVisible()) return el.first();
  }
  return null;
}

async function consentWalk(browser, checkout, vp) {
  const { context, page } = await openCheckout(browser, checkout, vp);
  try {
    const phone = await phoneInput(page, checkout);
    if (!check(Boolean(phone), `${checkout} ${vp.name}: phone field visible`)) return;
    const updates = page.getByLabel(UPDATES).first();
    const reminders = page.getByLabel(REMINDERS).first();
    await updates.waitFor({ timeout: 15000 });
    // Document order: the first form controls after the phone input are our two boxes.
    const order = await page.evaluate((phoneId) => {
      const controls = Array.from(document.querySelectorAll('input, select, textarea'))
        .filter((n) => n.type !== 'hidden' && (n.offsetWidth || n.offsetHeight || n.getClientRects().length));
      const i = controls.findIndex((n) => n.id === phoneId);
      const label = (n) => (n && n.labels && n.labels[0] ? n.labels[0].innerText : '');
      return { next: label(controls[i + 1]), after: label(controls[i + 2]) };
    }, await phone.getAttribute('id'));
    check(UPDATES.test(order.next), `${checkout} ${vp.name}: the control right after the phone is the order-updates consent ("${order.next.slice(0, 60)}…")`);
    check(REMINDERS.test(order.after), `${checkout} ${vp.name}: then the reminders consent ("${order.after.slice(0, 60)}…")`);
    await phone.scrollIntoViewIfNeeded();
    const p = await phone.boundingBox();
    const u = await updates.boundingBox();
    const r = await reminders.boundingBox();
    const gap = Math.round(u.y - (p.y + p.height));
    check(gap >= 0 && gap < 80 && r.y > u.y, `${checkout} ${vp.name}: the boxes start ${gap} px under the phone field (< 80), reminders below updates`);
    const texts = [await page.getByText(UPDATES).first().innerText(), await page.getByText(REMINDERS).first().innerText()];
    for (const t of texts) {
      check(/STOP/.test(t) && /privacy policy/i.test(t) && !/[{}]/.test(t), `${checkout} ${vp.name}: consent text says STOP and names the privacy policy, no placeholders left`);
    }
    check(/up to \d reminders?/.test(texts[1]), `${checkout} ${vp.name}: reminders text says how many ("${texts[1].match(/up to \d reminders?/)}")`);
    // The shot: the phone and both boxes in view.
    await page.evaluate((y) => window.scrollTo(0, Math.max(0, y - 200)), p.y + (await page.evaluate(() => window.scrollY)));
    await page.screenshot({ path: join(SHOTS, `${checkout}-consent-${vp.name}.png`) });
  } finally {
    await context.close();
  }
}

/** Waits (up to 15 s) until the page height and Place Order's place stay put for 1 s. */
async function settled(page, selector) {
  let last = '';
  let since = Date.now();
  const end = Date.now() + 15000;
  while (Date.now() < end) {
    const now = await page.evaluate((sel) => {
      const n = document.querySelector(sel); const r = n ? n.getBoundingClientRect() : { top: 0, left: 0 };
      return `${document.documentElement.scrollHeight}|${Math.round(r.top + window.scrollY)}|${Math.round(r.left)}`;
    }, selector);
    if (now !== last) { last = now; since = Date.now(); } else if (Date.now() - since >= 1000) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function intersects(a, b) {
  return a && b && a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function chatWalk(browser, checkout, vp, rule) {
  const { context, page } = await openCheckout(browser, checkout, vp);
  try {
    const chat = page.locator('#cartpinger-chat');
    if (rule === 'default') {
      check(await chat.count() === 0, `${checkout} ${vp.name}: no chat button on checkout by default`);
      return;
    }
    check(await chat.count() === 1, `${checkout} ${vp.name}: with "All pages" the chat button is on the checkout`);
    const selector = checkout === 'classic' ? '#place_order' : '.wc-block-components-checkout-place-order-button';
    const button = page.locator(selector).first();
    await button.waitFor({ timeout: 30000 });
    if (checkout === 'classic') await page.waitForFunction(() => !document.querySelector('.blockUI'));
    // The page as the shopper scrolls it: the Checkout block renders its address form after
    // Place Order is there (WooCommerce 9.9+), which moves everything below it; measure once the
    // form is in and the layout has stopped moving.
    await phoneInput(page, checkout);
    await settled(page, selector);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    let hits = 0;
    let positions = 0;
    const seen = [];
    for (let y = 0; y <= height; y += 150) {
      // Both boxes from the same layout (one evaluate), in viewport coordinates.
      const [c, b] = await page.evaluate(([top, sel]) => {
        window.scrollTo(0, top);
        const box = (n) => { if (!n) return null; const r = n.getBoundingClientRect(); return r.width || r.height ? { x: r.x, y: r.y, width: r.width, height: r.height } : null; };
        return [box(document.getElementById('cartpinger-chat')), box(document.querySelector(sel))];
      }, [y, selector]);
      positions++;
      if (intersects(c, b)) { hits++; seen.push(`y=${y}: chat ${JSON.stringify(c)} button ${JSON.stringify(b)}`); }
    }
    check(hits === 0, `${checkout} ${vp.name}: the chat button never intersects Place Order (${positions} scroll positions)${seen.length ? `: ${seen.join('; ')}` : ''}`);
    await button.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, `${checkout}-chat-${vp.name}.png`) });
  } finally {
    await context.close();
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});
try {
  for (const checkout of CHECKOUTS) {
    for (const vp of VIEWPORTS) {
      try { await consentWalk(browser, checkout, vp); } catch (e) { check(false, `${checkout} ${vp.name} consent: ${e.message}`); }
    }
  }
  const saved = widget({ widget_enabled: '1', support_phone: '+34 612 345 678', widget_pages: null });
  check(saved.widget_pages === 'not_checkout', `widget pages default: ${saved.widget_pages}`);
  for (const rule of ['default', 'all']) {
    if (rule === 'all') widget({ widget_pages: 'all' });
    for (const checkout of CHECKOUTS) {
      for (const vp of VIEWPORTS) {
        try { await chatWalk(browser, checkout, vp, rule); } catch (e) { check(false, `${checkout} ${vp.name} chat (${rule}): ${e.message}`); }
      }
    }
  }
} finally {
  try { widget({ widget_enabled: '0', widget_pages: null, support_phone: '' }); } catch { /* stack may be gone */ }
  await browser.close();
}
console.log(failures ? `FAIL storefront: ${failures} failed checks` : 'PASS storefront');
process.exit(failures ? 1 : 0);
