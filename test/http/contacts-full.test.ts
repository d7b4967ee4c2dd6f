import { CONTACT_VIEW_FIELDS, type ContactView } from '../../src/domain/contact.js';
import { FakeClock } from '../fakes/fakes.js';
import { BACKENDS } from '../helpers/databases.js';
import { eachBackend, signUpAndLogIn, type TestApp, uniqueEmail } from '../helpers/test-app.js';

// The whole contact over REST (API.md, "Contacts"): every field, the email/phone rules, limits,
// search, sort and fields=. Today is 15 June 2026 (UTC) for the whole file.
const clock = new FakeClock(new Date('2026-06-15T12:00:00Z'));

type Json = Record<string, unknown>;
type Problem = { status: number; code: string; errors?: { field: string }[] };

function richContact(overrides: Json = {}): Json {
  return {
    firstName: 'Zoë',
    lastName: 'Adler',
    middleName: 'Marie',
    prefix: 'Dr.',
    suffix: 'PhD',
    nickname: 'Zo',
    organization: 'Acme Labs',
    department: 'Research',
    jobTitle: 'Chemist',
    emails: [
      { value: uniqueEmail('work'), label: 'work' },
      { value: uniqueEmail('home'), label: 'Weekend' },
    ],
    phones: [
      { value: '+1 (555) 010-0100', label: 'mobile' },
      { value: '+1 555 0100 ext. 12', label: 'work' },
    ],
    addresses: [
      {
        label: 'home',
        poBox: '',
        extended: 'Flat 2',
        street: '1 Main St',
        locality: 'Springfield',
        region: 'IL',
        postalCode: '62701',
        country: 'USA',
      },
    ],
    urls: [{ value: 'https://zoe.example/blog', label: 'blog' }],
    birthday: '--02-29',
    anniversary: '2010-06-01',
    notes: 'line one\nline two\ttabbed',
    labels: ['Family', 'Climbing'],
    ...overrides,
  };
}

async function create(app: TestApp, token: string, body: Json): Promise<ContactView> {
  const res = await app.request('/api/contacts', { method: 'POST', token, json: body });
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as ContactView;
}

async function problem(res: Response): Promise<Problem> {
  if (res.headers.get('content-type') !== 'application/problem+json') throw new Error(`not problem+json (${res.status}): ${res.headers.get('content-type')}`);
  return (await res.json()) as Problem;
}

const fieldsOf = (body: Problem) => (body.errors ?? []).map((e) => e.field).sort();

