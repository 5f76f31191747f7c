// Browser check of the click-to-chat widget on a running demo store (tests/stack/up.sh).
//
//   node tests/e2e/widget.mjs ENVFILE
//
// Turns the widget on through CartPinger's Settings (php with the stack's extension and ini
// dir), opens the shop in headless Chromium (Debian's, driven by playwright-core) and checks the
// link's accessible name, href, target/rel, position and look, that Tab reaches it and shows a
// focus outline, that reduced motion drops the transition, the device rule, that nothing is
// printed when it is off, and that no request leaves 127.0.0.1. Screenshot:
// target/e2e/widget.png. Exit status 1 on any failed check.
//
// Until Plugin.php registers CartPinger\Frontend\Widget itself, this script installs a
// temporary mu-plugin (cartpinger-widget-e2e.php) that does, and removes it at the end.
import { chromium } from 'playwright-core';
import { login, readEnv } from './lib/common.mjs';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const [envFile] = process.argv.slice(2);
if (!envFile) {
  console.error('usage: widget.mjs ENVFILE');
  process.exit(2);
}
const env = readEnv(envFile);
const SITE = env.SITE_URL.replace(/\/$/, '');
const SHOP = (env.SHOP_URL || `${SITE}/shop/`);
const SHOTS = join(ROOT, 'target', 'e2e');
mkdirSync(SHOTS, { recursive: true });
const MU = join(env.WP_DIR, 'wp-content', 'mu-plugins', 'cartpinger-widget-e2e.php');
const PHONE_TYPED = '+34 612 345 678';
const DIGITS = '34612345678';
const MESSAGE = "Hola, ¿tenéis la talla M? It's for 2 & more (urgent)!";
let failures = 0;

function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} [widget] ${what}`);
  if (!ok) failures++;
  return ok;
}

// RFC 3986 percent-encoding, as PHP's rawurlencode().
const rfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// Sets CartPinger settings through \CartPinger\Plugin::instance()->settings()->set().
function settings(values) {
  const code = `
$_SERVER['HTTP_HOST'] = '127.0.0.1'; $_SERVER['REQUEST_URI'] = '/';
require ${JSON.stringify(join(env.WP_DIR, 'wp-load.php'))};
$plugin = \\CartPinger\\Plugin::instance();
if ( null === $plugin ) { fwrite( STDERR, "CartPinger did not boot\\n" ); exit( 1 ); }
$out = array();
foreach ( json_decode( ${JSON.stringify(JSON.stringify(values))}, true ) as $k => $v ) {
  $r = $plugin->settings()->set( $k, $v );
  $out[ $k ] = is_wp_error( $r ) ? $r->get_error_code() : $plugin->settings()->get( $k );
}
echo wp_json_encode( $out ), PHP_EOL;`;
  const args = [...(env.PHP_EXT_ARGS || '').split(' ').filter(Boolean), '-r', code];
  const phpEnv = { ...process.env, ...(env.PHP_INI_SCAN_DIR ? { PHP_INI_SCAN_DIR: env.PHP_INI_SCAN_DIR } : {}) };
  return JSON.parse(execFileSync('php', args, { encoding: 'utf8', env: phpEnv }).trim().split('\n').pop());
}

const MU_PLUGIN = `<?php
/**
 * TEMPORARY, written by tests/e2e/widget.mjs into this throwaway demo stack only, and removed by
 * it at the end: registers CartPinger\\Frontend\\Widget until Plugin.php does so itself. When the
 * plugin already registered a Widget, this does nothing (no second button).
 */
