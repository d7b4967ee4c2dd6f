import { readFileSync } from 'node:fs';
import type { ContactView } from '../../src/domain/contact.js';
import { BACKENDS } from '../helpers/databases.js';
import { allContacts, eachBackend, signUpAndLogIn, type TestApp } from '../helpers/test-app.js';

type Report = { created: number; skipped: { index: number; name: string | null; reason: string }[] };
const fixture = (name: string) => readFileSync(new URL(`../fixtures/csv/${name}`, import.meta.url));

function importCsv(app: TestApp, token: string, body: RequestInit['body'], type = 'text/csv'): Promise<Response> {
  return app.request('/api/contacts/import', { method: 'POST', token, body, headers: { 'Content-Type': type } });
}

async function problem(res: Response): Promise<{ code: string; detail: string }> {
  if (res.headers.get('content-type') !== 'application/problem+json') throw new Error(`not problem+json: ${res.headers.get('content-type')}`);
  return (await res.json()) as { code: string; detail: string };
}

eachBackend(BACKENDS, (it) => {
  it('a Google Contacts CSV sent as text/csv: each good row a contact with every field it has, the others reported', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const res = await importCsv(app, accessToken, fixture('google-current.csv'));
    t.is(res.status, 200);
    t.deepEqual((await res.json()) as Report, {
      created: 2,
      skipped: [
        { index: 2, name: null, reason: 'the card has neither a name nor an organization' },
        { index: 3, name: 'Ada King', reason: 'an earlier card in this file has the same email (index 1)' },
      ],
    });
    const [grace, ada] = await allContacts(app, accessToken);
    t.like(grace, {
      firstName: 'Grace',
      middleName: 'Brewster',
      lastName: 'Hopper',
      nickname: 'Amazing Grace',
      organization: 'US Navy',
      jobTitle: 'Rear Admiral',
      email: 'grace@example.com',
      phone: '+1 202-555-0147',
      birthday: '1906-12-09',
      anniversary: '--06-15',
      // The relation and the custom field have no field of their own: they are kept in the notes.
      notes: 'Wrote the first compiler.\nSpouse: Vincent\nRank: RADM',
      labels: ['Family', 'Navy'],
      photoUrl: null,
    });
    t.deepEqual(grace!.emails, [
      { value: 'grace@example.com', label: 'home' },
      { value: 'ghopper@navy.example', label: 'work' },
      { value: 'admiral@navy.example', label: 'work' },
    ]);
    t.deepEqual(grace!.addresses, [
      { label: 'work', poBox: '', extended: '', street: '1 Navy Yard', locality: 'Washington', region: 'DC', postalCode: '20374', country: 'US' },
    ]);
    t.like(ada, { firstName: 'Ada', lastName: 'Lovelace', email: 'ADA@example.com', birthday: '--12-10' });
    // The labels are the book's labels.
    const labels = (await (await app.request('/api/labels', { token: accessToken })).json()) as { items: { name: string; count: number }[] };
    t.deepEqual(labels.items, [
      { name: 'Family', count: 1 },
      { name: 'Navy', count: 1 },
    ]);
  });

  it('an Outlook CSV in Windows-1252 as multipart (a .csv file): accents and € read, company card kept, an email the book holds names its holder', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const holder = (await (
      await app.request('/api/contacts', { method: 'POST', token: accessToken, json: { firstName: 'Joan', email: 'joan@example.net' } })
    ).json()) as ContactView;
    const form = new FormData();
    form.append('file', new Blob([fixture('outlook.csv')]), 'contacts.csv');
    const res = await app.request('/api/contacts/import', { method: 'POST', token: accessToken, body: form });
    t.is(res.status, 200);
    t.deepEqual((await res.json()) as Report, {
      created: 2,
      skipped: [{ index: 2, name: 'Joan Doe', reason: `a contact with this email is already in your book: ${holder.id}` }],
    });
    const [, rene, initech] = await allContacts(app, accessToken);
    t.like(rene, { firstName: 'René', lastName: 'Müller', organization: 'Müller & Söhne GmbH', birthday: '1985-03-14', labels: ['Family', 'Business'] });
    t.is(rene!.notes, 'Café owner.\r\nPrefers €-invoices; call after 10.');
    t.like(initech, { firstName: '', organization: 'Initech', phone: '(555) 010-0200' });
  });

  it('Google’s older CSV (application/vnd.ms-excel, as Windows browsers send .csv): Group Membership labels, an invalid email skips only its row', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const res = await importCsv(app, accessToken, fixture('google-legacy.csv'), 'application/vnd.ms-excel');
    t.is(res.status, 200);
    const report = (await res.json()) as Report;
    t.is(report.created, 3);
    t.deepEqual(report.skipped, [{ index: 3, name: 'Bad Email', reason: 'emails[0].value must be a valid email address' }]);
    const zoe = (await allContacts(app, accessToken)).find((c) => c.firstName === 'Zoë');
    t.like(zoe, { lastName: 'Ångström-Lee', labels: ['Friends', 'Book club'], anniversary: '2010-06-19' });
  });

  it('a CSV whose header row is neither Google’s nor Outlook’s is 422 UNKNOWN_CSV_LAYOUT; binary data and a never-closed quote are 422 NOT_A_CSV; nothing is stored', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const unknown = await importCsv(app, accessToken, 'name,email\nAnn,ann@example.com\n');
    t.is(unknown.status, 422);
    t.like(await problem(unknown), { code: 'UNKNOWN_CSV_LAYOUT' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
    const binary = await importCsv(app, accessToken, png);
    t.is(binary.status, 422);
    t.like(await problem(binary), { code: 'NOT_A_CSV' });
    const open = await importCsv(app, accessToken, 'First Name,Last Name,E-mail Address\nAnn,"Lee,ann@example.com\n');
    t.is(open.status, 422);
    t.regex((await problem(open)).detail, /quoted cell is never closed/);
    t.deepEqual(await allContacts(app, accessToken), []);
  });

  it('a hostile CSV (one 4 MB cell, or a row of 10,000 columns) answers quickly, never a 500', async (t, app) => {
    const { accessToken } = await signUpAndLogIn(app);
    const started = performance.now();
    const cell = await importCsv(app, accessToken, `First Name,Last Name,E-mail Address,Notes\nAnn,Lee,,"${'x'.repeat(4_000_000)}"\n`);
    t.is(cell.status, 422);
    t.like(await problem(cell), { code: 'NOT_A_CSV' });
    const wide = await importCsv(app, accessToken, `First Name,Last Name,E-mail Address\nAnn,Lee,ann@example.com${',x'.repeat(10_000)}\n`);
    t.is(wide.status, 200);
    t.like(await wide.json(), { created: 1 });
    t.true(performance.now() - started < 10_000);
  });
});