eachBackend(
  BACKENDS,
  (it) => {
    it('every field round-trips: POST answers it all, GET answers the same, with the ETag the body names', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const body = richContact();
      const res = await app.request('/api/contacts', { method: 'POST', token: accessToken, json: body });
      t.is(res.status, 201);
      const created = (await res.json()) as ContactView;
      t.deepEqual(Object.keys(created).sort(), [...CONTACT_VIEW_FIELDS].sort());
      const emails = body.emails as { value: string }[];
      t.like(created, {
        ...body,
        emails: [
          { value: emails[0]!.value, label: 'work' },
          { value: emails[1]!.value, label: 'Weekend' },
        ],
        email: emails[0]!.value,
        phone: '+1 (555) 010-0100',
        photoUrl: null,
      });
      t.is(res.headers.get('etag'), created.etag);
      const fetched = await app.request(`/api/contacts/${created.id}`, { token: accessToken });
      t.is(fetched.status, 200);
      t.is(fetched.headers.get('etag'), created.etag);
      t.deepEqual(await fetched.json(), created);
      const notModified = await app.request(`/api/contacts/${created.id}`, { token: accessToken, headers: { 'if-none-match': created.etag } });
      t.is(notModified.status, 304);
      t.is(await notModified.text(), '');
    });

    it('PUT clears every field left out; PATCH changes only what it names, null clears and [] empties', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken, richContact());
      const put = await app.request(`/api/contacts/${contact.id}`, { method: 'PUT', token: accessToken, json: { firstName: 'Zoë', labels: ['Family'] } });
      t.is(put.status, 200);
      const replaced = (await put.json()) as ContactView;
      t.like(replaced, {
        id: contact.id,
        firstName: 'Zoë',
        lastName: '',
        middleName: '',
        prefix: '',
        suffix: '',
        nickname: '',
        organization: '',
        department: '',
        jobTitle: '',
        email: null,
        phone: null,
        emails: [],
        phones: [],
        addresses: [],
        urls: [],
        birthday: null,
        anniversary: null,
        notes: null,
        labels: ['Family'],
        createdAt: contact.createdAt,
      });
      t.not(replaced.etag, contact.etag);

      const rich = await create(app, accessToken, richContact());
      const patch = await app.request(`/api/contacts/${rich.id}`, {
        method: 'PATCH',
        token: accessToken,
        json: { nickname: null, urls: [], anniversary: null, jobTitle: 'Director', labels: ['Work'] },
      });
      t.is(patch.status, 200);
      const patched = (await patch.json()) as ContactView;
      t.deepEqual(patched, {
        ...rich,
        nickname: '',
        urls: [],
        anniversary: null,
        jobTitle: 'Director',
        labels: ['Work'],
        etag: patched.etag,
        updatedAt: patched.updatedAt,
      });
      t.deepEqual(await (await app.request(`/api/contacts/${rich.id}`, { token: accessToken })).json(), patched);
    });

    it('email and phone act on the first entries: replace keeping the label, null removes, both given must agree', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken, richContact());
      const path = `/api/contacts/${contact.id}`;
      const patch = (json: Json) => app.request(path, { method: 'PATCH', token: accessToken, json });
      const fresh = uniqueEmail('fresh');
      const replaced = (await (await patch({ email: fresh })).json()) as ContactView;
      t.deepEqual(replaced.emails, [{ value: fresh, label: 'work' }, contact.emails[1]]);
      t.is(replaced.email, fresh);
      const removed = (await (await patch({ phone: null })).json()) as ContactView;
      t.deepEqual(removed.phones, [contact.phones[1]]);
      t.is(removed.phone, '+1 555 0100 ext. 12');
      const disagree = await patch({ email: uniqueEmail('a'), emails: [{ value: uniqueEmail('b') }] });
      t.is(disagree.status, 422);
      t.deepEqual(fieldsOf(await problem(disagree)), ['email']);
      const phones = await patch({ phone: '12345', phones: [{ value: '67890' }] });
      t.is(phones.status, 422);
      t.deepEqual(fieldsOf(await problem(phones)), ['phone']);
      // On a contact without emails, `email` adds one labelled other.
      const bare = await create(app, accessToken, { firstName: 'Bare' });
      const added = (await (
        await app.request(`/api/contacts/${bare.id}`, { method: 'PATCH', token: accessToken, json: { email: fresh.replace('fresh', 'other') } })
      ).json()) as ContactView;
      t.deepEqual(added.emails, [{ value: fresh.replace('fresh', 'other'), label: 'other' }]);
    });

    it('a company card has an organization and an empty first name; without both, 422 names firstName', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const company = await create(app, accessToken, { organization: 'Acme Corp', firstName: '', phones: [{ value: '+1 555 0199', label: 'main' }] });
      t.like(company, { firstName: '', organization: 'Acme Corp', phone: '+1 555 0199' });
      const nameless = await app.request('/api/contacts', { method: 'POST', token: accessToken, json: { lastName: 'Only' } });
      t.is(nameless.status, 422);
      t.deepEqual(fieldsOf(await problem(nameless)), ['firstName']);
      const dropOrg = await app.request(`/api/contacts/${company.id}`, { method: 'PATCH', token: accessToken, json: { organization: null } });
      t.is(dropOrg.status, 422);
      t.deepEqual(fieldsOf(await problem(dropOrg)), ['firstName']);
    });

    it('every limit answers 422 naming the field, never 500; the edges that are allowed are stored', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const post = (json: Json) => app.request('/api/contacts', { method: 'POST', token: accessToken, json });
      const emails = (n: number) => Array.from({ length: n }, () => ({ value: uniqueEmail('many') }));
      const cases: [Json, string[]][] = [
        [{ firstName: 'x'.repeat(51) }, ['firstName']],
        [{ firstName: 'A', lastName: 'x'.repeat(51), nickname: 'x'.repeat(51) }, ['lastName', 'nickname']],
        [{ firstName: 'A', organization: 'x'.repeat(101) }, ['organization']],
        [{ firstName: 'A', emails: emails(21) }, ['emails']],
        [{ firstName: 'A', labels: Array.from({ length: 51 }, (_, i) => `L${i}`) }, ['labels']],
        [{ firstName: 'A', urls: [{ value: 'javascript:alert(1)' }] }, ['urls[0].value']],
        [{ firstName: 'A', phone: '12' }, ['phone']],
        [{ firstName: 'A', phones: [{ value: '12', label: 'mobile' }] }, ['phones[0].value']],
        [{ firstName: 'A', birthday: '2026-06-16' }, ['birthday']],
        [{ firstName: 'A', anniversary: '2030-01-01' }, ['anniversary']],
        [{ firstName: 'A\u0000' }, ['firstName']],
        [{ firstName: 'A', labels: ['ok', 'x'.repeat(51)] }, ['labels[1]']],
        [{ firstName: 'A', addresses: [{ label: 'home' }] }, ['addresses[0]']],
        [{ firstName: 'A', notes: 'x'.repeat(2001) }, ['notes']],
      ];
      for (const [json, fields] of cases) {
        const res = await post(json);
        t.is(res.status, 422, JSON.stringify(json).slice(0, 80));
        const body = await problem(res);
        t.is(body.code, 'VALIDATION_FAILED');
        t.deepEqual(fieldsOf(body), fields, JSON.stringify(json).slice(0, 80));
      }
      const edges = await create(app, accessToken, {
        firstName: 'x'.repeat(50),
        phone: '+1 555 0100 ext. 12',
        birthday: '--02-29',
        anniversary: '2026-06-15',
        emails: emails(20),
        labels: Array.from({ length: 50 }, (_, i) => `L${i}`),
      });
      t.is(edges.emails.length, 20);
      t.is(edges.labels.length, 50);
      t.like(edges, { phone: '+1 555 0100 ext. 12', birthday: '--02-29' });
      const huge = await post({ firstName: 'A', notes: 'x'.repeat(5 * 1024 * 1024) });
      t.true(huge.status === 413 || huge.status === 422, String(huge.status));
      t.false(app.logger.lines.some((l) => l.level === 'error'));
    });

    it("labels of one contact are unique ignoring case, the first spelling kept; label= filters the book's contacts", async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const a = await create(app, accessToken, { firstName: 'A', labels: ['Family', 'FAMILY', 'family ', 'Ski Club'] });
      t.deepEqual(a.labels, ['Family', 'Ski Club']);
      const b = await create(app, accessToken, { firstName: 'B', labels: ['family'] });
      await create(app, accessToken, { firstName: 'C', labels: ['Families'] });
      const list = async (query: string) =>
        ((await (await app.request(`/api/contacts?${query}`, { token: accessToken })).json()) as { items: ContactView[] }).items.map((c) => c.id);
      t.deepEqual(await list('label=Family'), [a.id, b.id]);
      t.deepEqual(await list(`label=${encodeURIComponent('ski club')}`), [a.id]);
      t.deepEqual(await list('label=Fam'), []);
    });

    it('q finds accents ignored (zoe finds Zoë), phone digits, organizations, nicknames, emails and labels', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const tag = Math.random().toString(36).slice(2, 8);
      const zoe = await create(app, accessToken, { firstName: 'Zoë', lastName: `Q${tag}`, phones: [{ value: '+1 (555) 010-0', label: 'mobile' }] });
      const org = await create(app, accessToken, { organization: `Ünïcorn ${tag}`, nickname: 'Uni' });
      const labelled = await create(app, accessToken, { firstName: 'Lab', labels: [`Crew${tag}`], emails: [{ value: `mail.${tag}@example.com` }] });
      const ids = async (q: string) => {
        const res = await app.request(`/api/contacts?q=${encodeURIComponent(q)}`, { token: accessToken });
        t.is(res.status, 200, q);
        return ((await res.json()) as { items: ContactView[] }).items.map((c) => c.id);
      };
      t.deepEqual(await ids('zoe'), [zoe.id]);
      t.deepEqual(await ids('ZOË'), [zoe.id]);
      t.deepEqual(await ids('5550100'), [zoe.id]);
      t.deepEqual(await ids('(555) 010'), [zoe.id]);
      t.deepEqual(await ids(`unicorn ${tag}`), [org.id]);
      t.deepEqual(await ids(`crew${tag}`), [labelled.id]);
      t.deepEqual(await ids(`MAIL.${tag}`), [labelled.id]);
    });

    it('sort=name orders by last then first name; sort=relevance puts whole names, then prefixes, then the rest; relevance needs q', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const tag = `r${Math.random().toString(36).slice(2, 7)}`;
      // Created in the reverse of the relevance order, so that the default (created) order differs.
      const elsewhere = await create(app, accessToken, { firstName: 'Other', lastName: 'Zed', organization: `The ${tag} Company` });
      const prefix = await create(app, accessToken, { firstName: `${tag}ina`, lastName: 'Brown' });
      const whole = await create(app, accessToken, { firstName: tag, lastName: 'Adams' });
      const ids = async (query: string) => {
        const res = await app.request(`/api/contacts?${query}`, { token: accessToken });
        t.is(res.status, 200, query);
        return ((await res.json()) as { items: ContactView[] }).items.map((c) => c.id);
      };
      t.deepEqual(await ids(`q=${tag}`), [elsewhere.id, prefix.id, whole.id]);
      t.deepEqual(await ids(`q=${tag}&sort=relevance`), [whole.id, prefix.id, elsewhere.id]);
      t.deepEqual(await ids(`q=${tag}&sort=name`), [whole.id, prefix.id, elsewhere.id]);
      const noQ = await app.request('/api/contacts?sort=relevance', { token: accessToken });
      t.is(noQ.status, 422);
      t.deepEqual(fieldsOf(await problem(noQ)), ['sort']);
      const unknown = await app.request('/api/contacts?sort=age', { token: accessToken });
      t.deepEqual(fieldsOf(await problem(unknown)), ['sort']);
    });

    it('fields= keeps only the named fields and id, on the list and on one contact; an unknown name is 422', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken, richContact());
      for (const path of ['/api/contacts?fields=id,firstName', '/api/contacts?fields=firstName']) {
        const page = (await (await app.request(path, { token: accessToken })).json()) as { items: Json[]; total: number };
        t.deepEqual(page.items, [{ id: contact.id, firstName: 'Zoë' }], path);
        t.is(page.total, 1);
      }
      const one = await app.request(`/api/contacts/${contact.id}?fields=labels,etag`, { token: accessToken });
      t.is(one.status, 200);
      t.is(one.headers.get('etag'), contact.etag);
      t.deepEqual(await one.json(), { id: contact.id, labels: ['Family', 'Climbing'], etag: contact.etag });
      for (const path of ['/api/contacts?fields=firstName,password', `/api/contacts/${contact.id}?fields=userId`, '/api/contacts?fields=a&fields=b']) {
        const res = await app.request(path, { token: accessToken });
        t.is(res.status, 422, path);
        t.deepEqual(fieldsOf(await problem(res)), ['fields'], path);
      }
    });

    it('gaining an email another contact holds is 409; a write that adds no address never is, even for a contact that already shares one', async (t, app) => {
      const me = await signUpAndLogIn(app);
      const shared = uniqueEmail('shared');
      const first = await create(app, me.accessToken, { firstName: 'First', email: shared });
      const second = await create(app, me.accessToken, { firstName: 'Second', email: uniqueEmail('second') });
      const gain = await app.request(`/api/contacts/${second.id}`, {
        method: 'PATCH',
        token: me.accessToken,
        json: { emails: [{ value: second.email }, { value: shared.toUpperCase() }] },
      });
      t.is(gain.status, 409);
      t.like(await problem(gain), { code: 'CONTACT_EMAIL_TAKEN' });
      // A contact that came to share the address another way (CardDAV, import of an old book) is still editable over REST.
      await app.container.repos.contacts.update(me.userId, second.id, { fields: { emails: [{ value: shared, label: 'other' }] } }, 'allow');
      const edit = await app.request(`/api/contacts/${second.id}`, { method: 'PATCH', token: me.accessToken, json: { notes: 'still mine to edit' } });
      t.is(edit.status, 200, await edit.clone().text());
      const keep = await app.request(`/api/contacts/${first.id}`, {
        method: 'PUT',
        token: me.accessToken,
        json: { firstName: 'First', email: shared, notes: 'x' },
      });
      t.is(keep.status, 200);
    });

    it('parallel PATCHes of different fields without If-Match all land: each applies itself to the contact as it finds it', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken, { firstName: 'Ann' });
      const changes = [{ nickname: 'Annie' }, { jobTitle: 'Pilot' }, { notes: 'met in Oslo' }];
      const answers = await Promise.all(changes.map((json) => app.request(`/api/contacts/${contact.id}`, { method: 'PATCH', token: accessToken, json })));
      t.deepEqual(
        answers.map((res) => res.status),
        [200, 200, 200],
      );
      const final = (await (await app.request(`/api/contacts/${contact.id}`, { token: accessToken })).json()) as ContactView;
      t.like(final, { firstName: 'Ann', nickname: 'Annie', jobTitle: 'Pilot', notes: 'met in Oslo', etag: '"4"' });
    });

    it('the lane in front of Koa and Koa answer the full contact, fields=, label=, sort= and their refusals alike', async (t, app) => {
      const { accessToken } = await signUpAndLogIn(app);
      const contact = await create(app, accessToken, richContact());
      const paths = [
        `/api/contacts/${contact.id}`,
        `/api/contacts/${contact.id}?fields=labels`,
        '/api/contacts?fields=firstName',
        '/api/contacts?label=family&sort=name',
        '/api/contacts?q=5550100',
        '/api/contacts?fields=nope',
        '/api/contacts?sort=relevance',
      ];
      for (const path of paths) {
        // No Origin: the plain read the hot lane takes; with one, CORS sends it through Koa.
        const hot = await app.request(path, { token: accessToken });
        const koa = await app.request(path, { token: accessToken, headers: { origin: 'https://elsewhere.example' } });
        t.is(hot.status, koa.status, path);
        t.is(hot.headers.get('etag'), koa.headers.get('etag'), path);
        t.is(await hot.text(), await koa.text(), path);
      }
    });
  },
  { clock, serial: true },
);