add_action(
\t'init',
\tstatic function () {
\t\tif ( ! class_exists( '\\\\CartPinger\\\\Plugin' ) || null === \\CartPinger\\Plugin::instance() ) {
\t\t\treturn;
\t\t}
\t\tforeach ( $GLOBALS['wp_filter']['wp_footer']->callbacks ?? array() as $callbacks ) {
\t\t\tforeach ( $callbacks as $cb ) {
\t\t\t\tif ( is_array( $cb['function'] ) && $cb['function'][0] instanceof \\CartPinger\\Frontend\\Widget ) {
\t\t\t\t\treturn;
\t\t\t\t}
\t\t\t}
\t\t}
\t\t( new \\CartPinger\\Frontend\\Widget( \\CartPinger\\Plugin::instance()->settings() ) )->register();
\t}
);
`;

writeFileSync(MU, MU_PLUGIN);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking'],
});
const outside = [];
async function newPage(options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  page.on('request', (req) => {
    const url = new URL(req.url());
    if (['data:', 'blob:', 'about:'].includes(url.protocol)) return;
    if (url.hostname !== '127.0.0.1') outside.push(req.url());
  });
  return { context, page };
}

try {
  const saved = settings({
    widget_enabled: '1', support_phone: PHONE_TYPED, widget_message: MESSAGE,
    widget_position: 'right', widget_pages: 'all', widget_devices: 'all',
  });
  check(saved.widget_enabled === true && saved.support_phone === `+${DIGITS}`, `settings saved: ${JSON.stringify(saved)}`);

  // ---- desktop, default motion
  {
    const { context, page } = await newPage();
    await page.goto(SHOP, { waitUntil: 'load' });
    const links = page.getByRole('link', { name: 'Open WhatsApp chat', exact: true });
    check(await links.count() === 1, 'exactly one link named "Open WhatsApp chat" (accessible name)');
    const link = page.locator('#cartpinger-chat');
    const href = await link.getAttribute('href');
    check(href === `https://wa.me/${DIGITS}?text=${rfc3986(MESSAGE)}`, `href is wa.me with the RFC 3986-encoded message (${href})`);
    check(await link.getAttribute('target') === '_blank', 'target="_blank"');
    check(await link.getAttribute('rel') === 'noopener noreferrer', 'rel="noopener noreferrer"');
    check(await page.locator('#cartpinger-chat svg[aria-hidden="true"]').count() === 1, 'icon is an inline SVG hidden from assistive technology');
    check(await page.locator('style#cartpinger-chat-css').count() === 1, 'one inline style element');
    const box = await link.boundingBox();
    check(box && Math.round(box.width) === 56 && Math.round(box.height) === 56, `56 x 56 px (${box && `${box.width} x ${box.height}`})`);
    check(box && Math.round(1280 - box.x - box.width) === 24 && Math.round(800 - box.y - box.height) === 24, `24 px from the right and bottom edges (${box && `x=${box.x} y=${box.y}`})`);
    const style = await link.evaluate((el) => { const s = getComputedStyle(el); return { position: s.position, z: s.zIndex, bg: s.backgroundColor, radius: s.borderRadius, transition: s.transitionDuration }; });
    check(style.position === 'fixed' && style.z === '9999' && style.bg === 'rgb(37, 211, 102)' && style.radius === '50%', `fixed, z-index 9999, #25d366, round (${JSON.stringify(style)})`);
    check(style.transition !== '0s', `hover transition without reduced motion (${style.transition})`);

    // Keyboard: Tab from the top of the page until the link has focus.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    let reached = false;
    for (let i = 0; i < 300 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement && document.activeElement.id === 'cartpinger-chat');
    }
    check(reached, 'Tab reaches the link');
    const focus = await link.evaluate((el) => { const s = getComputedStyle(el); return { fv: el.matches(':focus-visible'), style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor }; });
    check(focus.fv && focus.style === 'solid' && parseFloat(focus.width) >= 2, `visible focus outline (${JSON.stringify(focus)})`);
    await page.screenshot({ path: join(SHOTS, 'widget.png') });
    await context.close();
  }

  // ---- reduced motion: no transition
  {
    const { context, page } = await newPage({ reducedMotion: 'reduce' });
    await page.goto(SHOP, { waitUntil: 'load' });
    const t = await page.locator('#cartpinger-chat').evaluate((el) => getComputedStyle(el).transitionDuration);
    check(t === '0s', `prefers-reduced-motion: no transition (${t})`);
    await context.close();
  }

  // ---- left, mobile only
  settings({ widget_position: 'left', widget_devices: 'mobile' });
  {
    const { context, page } = await newPage();
    await page.goto(SHOP, { waitUntil: 'load' });
    check(await page.locator('#cartpinger-chat').count() === 1 && !(await page.locator('#cartpinger-chat').isVisible()), 'mobile-only: hidden on a 1280 px viewport');
    await page.setViewportSize({ width: 375, height: 700 });
    const box = await page.locator('#cartpinger-chat').boundingBox();
    check(box && Math.round(box.x) === 24, `mobile-only, left: shown 24 px from the left on a 375 px viewport (${box && box.x})`);
    await page.screenshot({ path: join(SHOTS, 'widget-mobile-left.png') });
    await context.close();
  }

  // ---- off: nothing printed, not even the CSS
  settings({ widget_enabled: '0' });
  {
    const { context, page } = await newPage();
    await page.goto(SHOP, { waitUntil: 'load' });
    const html = await page.content();
    check(!html.includes('cartpinger-chat') && !html.includes('wa.me'), 'disabled: no markup and no CSS');
    await context.close();
  }

  check(outside.length === 0, `no request outside 127.0.0.1${outside.length ? `: ${[...new Set(outside)].slice(0, 5).join(', ')}` : ''}`);
} catch (e) {
  check(false, `unexpected error: ${e.message}`);
} finally {
  await browser.close();
  try { settings({ widget_enabled: '0', widget_position: 'right', widget_devices: 'all', widget_message: '', support_phone: '' }); } catch { /* stack may be gone */ }
  rmSync(MU, { force: true });
}
console.log(failures ? `FAIL widget (${failures} failed checks)` : 'PASS widget');
process.exit(failures ? 1 : 0);
