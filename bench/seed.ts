/**
 * Seeds the API through its public routes: users sign up, confirm through the link in the email
 * the server sent to the benchmark's local SMTP server, which writes each one into the outbox folder; log in;
 * then each creates its contacts. The same rows are handed to the reference server's store.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { simpleParser, type AddressObject } from 'mailparser';
import { type ContactFields, EMPTY_CONTACT_FIELDS } from '../src/domain/contact.js';
import type { ReferenceContact, ReferenceUser } from './reference-store.js';

export const BENCH_PASSWORD = 'a benchmark passphrase nobody guesses';

export interface SeededUser extends ReferenceUser {
  password: string;
  accessToken: string;
  sessionId: string;
}

export interface SeededContacts {
  /** False when the API has no POST /api/contacts (404/405): the rows were made up for the reference alone. */
  apiHasContacts: boolean;
  /** What the probe answered. */
  probeStatus: number;
  contacts: ReferenceContact[];
}

/** What a client sends to create a contact: names, work, one email and phone (the simple clients' form), a birthday, notes. */
type ContactBody = Pick<ContactFields, 'firstName' | 'lastName' | 'organization' | 'jobTitle' | 'birthday' | 'notes'> & { email: string; phone: string };

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Berners-Lee'];

/** A valid contact; `{{seq}}` in the email is left for the load generator to make unique. */
export function contactBody(n: number | '{{seq}}', tag: string): ContactBody {
  const i = typeof n === 'number' ? n : 7;
  return {
    firstName: FIRST[i % FIRST.length]!,
    lastName: LAST[(i * 7) % LAST.length]!,
    email: `contact-${tag}-${n}@example.com`,
    phone: `+44 20 7946 ${String(1000 + (i % 9000)).padStart(4, '0')}`,
    birthday: `19${50 + (i % 50)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`,
    organization: ORGANIZATIONS[i % ORGANIZATIONS.length]!,
    jobTitle: i % 2 === 0 ? 'Engineer' : '',
    notes: i % 3 === 0 ? null : `Met at conference #${i}`,
  };
}

const ORGANIZATIONS = ['Analytical Engines', 'Navy', 'Bletchley Park', 'Eindhoven', 'MIT', ''];

/** The contact a reference row holds: the body as the API stored it (its answer), and its owner. */
function referenceRow(userId: string, shown: Record<string, unknown>): ReferenceContact {
  const { email: _email, phone: _phone, photoUrl: _photo, etag, ...fields } = shown;
  return { ...(fields as unknown as ReferenceContact), userId, version: Number(String(etag).replaceAll('"', '')) || 1 };
}

/** A row the reference alone holds, as the API would have stored the body. */
function madeUpRow(userId: string, body: ContactBody, at: string): ReferenceContact {
  const { email, phone, ...rest } = body;
  return {
    ...EMPTY_CONTACT_FIELDS,
    ...rest,
    emails: [{ value: email, label: 'other' }],
    phones: [{ value: phone, label: 'other' }],
    id: randomUUID(),
    userId,
    version: 1,
    createdAt: at,
    updatedAt: at,
  };
}

export async function request(base: string, method: string, route: string, options: { json?: unknown; token?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(base + route, {
    method,
    headers,
    ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: body as Record<string, unknown> };
}

export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

function expect(what: string, status: number, wanted: number, body: unknown): void {
  if (status !== wanted) throw new Error(`${what} answered ${status} (expected ${wanted}): ${JSON.stringify(body).slice(0, 300)}`);
}

/** Verification tokens by recipient, read from the .eml files of the outbox folder. */
async function verificationTokens(outbox: string): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  const files = await readdir(outbox).catch(() => [] as string[]);
  for (const file of files.filter((f) => f.endsWith('.eml'))) {
    const mail = await simpleParser(await readFile(path.join(outbox, file)));
    const to = ([] as AddressObject[]).concat(mail.to ?? []).flatMap((a) => a.value.map((v) => v.address?.toLowerCase()));
    const token = /verify-email\?token=([^\s"'<>&]+)/.exec(mail.text ?? '')?.[1];
    if (token) for (const address of to) if (address) tokens.set(address, decodeURIComponent(token));
  }
  return tokens;
}

export async function seedUsers(base: string, outbox: string, count: number, tag: string): Promise<SeededUser[]> {
  const emails = Array.from({ length: count }, (_, i) => `bench-${tag}-${i}@example.com`);
  const signedUp = await mapLimit(emails, 4, async (email, i) => {
    const { status, body } = await request(base, 'POST', '/api/auth/signup', {
      json: { username: `bench${i}`, email, password: BENCH_PASSWORD },
    });
    expect(`signup of ${email}`, status, 201, body);
    return body.user as Omit<ReferenceUser, 'tokenVersion'>;
  });

  let tokens = new Map<string, string>();
  // Up to 30 s: a dispatcher may deliver the outbox a little after the signup answered.
  for (let attempt = 0; attempt < 300; attempt += 1) {
    tokens = await verificationTokens(outbox);
    if (emails.every((e) => tokens.has(e))) break;
    await sleep(100);
  }
  const missing = emails.filter((e) => !tokens.has(e));
  if (missing.length > 0) throw new Error(`no verification email found in ${outbox} for ${missing.join(', ')}`);

  return mapLimit(signedUp, 4, async (user) => {
    const verify = await request(base, 'GET', `/api/auth/verify-email?token=${encodeURIComponent(tokens.get(user.email)!)}`);
    expect(`verification of ${user.email}`, verify.status, 200, verify.body);
    const login = await request(base, 'POST', '/api/auth/login', { json: { email: user.email, password: BENCH_PASSWORD } });
    expect(`login of ${user.email}`, login.status, 200, login.body);
    const accessToken = login.body.accessToken as string;
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { sid: string; ver: number };
    return { ...user, emailVerified: true, tokenVersion: claims.ver, password: BENCH_PASSWORD, accessToken, sessionId: claims.sid };
  });
}

export async function seedContacts(base: string, users: SeededUser[], perUser: number, tag: string): Promise<SeededContacts> {
  const jobs = users.flatMap((user, u) => Array.from({ length: perUser }, (_, i) => ({ user, body: contactBody(u * perUser + i, tag) })));
  if (jobs.length === 0) return { apiHasContacts: false, probeStatus: 0, contacts: [] };

  const probe = await request(base, 'POST', '/api/contacts', { json: jobs[0]!.body, token: jobs[0]!.user.accessToken });
  if (probe.status === 404 || probe.status === 405) {
    // The route is not there: make the rows up so the reference can still be measured.
    const now = Date.now();
    const contacts = jobs.map(({ user, body }, i) => madeUpRow(user.id, body, new Date(now + i).toISOString()));
    return { apiHasContacts: false, probeStatus: probe.status, contacts };
  }
  expect('POST /api/contacts', probe.status, 201, probe.body);

  const rest = await mapLimit(jobs.slice(1), 8, async ({ user, body }) => {
    const created = await request(base, 'POST', '/api/contacts', { json: body, token: user.accessToken });
    expect('POST /api/contacts', created.status, 201, created.body);
    return referenceRow(user.id, created.body as Record<string, unknown>);
  });
  return { apiHasContacts: true, probeStatus: probe.status, contacts: [referenceRow(jobs[0]!.user.id, probe.body as Record<string, unknown>), ...rest] };
}
