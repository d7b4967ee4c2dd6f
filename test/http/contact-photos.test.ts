import test from 'ava';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { CloudinaryStandIn } from '../helpers/cloudinary-stand-in.js';
import { BACKENDS } from '../helpers/databases.js';
import { gif, png, webp } from '../helpers/images.js';
import { animatedGif, jpegWithMetadata, noisyJpeg, pngBomb, solid } from '../helpers/photos.js';
import { eachBackend, signUpAndLogIn, startTestApp, type TestApp } from '../helpers/test-app.js';

const dataDir = await mkdtemp(path.join(tmpdir(), 'contact-photos-http-'));
test.after.always(() => rm(dataDir, { recursive: true, force: true }));
const photosDir = path.join(dataDir, 'uploads', 'contact-photos');
const MAX_BYTES = 300_000;

interface ContactBody {
  id: string;
  photoUrl: string | null;
  etag: string;
}

async function contactOf(app: TestApp, token?: string) {
  const user = token ? { accessToken: token } : await signUpAndLogIn(app);
  const res = await app.request('/api/contacts', { method: 'POST', token: user.accessToken, json: { firstName: 'Bea', lastName: 'Photo' } });
  if (res.status !== 201) throw new Error(`creating a contact answered ${res.status}: ${await res.text()}`);
  return { token: user.accessToken, contact: (await res.json()) as ContactBody, etag: res.headers.get('etag')! };
}

function putPhoto(app: TestApp, token: string, id: string, body: NonNullable<RequestInit['body']>, headers: Record<string, string> = {}) {
  return app.request(`/api/contacts/${id}/photo`, { method: 'PUT', token, body, headers });
}

function photoForm(bytes: Buffer, options: { field?: string; filename?: string; type?: string } = {}): FormData {
  const body = new FormData();
  body.append(options.field ?? 'photo', new Blob([bytes], { type: options.type ?? 'image/jpeg' }), options.filename ?? 'photo.jpg');
  return body;
}

const files = async () => (await readdir(photosDir).catch(() => [] as string[])).filter((name) => !name.startsWith('.'));
const mediaPath = (url: string) => new URL(url).pathname;

