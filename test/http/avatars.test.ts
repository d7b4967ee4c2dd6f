import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BACKENDS } from '../helpers/databases.js';
import { gif, jpeg, notImages, png, webp } from '../helpers/images.js';
import { eachBackend, signUpAndLogIn } from '../helpers/test-app.js';
import { form, me, upload } from '../helpers/uploads.js';

const MAX_BYTES = 50_000;
const dataDir = await mkdtemp(path.join(tmpdir(), 'avatars-http-'));
test.after.always(() => rm(dataDir, { recursive: true, force: true }));

async function uploadsFor(userId: string): Promise<string[]> {
  const files = await readdir(path.join(dataDir, 'uploads')).catch(() => [] as string[]);
  return files.filter((f) => f.includes(userId));
}

eachBackend(
  BACKENDS,
  (it) => {
    it('uploading a PNG answers 200 with the new avatarUrl, /api/users/me shows it at once, /media serves the bytes', async (t, app) => {
      const { accessToken, userId } = await signUpAndLogIn(app);
      const before = await me(app, accessToken);
      t.regex(before.avatarUrl, /^https:\/\/www\.gravatar\.com\/avatar\//);

      const bytes = png(40, 40);
      const res = await upload(app, accessToken, form(bytes, { filename: 'holiday.gif', type: 'image/gif' }));
      t.is(res.status, 200);
      t.is(res.headers.get('cache-control'), 'no-store');
      const user = (await res.json()) as { id: string; avatarUrl: string };
      t.is(user.id, userId);
      t.regex(user.avatarUrl, new RegExp(`^http://app\\.test/media/${userId}\\.png\\?v=[0-9a-f]+$`), 'named by the bytes, not holiday.gif');
      t.is((await me(app, accessToken)).avatarUrl, user.avatarUrl);

      const media = await app.request(new URL(user.avatarUrl).pathname + new URL(user.avatarUrl).search);
      t.is(media.status, 200);
      t.is(media.headers.get('content-type'), 'image/png');
      t.is(media.headers.get('x-content-type-options'), 'nosniff');
      t.deepEqual(Buffer.from(await media.arrayBuffer()), bytes);
    });

    it('JPEG, WebP and GIF uploads are served with their own content type; a new image changes the URL', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const seen = new Set<string>();
      for (const [bytes, type] of [
        [jpeg(32, 32), 'image/jpeg'],
        [webp.lossy(), 'image/webp'],
        [gif(), 'image/gif'],
      ] as const) {
        const res = await upload(app, accessToken, form(bytes));
        t.is(res.status, 200);
        const { avatarUrl } = (await res.json()) as { avatarUrl: string };
        seen.add(avatarUrl);
        const media = await app.request(new URL(avatarUrl).pathname);
        t.is(media.headers.get('content-type'), type);
      }
      t.is(seen.size, 3);
    });

    it('a PNG replacing a GIF takes its place: the old .gif URL answers 404 and the user has one file', async (t, app) => {
      const { accessToken, userId } = await signUpAndLogIn(app);
      const old = ((await (await upload(app, accessToken, form(gif()))).json()) as { avatarUrl: string }).avatarUrl;
      t.is((await app.request(new URL(old).pathname)).status, 200);
      const res = await upload(app, accessToken, form(png(6, 6)));
      t.is(res.status, 200);
      const { avatarUrl } = (await res.json()) as { avatarUrl: string };
      const gone = await app.request(new URL(old).pathname + new URL(old).search);
      t.is(gone.status, 404);
      t.is(gone.headers.get('content-type'), 'application/problem+json');
      t.deepEqual(Buffer.from(await (await app.request(new URL(avatarUrl).pathname)).arrayBuffer()), png(6, 6));
      t.deepEqual(await uploadsFor(userId), [`${userId}.avatar`]);
    });

    it('without a token the upload answers 401 and nothing is stored', async (t, app) => {
      const { userId } = await signUpAndLogIn(app);
      const res = await upload(app, undefined, form(png(4, 4)));
      t.is(res.status, 401);
      t.is(res.headers.get('www-authenticate'), 'Bearer');
      t.like(await res.json(), { code: 'UNAUTHENTICATED' });
      t.deepEqual(await uploadsFor(userId), []);
    });

    it('a file over AVATAR_MAX_BYTES answers 413 problem+json and nothing is stored, whether its length is declared or streamed', async (t, app) => {
      const { accessToken, userId } = await signUpAndLogIn(app);
      const before = await me(app, accessToken);
      const justOver = Buffer.concat([png(8, 8), Buffer.alloc(MAX_BYTES + 1 - png(8, 8).length)]);
      t.is(justOver.length, MAX_BYTES + 1);
      const bodies: [string, NonNullable<RequestInit['body']>, Record<string, string>][] = [];
      for (const bytes of [justOver, Buffer.alloc(5 * MAX_BYTES + 100_000)]) {
        const request = new Request('http://x/', { method: 'POST', body: form(bytes) });
        bodies.push([`${bytes.length} bytes`, Buffer.from(await request.arrayBuffer()), { 'content-type': request.headers.get('content-type')! }]);
      }
      const [, raw, headers] = bodies[0]!;
      bodies.push(['streamed without a length', new Blob([raw as Buffer]).stream(), headers]);
      for (const [label, body, headers] of bodies) {
        const res = await app.request('/api/users/me/avatar', { method: 'PATCH', body, headers, token: accessToken, duplex: 'half' } as RequestInit & {
          token: string;
        });
        t.is(res.status, 413, label);
        t.is(res.headers.get('content-type'), 'application/problem+json');
        const problem = (await res.json()) as { code: string; detail: string };
        t.is(problem.code, 'PAYLOAD_TOO_LARGE');
        t.notRegex(problem.detail, /File too large/, 'no library message');
      }
      t.deepEqual(await uploadsFor(userId), []);
      t.is((await me(app, accessToken)).avatarUrl, before.avatarUrl);
      t.is((await upload(app, accessToken, form(png(8, 8)))).status, 200, 'the connection and the limit still serve a fitting file');
    });

    it('an SVG named .png, a PDF and an HTML page answer 415 UNSUPPORTED_IMAGE and the old avatar is kept', async (t, app) => {
      const { accessToken, userId } = await signUpAndLogIn(app);
      const before = await me(app, accessToken);
      for (const [bytes, filename, type] of [
        [notImages.svg(), 'avatar.png', 'image/png'],
        [notImages.pdf(), 'avatar.jpg', 'image/jpeg'],
        [notImages.html(), 'avatar.gif', 'image/gif'],
      ] as const) {
        const res = await upload(app, accessToken, form(bytes, { filename, type }));
        t.is(res.status, 415, filename);
        t.is(res.headers.get('content-type'), 'application/problem+json');
        t.like(await res.json(), { status: 415, code: 'UNSUPPORTED_IMAGE' });
      }
      t.deepEqual(await uploadsFor(userId), []);
      t.is((await me(app, accessToken)).avatarUrl, before.avatarUrl);
    });

    it('absurd pixel dimensions answer 422 on avatar before anything is stored', async (t, app) => {
      const { accessToken, userId } = await signUpAndLogIn(app);
      const res = await upload(app, accessToken, form(png(50_000, 50_000, { pixels: false })));
      t.is(res.status, 422);
      const body = (await res.json()) as { errors: { field: string }[] };
      t.deepEqual(
        body.errors.map((e) => e.field),
        ['avatar'],
      );
      t.deepEqual(await uploadsFor(userId), []);
    });

    it('a multipart form without the avatar file, or with the file in another field, answers 422 naming avatar', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const onlyText = new FormData();
      onlyText.append('note', 'hello');
      const cases: [string, NonNullable<RequestInit['body']>][] = [
        ['no file', onlyText],
        ['file in another field', form(png(4, 4), { field: 'photo' })],
        ['empty file', form(Buffer.alloc(0))],
      ];
      for (const [label, body] of cases) {
        const res = await upload(app, accessToken, body);
        t.is(res.status, 422, label);
        const problem = (await res.json()) as { code: string; errors: { field: string }[] };
        t.is(problem.code, 'VALIDATION_FAILED');
        t.deepEqual(
          problem.errors.map((e) => e.field),
          ['avatar'],
          label,
        );
      }
      const two = form(png(4, 4));
      two.append('avatar', new Blob([png(5, 5)]), 'b.png');
      t.is((await upload(app, accessToken, two)).status, 422, 'two files');
      t.is((await upload(app, accessToken, '')).status, 422, 'no body at all');
    });

    it('a body that is not multipart answers 415; a malformed multipart body answers 400; neither leaks a library message', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const json = await upload(app, accessToken, JSON.stringify({ avatar: 'x' }), { 'content-type': 'application/json' });
      t.is(json.status, 415);
      t.like(await json.json(), { code: 'UNSUPPORTED_MEDIA_TYPE' });
      const raw = await upload(app, accessToken, png(4, 4), { 'content-type': 'image/png' });
      t.is(raw.status, 415);

      for (const [label, body, type] of [
        ['cut short', '--xyz\r\nContent-Disposition: form-data; name="avatar"; filename="a.png"\r\n\r\n\x89PNG', 'multipart/form-data; boundary=xyz'],
        ['no boundary', 'whatever', 'multipart/form-data'],
        ['garbage headers', '--xyz\r\nnot a header\r\n\r\nbody\r\n--xyz--', 'multipart/form-data; boundary=xyz'],
      ] as const) {
        const res = await upload(app, accessToken, body, { 'content-type': type });
        t.is(res.status, 400, label);
        t.is(res.headers.get('content-type'), 'application/problem+json');
        const problem = (await res.json()) as { code: string; detail: string };
        t.is(problem.code, 'MALFORMED_BODY');
        t.notRegex(problem.detail, /busboy|Unexpected end|Boundary not found|Malformed part/i, label);
      }
    });

    it('/media answers 404 problem+json for a missing file and for any path that tries to leave the directory', async (t, app) => {
      for (const p of ['/media/00000000-0000-0000-0000-000000000000.png', '/media/..%2F..%2Fpackage.json', '/media/%2e%2e%2f.env', '/media/x.svg', '/media/']) {
        const res = await app.request(p);
        t.is(res.status, 404, p);
        t.is(res.headers.get('content-type'), 'application/problem+json', p);
      }
    });
  },
  { env: { DATA_DIR: dataDir, AVATAR_MAX_BYTES: String(MAX_BYTES) } },
);
