import test from 'ava';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.js';
import { linkIn, startSmtpInbox, type SmtpInbox } from '../helpers/smtp-inbox.js';
import { PASSWORD, startTestApp, uniqueEmail, type TestApp } from '../helpers/test-app.js';

/** With SCREENSHOTS=1 the pages are also saved, at phone width, to docs/screenshots/ for the README. */
const SCREENSHOT_DIR = process.env.SCREENSHOTS === '1' ? path.resolve('docs/screenshots') : null;
const NEW_PASSWORD = 'a brand new passphrase';

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

async function newPage(): Promise<Page> {
  const context = await browser!.newContext({ viewport: { width: 390, height: 720 }, deviceScaleFactor: 1 });
  return context.newPage();
}

async function screenshot(page: Page, name: string): Promise<void> {
  if (SCREENSHOT_DIR) await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

async function signUp(email: string): Promise<void> {
  const res = await app.request('/api/auth/signup', { method: 'POST', json: { username: 'Browser', email, password: PASSWORD } });
  if (res.status !== 201) throw new Error(`signup answered ${res.status}`);
}

async function logIn(email: string, password: string): Promise<Response> {
  return app.request('/api/auth/login', { method: 'POST', json: { email, password } });
}

test('a person resets a forgotten password through the pages and the emailed link, then logs in with the new one', async (t) => {
  if (!browser) return t.pass('Chromium is not installed');
  const email = uniqueEmail('browser');
  await signUp(email);
  const verification = await inbox.waitFor(email, /Confirm your email/);
  t.is((await fetch(linkIn(verification.text, `${app.url}/account/verify-email?token=`))).status, 200);
  const before = (await (await logIn(email, PASSWORD)).json()) as { accessToken: string };

  const page = await newPage();
  await page.goto(`${app.url}/account/forgot-password`);
  t.is(await page.title(), 'Forgot your password? · Contacts');
  // The stylesheet loads under the CSP, and nothing is wider than a phone.
  t.is(await page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth"), '448px'); // 28rem
  t.true(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth'));
  await screenshot(page, 'forgot-password');

  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  await screenshot(page, 'check-your-inbox');

  const reset = await inbox.waitFor(email, /Reset your password/);
  const link = linkIn(reset.text, `${app.url}/account/reset-password?token=`);
  t.regex(link, /^http:\/\/127\.0\.0\.1:\d+\/account\/reset-password\?token=[A-Za-z0-9_-]{43}$/);
  t.true(reset.html.includes(link));

  await page.goto(link);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new password').fill('not the same passphrase');
  await page.getByRole('button', { name: 'Change my password' }).click();
  await page.getByRole('alert').waitFor();
  t.regex(await page.getByRole('alert').innerText(), /The two passwords do not match/);
  await screenshot(page, 'reset-password-error');

  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Change my password' }).click();
  await page.getByRole('heading', { name: 'Your password was changed' }).waitFor();
  await screenshot(page, 'password-changed');

  const login = await logIn(email, NEW_PASSWORD);
  t.is(login.status, 200);
  t.is((await logIn(email, PASSWORD)).status, 401);
  t.is((await app.request('/api/users/me', { token: before.accessToken })).status, 401);
  const changed = await inbox.waitFor(email, /Your password was changed/);
  t.false(changed.text.includes(NEW_PASSWORD) || changed.html.includes(NEW_PASSWORD));

  // The link is spent: opening it again offers a new one.
  await page.goto(link);
  await page.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
  await screenshot(page, 'reset-link-invalid');
  await page.getByRole('link', { name: 'Ask for a new link' }).click();
  await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
  await page.context().close();
});

test('a person clicks the verification link in the email and sees the address confirmed', async (t) => {
  if (!browser) return t.pass('Chromium is not installed');
  const email = uniqueEmail('click');
  await signUp(email);
  t.is((await logIn(email, PASSWORD)).status, 403);
  const mail = await inbox.waitFor(email, /Confirm your email/);

  const page = await newPage();
  await page.setContent(mail.html);
  await page.getByRole('link', { name: 'Confirm email' }).click();
  await page.getByRole('heading', { name: 'Your email address is confirmed' }).waitFor();
  t.true(page.url().startsWith(`${app.url}/account/verify-email?token=`));
  await screenshot(page, 'email-confirmed');
  t.is((await logIn(email, PASSWORD)).status, 200);
  await page.context().close();
});

test('a dead verification link offers a form for a new link that works without JavaScript and answers "check your inbox"', async (t) => {
  if (!browser) return t.pass('Chromium is not installed');
  const email = uniqueEmail('dead');
  await signUp(email);
  await inbox.waitFor(email, /Confirm your email/);

  const context = await browser.newContext({ viewport: { width: 390, height: 720 }, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${app.url}/account/verify-email?token=expired-or-made-up`);
  await page.getByRole('heading', { name: 'This link cannot be used' }).waitFor();
  await screenshot(page, 'verify-link-invalid');
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send a new link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  // One per minute: the signup email was the one of this minute, so no second email yet.
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.is(inbox.received.filter((m) => m.to.includes(email)).length, 1);
  await context.close();
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