eachBackend(
  BACKENDS,
  (it) => {
    it('PUT with the image as the body answers 200 with the contact, a new ETag and a photoUrl serving a 512×256 JPEG with no metadata', async (t, app) => {
      const { token, contact, etag } = await contactOf(app);
      const res = await putPhoto(app, token, contact.id, await jpegWithMetadata(2000, 1000), { 'Content-Type': 'image/jpeg' });
      t.is(res.status, 200);
      const body = (await res.json()) as ContactBody;
      t.is(body.id, contact.id);
      t.regex(body.photoUrl ?? '', /^http:\/\/app\.test\/media\/cp-[0-9a-f]{40}\.jpg$/);
      t.not(res.headers.get('etag'), etag);
      t.is(body.etag, res.headers.get('etag')!);

      const served = await app.request(mediaPath(body.photoUrl!));
      t.is(served.status, 200);
      t.is(served.headers.get('content-type'), 'image/jpeg');
      const meta = await sharp(Buffer.from(await served.arrayBuffer())).metadata();
      t.like(meta, { format: 'jpeg', width: 512, height: 256, exif: undefined, icc: undefined, xmp: undefined, comments: undefined });

      const read = await app.request(`/api/contacts/${contact.id}`, { token });
      t.is(((await read.json()) as ContactBody).photoUrl, body.photoUrl);
      t.is(read.headers.get('etag'), res.headers.get('etag'));
    });

    it('multipart/form-data in the field "photo" takes PNG, GIF and WebP, animated ones to their first frame', async (t, app) => {
      const { token, contact } = await contactOf(app);
      for (const bytes of [png(30, 20), gif(), webp.lossy(), await solid(900, 300, 'png', true), await animatedGif()]) {
        const res = await putPhoto(app, token, contact.id, photoForm(bytes));
        t.is(res.status, 200);
        const { photoUrl } = (await res.json()) as ContactBody;
        const served = await app.request(mediaPath(photoUrl!));
        const meta = await sharp(Buffer.from(await served.arrayBuffer()), { pages: -1 }).metadata();
        t.true((meta.width ?? 0) <= 512 && (meta.pages ?? 1) === 1);
      }
      t.is((await files()).filter((name) => name.startsWith('cp-')).length >= 1, true);
    });

    it('a text file named photo.jpg is 415 UNSUPPORTED_IMAGE, as multipart or as image/jpeg; a body that is not an image type is 415 too', async (t, app) => {
      const { token, contact } = await contactOf(app);
      const text = Buffer.from('this is not a photo at all\n');
      for (const res of [
        await putPhoto(app, token, contact.id, photoForm(text, { filename: 'photo.jpg', type: 'image/jpeg' })),
        await putPhoto(app, token, contact.id, text, { 'Content-Type': 'image/jpeg' }),
      ]) {
        t.is(res.status, 415);
        t.like(await res.json(), { code: 'UNSUPPORTED_IMAGE' });
      }
      const plain = await putPhoto(app, token, contact.id, text, { 'Content-Type': 'text/plain' });
      t.is(plain.status, 415);
      t.like(await plain.json(), { code: 'UNSUPPORTED_MEDIA_TYPE' });
      const read = (await (await app.request(`/api/contacts/${contact.id}`, { token })).json()) as ContactBody;
      t.is(read.photoUrl, null);
    });

    it('a 50 KB PNG declaring 20000×20000 is refused at once with 422 naming the photo; no body is 422 too', async (t, app) => {
      const { token, contact } = await contactOf(app);
      const started = performance.now();
      const res = await putPhoto(app, token, contact.id, pngBomb(20_000, 20_000), { 'Content-Type': 'image/png' });
      t.true(performance.now() - started < 2000);
      t.is(res.status, 422);
      const problem = (await res.json()) as { errors: { field: string; message: string }[] };
      t.is(problem.errors[0]?.field, 'photo');
      t.regex(problem.errors[0]?.message ?? '', /20000×20000/);
      const empty = await putPhoto(app, token, contact.id, '', { 'Content-Type': 'image/png' });
      t.is(empty.status, 422);
    });

    it('a photo over CONTACT_PHOTO_MAX_BYTES is 413, as the body or as multipart, and nothing is stored', async (t, app) => {
      const { token, contact } = await contactOf(app);
      const before = await files();
      const big = await noisyJpeg();
      for (const res of [
        await putPhoto(app, token, contact.id, big, { 'Content-Type': 'image/jpeg' }),
        await putPhoto(app, token, contact.id, photoForm(big)),
      ]) {
        t.is(res.status, 413);
        t.like(await res.json(), { code: 'PAYLOAD_TOO_LARGE' });
      }
      t.deepEqual(await files(), before);
    });

    it('replacing a photo removes the old file: its URL answers 404, and the directory holds the new one only', async (t, app) => {
      const { token, contact } = await contactOf(app);
      const first = ((await (await putPhoto(app, token, contact.id, png(40, 40), { 'Content-Type': 'image/png' })).json()) as ContactBody).photoUrl!;
      const second = ((await (await putPhoto(app, token, contact.id, photoForm(await solid(100, 100, 'jpeg', false)))).json()) as ContactBody).photoUrl!;
      t.not(second, first);
      t.is((await app.request(mediaPath(first))).status, 404);
      t.is((await app.request(mediaPath(second))).status, 200);
      const names = await files();
      t.false(names.includes(path.basename(first)));
      t.true(names.includes(path.basename(second)));
    });

    it('DELETE answers 204: the photo leaves the contact and the disk; again is 204', async (t, app) => {
      const { token, contact } = await contactOf(app);
      const url = ((await (await putPhoto(app, token, contact.id, png(40, 40), { 'Content-Type': 'image/png' })).json()) as ContactBody).photoUrl!;
      const res = await app.request(`/api/contacts/${contact.id}/photo`, { method: 'DELETE', token });
      t.is(res.status, 204);
      t.is(((await (await app.request(`/api/contacts/${contact.id}`, { token })).json()) as ContactBody).photoUrl, null);
      t.is((await app.request(mediaPath(url))).status, 404);
      t.false((await files()).includes(path.basename(url)));
      t.is((await app.request(`/api/contacts/${contact.id}/photo`, { method: 'DELETE', token })).status, 204);
    });

    it('another user’s contact, or no contact, is 404 for PUT and DELETE, and nothing is stored', async (t, app) => {
      const { contact } = await contactOf(app);
      const intruder = await signUpAndLogIn(app);
      const before = await files();
      for (const id of [contact.id, 'not-a-contact-id', '00000000-0000-0000-0000-000000000000']) {
        t.is((await putPhoto(app, intruder.accessToken, id, png(8, 8), { 'Content-Type': 'image/png' })).status, 404, id);
        t.is((await app.request(`/api/contacts/${id}/photo`, { method: 'DELETE', token: intruder.accessToken })).status, 404, id);
      }
      t.deepEqual(await files(), before);
      t.is((await putPhoto(app, '', contact.id, png(8, 8), { 'Content-Type': 'image/png' })).status, 401);
    });

    it('If-Match with a stale ETag is 412 and changes nothing; with the current one the photo is set', async (t, app) => {
      const { token, contact, etag } = await contactOf(app);
      await app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token, json: { nickname: 'B' } });
      const stale = await putPhoto(app, token, contact.id, png(8, 8), { 'Content-Type': 'image/png', 'If-Match': etag });
      t.is(stale.status, 412);
      t.like(await stale.json(), { code: 'PRECONDITION_FAILED' });
      t.is((await app.request(`/api/contacts/${contact.id}/photo`, { method: 'DELETE', token, headers: { 'If-Match': etag } })).status, 412);
      const current = (await (await app.request(`/api/contacts/${contact.id}`, { token })).json()) as ContactBody;
      t.is(current.photoUrl, null);
      const ok = await putPhoto(app, token, contact.id, png(8, 8), { 'Content-Type': 'image/png', 'If-Match': current.etag });
      t.is(ok.status, 200);
    });

    it('photoUrls are random: two contacts given the same image get unrelated URLs', async (t, app) => {
      const { token, contact } = await contactOf(app);
      const { contact: other } = await contactOf(app, token);
      const a = ((await (await putPhoto(app, token, contact.id, png(8, 8), { 'Content-Type': 'image/png' })).json()) as ContactBody).photoUrl!;
      const b = ((await (await putPhoto(app, token, other.id, png(8, 8), { 'Content-Type': 'image/png' })).json()) as ContactBody).photoUrl!;
      t.not(a, b);
      t.false(a.includes(contact.id) || b.includes(other.id));
    });

    it('parallel PUTs on one contact leave exactly one photo on disk: the one the contact points at', async (t, app) => {
      const { token, contact } = await contactOf(app);
      const before = await files();
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => putPhoto(app, token, contact.id, png(10 + i, 10), { 'Content-Type': 'image/png' })),
      );
      t.deepEqual(
        answers.map((res) => res.status),
        [200, 200, 200, 200, 200, 200],
      );
      const { photoUrl } = (await (await app.request(`/api/contacts/${contact.id}`, { token })).json()) as ContactBody;
      const added = (await files()).filter((name) => !before.includes(name));
      t.deepEqual(added, [path.basename(photoUrl!)]);
    });

    it('deleting the account removes its contacts’ photos from disk', async (t, app) => {
      const user = await signUpAndLogIn(app);
      const { contact } = await contactOf(app, user.accessToken);
      const url = ((await (await putPhoto(app, user.accessToken, contact.id, png(8, 8), { 'Content-Type': 'image/png' })).json()) as ContactBody).photoUrl!;
      const res = await app.request('/api/users/me', { method: 'DELETE', token: user.accessToken, json: { password: user.password } });
      t.is(res.status, 204);
      t.false((await files()).includes(path.basename(url)));
    });
  },
  { env: { DATA_DIR: dataDir, CONTACT_PHOTO_MAX_BYTES: String(MAX_BYTES) }, serial: true },
);

