import test from 'ava';
import { DOCS_CSP } from '../../src/adapters/http/routes/docs.routes.js';
import { openApiDocument } from '../../src/adapters/http/openapi.js';
import { CHROMIUM_PATH, launchChromium } from '../helpers/browser.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';

let app: TestApp;
test.before(async () => {
  app = await startTestApp();
});
test.after.always(async () => {
  await app?.close();
});

test('GET /docs answers an HTML page with a strict CSP that loads only local assets', async (t) => {
  const res = await app.request('/docs');
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /^text\/html/);
  t.is(res.headers.get('content-security-policy'), DOCS_CSP);
  t.regex(DOCS_CSP, /frame-ancestors 'none'/);
  t.notRegex(DOCS_CSP, /unsafe-inline|unsafe-eval|https?:/);
  const html = await res.text();
  const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
  t.true(sources.length >= 4);
  for (const source of sources) {
    t.true(source.startsWith('/'), `${source} is not served by the app`);
    t.is((await app.request(source)).status, 200, source);
  }
  t.notRegex(html, /<script>/, 'no inline script');
});

test('the docs assets have their content types, and anything else under /docs is a 404 problem', async (t) => {
  const css = await app.request('/docs/swagger-ui.css');
  t.regex(css.headers.get('content-type') ?? '', /^text\/css/);
  const js = await app.request('/docs/swagger-ui-bundle.js');
  t.regex(js.headers.get('content-type') ?? '', /^text\/javascript/);
  t.true((await js.arrayBuffer()).byteLength > 100_000);
  for (const path of ['/docs/package.json', '/docs/..%2Fpackage.json', '/docs/swagger-ui-bundle.js.map', '/docs/constructor', '/docs/index.html']) {
    const res = await app.request(path);
    t.is(res.status, 404, path);
    t.is(res.headers.get('content-type'), 'application/problem+json', path);
  }
});

test('in a browser, /docs renders every documented route offline, without a CSP violation', async (t) => {
  const browser = await launchChromium();
  if (!browser) {
    t.pass(`Chromium is not at ${CHROMIUM_PATH}`);
    return;
  }
  try {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const violations: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(app.url) && !request.url().startsWith('data:')) foreign.push(request.url());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.text().startsWith('CSP ')) violations.push(message.text());
    });
    await page.addInitScript({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: this string is browser code, and its template literal is meant for the browser.
      content: "document.addEventListener('securitypolicyviolation', (e) => console.log(`CSP ${e.violatedDirective} ${e.blockedURI}`));",
    });
    await page.goto(`${app.url}/docs`);
    await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });

    const shown = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method.toUpperCase()} ${path}`;
      }),
    );
    const expected = Object.entries(openApiDocument.paths ?? {}).flatMap(([path, item]) =>
      (['get', 'put', 'post', 'delete', 'patch'] as const).filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`),
    );
    t.deepEqual(shown.sort(), expected.sort());

    // "Try it out" calls the API from the page: connect-src allows the app itself.
    await page.click('.opblock-summary-path[data-path="/health"]');
    await page.click('#operations-Operations-health .try-out__btn');
    await page.click('#operations-Operations-health .execute');
    await page.waitForSelector('#operations-Operations-health .live-responses-table tbody .response-col_status');
    t.regex((await page.textContent('#operations-Operations-health .live-responses-table tbody .response-col_status')) ?? '', /200/);

    t.deepEqual(foreign, [], 'requests left the app');
    t.deepEqual(violations, []);
    t.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
