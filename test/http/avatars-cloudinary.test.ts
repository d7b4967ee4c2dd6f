import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudinaryStandIn } from '../helpers/cloudinary-stand-in.js';
import { gif, jpeg, png } from '../helpers/images.js';
import { signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';
import { form, me, upload } from '../helpers/uploads.js';

// With CLOUDINARY_URL set: the whole app, the real SDK, and a local stand-in of Cloudinary's upload API.
// The timeout leaves room for a loaded machine; the stand-in's slow mode answers far beyond it.
const dataDir = await mkdtemp(path.join(tmpdir(), 'avatars-cloudinary-'));
const standIn = await new CloudinaryStandIn().start();
let app: TestApp;

test.before(async () => {
  app = await startTestApp({ env: { DATA_DIR: dataDir, CLOUDINARY_URL: standIn.url(), CLOUDINARY_TIMEOUT_MS: '3000' } });
});
test.after.always(async () => {
  await app?.close();
  await standIn.close();
  await rm(dataDir, { recursive: true, force: true });
});
test.beforeEach(() => {
  standIn.mode = 'ok';
});

test.serial('an upload answers 200 with the versioned Cloudinary URL, which /api/users/me shows at once', async (t) => {
  const { accessToken, userId } = await signUpAndLogIn(app);
  const bytes = jpeg(64, 48);
  const res = await upload(app, accessToken, form(bytes, { filename: '../../etc/passwd' }));
  t.is(res.status, 200);
  const { avatarUrl } = (await res.json()) as { avatarUrl: string };
  t.regex(avatarUrl, new RegExp(`^https://res\\.cloudinary\\.com/demo/image/upload/v\\d+/avatars/${userId}\\.jpg$`));
  t.deepEqual(standIn.assetAt(avatarUrl)?.bytes, bytes);
  t.is((await me(app, accessToken)).avatarUrl, avatarUrl);
  t.is((await app.request(`/media/${userId}.jpg`)).status, 404, 'nothing is served locally');
  t.deepEqual(
    (await readdir(dataDir)).filter((f) => f !== 'jwt-secret'),
    [],
    'no avatar is written to disk (only the development JWT secret)',
  );
});

test.serial('a PNG replacing a GIF replaces the one asset: the old URL serves nothing', async (t) => {
  const { accessToken, userId } = await signUpAndLogIn(app);
  const old = ((await (await upload(app, accessToken, form(gif()))).json()) as { avatarUrl: string }).avatarUrl;
  t.regex(old, /\.gif$/);
  const res = await upload(app, accessToken, form(png(6, 6)));
  const { avatarUrl } = (await res.json()) as { avatarUrl: string };
  t.is(standIn.assetAt(old), undefined);
  t.deepEqual(standIn.assetAt(avatarUrl)?.bytes, png(6, 6));
  t.deepEqual(
    [...standIn.assets.keys()].filter((id) => id.includes(userId)),
    [`avatars/${userId}`],
  );
});

test.serial('a file over AVATAR_MAX_BYTES answers 413 without anything sent to Cloudinary', async (t) => {
  const { accessToken } = await signUpAndLogIn(app);
  const before = standIn.requests;
  const res = await upload(app, accessToken, form(Buffer.concat([png(8, 8), Buffer.alloc(app.config.avatarMaxBytes)])));
  t.is(res.status, 413);
  t.is(standIn.requests, before);
});

for (const [mode, status, code] of [
  ['error', 502, 'AVATAR_STORAGE_FAILED'],
  ['unavailable', 503, 'SERVICE_UNAVAILABLE'],
  ['slow', 504, 'AVATAR_STORAGE_TIMEOUT'],
] as const) {
  test.serial(`when Cloudinary is ${mode}, the upload answers ${status} ${code}, the old avatar is kept, no credentials shown`, async (t) => {
    const { accessToken } = await signUpAndLogIn(app);
    const first = await upload(app, accessToken, form(png(8, 8)));
    const old = ((await first.json()) as { avatarUrl: string }).avatarUrl;

    standIn.mode = mode;
    const res = await upload(app, accessToken, form(png(9, 9)));
    t.is(res.status, status);
    t.is(res.headers.get('content-type'), 'application/problem+json');
    const text = await res.text();
    t.like(JSON.parse(text), { status, code });
    for (const secret of [standIn.apiSecret, standIn.apiKey, standIn.uploadPrefix]) t.false(text.includes(secret));
    t.false(JSON.stringify(app.logger.lines).includes(standIn.apiSecret));
    t.is((await me(app, accessToken)).avatarUrl, old);
  });
}