test.serial('both routes spend the account budget (RATE_LIMIT_ACCOUNT_MAX=3) before the upload is read: the 4th is 429 and stores nothing', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'contact-photos-limit-'));
  const app = await startTestApp({ env: { DATA_DIR: dir, RATE_LIMIT_ACCOUNT_MAX: '3' } });
  t.teardown(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  const { token, contact } = await contactOf(app);
  const statuses = [];
  statuses.push((await putPhoto(app, token, contact.id, png(8, 8), { 'Content-Type': 'image/png' })).status);
  statuses.push((await app.request(`/api/contacts/${contact.id}/photo`, { method: 'DELETE', token })).status);
  statuses.push((await putPhoto(app, token, contact.id, png(9, 9), { 'Content-Type': 'image/png' })).status);
  const refused = await putPhoto(app, token, contact.id, png(10, 10), { 'Content-Type': 'image/png' });
  statuses.push(refused.status);
  t.deepEqual(statuses, [200, 204, 200, 429]);
  t.like(await refused.json(), { code: 'RATE_LIMITED' });
  t.is((await app.request(`/api/contacts/${contact.id}/photo`, { method: 'DELETE', token })).status, 429);
  const stored = await readdir(path.join(dir, 'uploads', 'contact-photos'));
  t.is(stored.length, 1, 'only the photo of the 3rd request');
});

