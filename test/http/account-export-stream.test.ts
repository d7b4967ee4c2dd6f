import test from 'ava';
import { ACCOUNT_EXPORT_BATCH } from '../../src/application/use-cases/export-account.js';
import { utcDay } from '../../src/domain/birthdays.js';
import { validateContact } from '../../src/domain/contact.js';
import { collected } from '../helpers/account-export.js';
import { pgliteBackend, postgresBackend } from '../helpers/databases.js';
import { eachBackend, signUpAndLogIn, type TestApp } from '../helpers/test-app.js';
import { fakeWorld, verifiedUser } from '../fakes/fake-world.js';

/** A book of `count` contacts written straight into the repository (an import would be slower and no different here). */
async function fillBook(app: TestApp, userId: string, count: number) {
  const today = utcDay(new Date());
  const list = Array.from({ length: count }, (_, i) => ({
    fields: validateContact({ firstName: `Person${i}`, email: `person${i}@example.com`, notes: 'x'.repeat(200) }, today),
  }));
  await app.container.repos.contacts.createMany(userId, list);
}

function suite(it: (title: string, body: (t: import('ava').ExecutionContext, app: TestApp) => Promise<void>) => void) {
  it('GET /api/users/me/export streams a large book: the answer comes in many chunks, without a length, and holds every contact in order', async (t, app) => {
    const account = await signUpAndLogIn(app);
    const count = ACCOUNT_EXPORT_BATCH * 4 + 7;
    await fillBook(app, account.userId, count);
    const res = await app.request('/api/users/me/export', { token: account.accessToken });
    t.is(res.status, 200);
    t.is(res.headers.get('content-length'), null);
    t.is(res.headers.get('transfer-encoding'), 'chunked');
    const chunks: Uint8Array[] = [];
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
    t.true(chunks.length > 4, `${chunks.length} chunks`);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { contacts: { firstName: string }[]; trash: unknown[] };
    t.is(body.contacts.length, count);
    t.deepEqual(
      body.contacts.map((c) => c.firstName),
      Array.from({ length: count }, (_, i) => `Person${i}`),
    );
    t.deepEqual(body.trash, []);
  });
}

eachBackend([pgliteBackend, postgresBackend], suite, { serial: true });

test('the account export reads the book a batch at a time, as it is written, not all before', async (t) => {
  const world = fakeWorld();
  const { userId, accessToken } = await verifiedUser(world);
  const count = ACCOUNT_EXPORT_BATCH * 3;
  for (let i = 0; i < count; i += 1) await world.repos.contacts.create(userId, { fields: validateContact({ firstName: `P${i}` }, '2026-01-01') }, 'allow');
  let pagesRead = 0;
  const listAll = world.repos.contacts.listAll.bind(world.repos.contacts);
  world.repos.contacts.listAll = async function* (ownerId: string, batchSize: number) {
    for await (const page of listAll(ownerId, batchSize)) {
      pagesRead += 1;
      yield page;
    }
  };
  const claims = world.tokens.verifyAccess(accessToken)!;
  const exported = await world.useCases.exportAccount({ userId: claims.userId, sessionId: claims.sessionId });
  t.is(pagesRead, 1, 'the first batch is read before the answer starts, and only it');
  const contacts = exported.contacts[Symbol.asyncIterator]();
  for (let i = 0; i < ACCOUNT_EXPORT_BATCH; i += 1) await contacts.next();
  t.is(pagesRead, 1);
  await contacts.next();
  t.is(pagesRead, 2);
  const all = await collected({ ...exported, contacts: { [Symbol.asyncIterator]: () => contacts } });
  t.is(all.contacts.length, count - ACCOUNT_EXPORT_BATCH - 1);
  t.is(pagesRead, 3);
});
