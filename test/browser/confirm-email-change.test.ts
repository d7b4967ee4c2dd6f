import test from 'ava';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { linkIn, startSmtpInbox, type SmtpInbox } from '../helpers/smtp-inbox.js';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

/** With SCREENSHOTS=1 the pages are also saved, at phone width, to docs/screenshots/ for the README. */
const SCREENSHOT_DIR = process.env.SCREENSHOTS === '1' ? path.resolve('docs/screenshots') : null;

let browser: Browser | null = null;
let inbox: SmtpInbox;
let app: TestApp;

test.before(async () => {
  browser = await launchChromium();
  if (!browser) return;
  inbox = await startSmtpInbox();
  // The real NodemailerMailer, talking SMTP to the inbox above; links point at this very server.
  app = await startTestApp({ env: { SMTP_URL: inbox.url }, configuredMailer: true, publicUrlIsServer: true });
  if (SCREENSHOT_DIR) mkdirSync(SCREENSHOT_DIR, { recursive: true });
});

test.after.always(async () => {
  await app?.close();
  await inbox?.close();
  await browser?.close();
});

test('a person confirms a new email address from the emailed link, without JavaScript; the old address is told twice', async (t) => {
  if (!browser) return t.pass('Chromium is not installed');
  const email = uniqueEmail('before');
  const newEmail = uniqueEmail('after');
  t.is((await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Browser', email, password: PASSWORD } })).status, 201);
  const verification = await inbox.waitFor(email, /Confirm your email/);
  t.is((await fetch(linkIn(verification.text, `${app.url}/account/verify-email?token=`))).status, 200);
  const { accessToken } = (await (await app.request('/api/auth/login', { method: 'POST', json: { email, password: PASSWORD } })).json()) as {
    accessToken: string;
  };

  const asked = await app.request('/api/users/me/email', { method: 'POST', token: accessToken, json: { newEmail, currentPassword: PASSWORD } });
  t.is(asked.status, 202);

  const confirmation = await inbox.waitFor(newEmail, /Confirm your new email address/);
  const link = linkIn(confirmation.text, `${app.url}/account/confirm-email-change?token=`);
  t.regex(link, /^http:\/\/127\.0\.0\.1:\d+\/account\/confirm-email-change\?token=[A-Za-z0-9_-]{43}$/);
  t.true(confirmation.html.includes(link));
  const requested = await inbox.waitFor(email, /A change of your email address was requested/);
  t.false(requested.text.includes(newEmail) || requested.html.includes(newEmail), 'the new address is masked');
  t.regex(requested.text, /\*\*\*@/);

  const context = await browser.newContext({ viewport: { width: 390, height: 720 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('heading', { name: 'Confirm your new email address' }).waitFor();
  t.is(await page.title(), 'Confirm your new email address · Contacts');
  t.true((await page.locator('main').innerText()).includes(newEmail));
  t.is(await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth"), '448px'); // the shared stylesheet
  if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'confirm-email-change.png'), fullPage: true });
  // Opening the page (as a mail scanner would) changed nothing.
  t.like(await (await app.request('/api/users/me', { token: accessToken })).json(), { email });

  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Your email address was changed' }).waitFor();
  t.true((await page.locator('main').innerText()).includes(newEmail));
  if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'email-changed.png'), fullPage: true });
  t.like(await (await app.request('/api/users/me', { token: accessToken })).json(), { email: newEmail, emailVerified: true });
  const done = await inbox.waitFor(email, /Your email address was changed/);
  t.false(done.text.includes(newEmail));

  await page.goto(link);
  await page.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
  t.is((await app.request('/api/auth/login', { method: 'POST', json: { email: newEmail, password: PASSWORD } })).status, 200);
  await context.close();
});