test.serial('/health answers while a 5 MB JPEG is being processed', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'contact-photos-busy-'));
  const app = await startTestApp({ env: { DATA_DIR: dir } });
  t.teardown(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  const { token, contact } = await contactOf(app);
  const big = await noisyJpeg();
  t.true(big.length > 4_000_000 && big.length <= 5_242_880, `${big.length} bytes`);
  let done = false;
  const upload = putPhoto(app, token, contact.id, big, { 'Content-Type': 'image/jpeg' }).finally(() => {
    done = true;
  });
  const delays: number[] = [];
  while (!done) {
    const started = performance.now();
    const res = await fetch(`${app.url}/health`);
    await res.arrayBuffer();
    delays.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const res = await upload;
  t.is(res.status, 200);
  t.true(delays.length >= 3, `${delays.length} health checks during the upload`);
  const worst = Math.max(...delays);
  t.true(worst < 500, `a health check waited ${worst.toFixed(0)} ms`);
});

test.serial(
  'on Cloudinary: stored as contact-photos/<random> (stripped and fitted), the old asset destroyed on replace and on DELETE, nothing on disk',
  async (t) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'contact-photos-cloudinary-'));
    const standIn = await new CloudinaryStandIn().start();
    const app = await startTestApp({ env: { DATA_DIR: dir, CLOUDINARY_URL: standIn.url(), CLOUDINARY_TIMEOUT_MS: '3000' } });
    t.teardown(async () => {
      await app.close();
      await standIn.close();
      await rm(dir, { recursive: true, force: true });
    });
    const { token, contact } = await contactOf(app);
    const first = await putPhoto(app, token, contact.id, await jpegWithMetadata(1200, 600), { 'Content-Type': 'image/jpeg' });
    t.is(first.status, 200);
    const firstUrl = ((await first.json()) as ContactBody).photoUrl!;
    t.regex(firstUrl, /^https:\/\/res\.cloudinary\.com\/demo\/image\/upload\/v\d+\/contact-photos\/[0-9a-f]{40}\.jpg$/);
    const asset = standIn.assetAt(firstUrl)!;
    t.like(await sharp(asset.bytes).metadata(), { width: 512, height: 256, exif: undefined, icc: undefined });

    const second = await putPhoto(app, token, contact.id, photoForm(png(20, 20)));
    const secondUrl = ((await second.json()) as ContactBody).photoUrl!;
    t.is(standIn.assetAt(firstUrl), undefined, 'the replaced photo is destroyed');
    t.truthy(standIn.assetAt(secondUrl));

    t.is((await app.request(`/api/contacts/${contact.id}/photo`, { method: 'DELETE', token })).status, 204);
    t.is(standIn.assetAt(secondUrl), undefined);
    t.is([...standIn.assets.keys()].filter((key) => key.startsWith('contact-photos/')).length, 0);
    t.deepEqual(await readdir(path.join(dir, 'uploads')).catch(() => []), [], 'nothing written to disk');

    standIn.mode = 'error';
    const failed = await putPhoto(app, token, contact.id, png(8, 8), { 'Content-Type': 'image/png' });
    t.is(failed.status, 502);
    t.like(await failed.json(), { code: 'PHOTO_STORAGE_FAILED' });
    t.is(((await (await app.request(`/api/contacts/${contact.id}`, { token })).json()) as ContactBody).photoUrl, null);
  },
);
