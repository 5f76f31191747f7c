// Shared by the browser tests: the stack's env file, and logging in to wp-admin.
import { readFileSync } from 'node:fs';

/** The KEY='VALUE' lines tests/stack/up.sh --background wrote. */
export function readEnv(file) {
  return Object.fromEntries(
    readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('=') && !l.startsWith('#'))
      .map((l) => { const i = l.indexOf('='); return [l.slice(0, i), l.slice(i + 1).replace(/^'(.*)'$/, '$1')]; }),
  );
}

/**
 * Logs the page's context in as the stack's admin. The first wp-admin request after the
 * stack starts can be slow on this 2-core machine (WooCommerce's first admin visit), so the
 * navigation gets 90 s and the result is checked on an admin page.
 */
export async function login(page, env) {
  const site = env.SITE_URL.replace(/\/$/, '');
  await page.goto(`${site}/wp-login.php`);
  await page.fill('#user_login', env.ADMIN_USER);
  await page.fill('#user_pass', env.ADMIN_PASS);
  await Promise.all([page.waitForNavigation({ timeout: 90000 }), page.click('#wp-submit')]);
  await page.goto(`${site}/wp-admin/profile.php`, { timeout: 90000 });
  // Logged out, wp-admin redirects to wp-login.php; logged in, the page has body.wp-admin.
  if (!/\/wp-admin\//.test(page.url()) || !(await page.locator('body.wp-admin').count())) {
    throw new Error(`admin login failed (now at ${page.url()})`);
  }
}
