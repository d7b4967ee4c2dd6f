import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api, linkIn, Mailpit, PASSWORD, step, uniqueEmail, type Answer } from './client.js';
import { docker, lbLog, onReplica, replicas, upstreamsOf, waitHealthy, type DirectAnswer, type DirectRequest, type Replica } from './stack.js';

const execFileAsync = promisify(execFile);

// `npm run test:replicas` (test/docker/run.sh starts 3 replicas behind nginx): what one instance
// does for itself must hold across all of them, through the load balancer, because the state lives
// in PostgreSQL and Redis; and restarting the replicas one at a time under load loses no request.
// Usage: tsx test/docker/replicas.ts <load balancer URL> <Mailpit URL>

const [lbUrl, mailpitUrl] = process.argv.slice(2);
if (!lbUrl || !mailpitUrl) throw new Error('usage: replicas.ts <load balancer URL> <Mailpit URL>');
const api = new Api(lbUrl);
const mailpit = new Mailpit(mailpitUrl);
const CREATE_LIMIT = 10; // RATE_LIMIT_CONTACT_CREATE_MAX, as run.sh sets it
const LOGIN_FAILURES_MAX = 10; // RATE_LIMIT_LOGIN_FAILURES_MAX, the default
const requestId = (answer: Answer) => answer.headers.get('x-request-id') ?? '?';
let contacts = 0;
/** A contact with every field filled (valid whichever fields a version of the API requires), its email unique. */
const contact = (firstName: string) => {
  contacts += 1;
  return { firstName, lastName: 'Replica', email: `contact${contacts}@example.com`, phone: '+1 555 0100', birthday: '1990-01-31' };
};

interface Session {
  email: string;
  accessToken: string;
  refreshToken: string;
}

async function signUp(email: string): Promise<void> {
  const signup = await api.call('POST', '/api/auth/signup', { json: { username: 'Replica Rita', email, password: PASSWORD } });
  assert.equal(signup.status, 201, JSON.stringify(signup.body));
}

async function verify(email: string): Promise<void> {
  const [mail] = await mailpit.waitFor(email, /confirm/i);
  const verified = await api.call('GET', `/api/auth/verify-email?token=${encodeURIComponent(linkIn(mail!).token)}`);
  assert.equal(verified.status, 200);
}

async function logIn(email: string, password = PASSWORD): Promise<Session> {
  const login = await api.call<{ accessToken: string; refreshToken: string }>('POST', '/api/auth/login', { json: { email, password } });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return { email, ...login.body };
}

/**
 * `count` calls in a row (round robin spreads them over the replicas), with the addresses of the
 * replicas that answered (from nginx's access log: no response says it).
 */
async function repeat(count: number, call: () => Promise<Answer>): Promise<{ statuses: number[]; upstreams: Set<string> }> {
  const statuses: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await call();
    statuses.push(answer.status);
    ids.push(requestId(answer));
  }
  return { statuses, upstreams: new Set((await upstreamsOf(ids)).values()) };
}

const running = await step('3 replicas run, and nginx spreads requests over all of them', async () => {
  const found = replicas();
  assert.equal(found.length, 3, `replicas: ${found.map((r) => r.name).join(', ')}`);
  const { statuses, upstreams } = await repeat(12, () => api.call('GET', '/health'));
  assert.deepEqual([...new Set(statuses)], [200]);
  assert.deepEqual([...upstreams].sort(), found.map((r) => r.ip).sort());
  return found;
});

await step("nginx's access log names the path of a ?token= link without its token, and no response names a replica", async () => {
  const token = `token-${Date.now()}-not-for-logs`;
  const answer = await api.call('GET', `/api/auth/verify-email?token=${token}`);
  assert.equal(answer.status, 400, JSON.stringify(answer.body));
  assert.deepEqual(
    [...answer.headers.keys()].filter((name) => /upstream/i.test(name)),
    [],
  );
  const id = requestId(answer);
  assert.notEqual((await upstreamsOf([id])).get(id), '?', 'the request is in the access log');
  const log = lbLog();
  const line = log.split('\n').find((l) => l.includes(`request_id=${id}`));
  assert.match(line ?? '', /"GET \/api\/auth\/verify-email HTTP\/1\.1"/);
  assert.ok(!log.includes(token), 'the token is nowhere in the log');
});

const people = Array.from({ length: 6 }, (_, i) => uniqueEmail(`replica${i}`));
await step('6 parallel signups: each address gets exactly one verification email, whichever replica took it', async () => {
  await Promise.all(people.map(signUp));
  for (const email of people) await mailpit.waitFor(email, /confirm/i);
  // Every replica's outbox dispatcher polls the same table: give them a few rounds to send a copy.
  await sleep(3000);
  for (const email of people) assert.equal((await mailpit.messagesTo(email)).length, 1, `emails to ${email}`);
  await Promise.all(people.map(verify));
});

await step(`the contact-creation limit (${CREATE_LIMIT} per user) is one count across the replicas`, async () => {
  const session = await logIn(people[0]!);
  const { statuses, upstreams } = await repeat(CREATE_LIMIT + 4, () =>
    api.call('POST', '/api/contacts', { token: session.accessToken, json: contact('Limit') }),
  );
  assert.equal(upstreams.size, 3, 'the creations reached every replica');
  assert.deepEqual(statuses, [...Array(CREATE_LIMIT).fill(201), ...Array(4).fill(429)]);
});

await step(`failed logins for one account are counted across the replicas (429 after at most ${LOGIN_FAILURES_MAX})`, async () => {
  const { statuses, upstreams } = await repeat(LOGIN_FAILURES_MAX + 2, () =>
    api.call('POST', '/api/auth/login', { json: { email: people[1], password: 'not the password at all' } }),
  );
  assert.equal(upstreams.size, 3);
  const firstLimited = statuses.indexOf(429);
  assert.ok(firstLimited > 0 && firstLimited <= LOGIN_FAILURES_MAX, `statuses: ${statuses.join(' ')}`);
  assert.ok(statuses.slice(0, firstLimited).every((s) => s === 401));
  assert.ok(
    statuses.slice(firstLimited).every((s) => s === 429),
    `statuses: ${statuses.join(' ')}`,
  );
});

await step('a logout through one replica ends the session on every replica at once', async () => {
  const session = await logIn(people[2]!);
  const before = await repeat(6, () => api.call('GET', '/api/users/me', { token: session.accessToken }));
  assert.deepEqual([...new Set(before.statuses)], [200], 'every replica accepts the token (and caches the user)');
  const logout = await api.call('POST', '/api/auth/logout', { token: session.accessToken, json: { refreshToken: session.refreshToken } });
  assert.equal(logout.status, 204);
  const after = await repeat(9, () => api.call('GET', '/api/users/me', { token: session.accessToken }));
  assert.equal(after.upstreams.size, 3);
  assert.deepEqual([...new Set(after.statuses)], [401]);
  assert.equal((await api.call('POST', '/api/auth/refresh', { json: { refreshToken: session.refreshToken } })).status, 401);
});

await step('a password reset through one replica: one email each, and every old session refused on every replica', async () => {
  const email = people[3]!;
  const sessions = [await logIn(email), await logIn(email)];
  await repeat(6, () => api.call('GET', '/api/users/me', { token: sessions[0]!.accessToken }));
  assert.equal((await api.call('POST', '/api/auth/forgot-password', { json: { email } })).status, 202);
  const [mail] = await mailpit.waitFor(email, /reset/i);
  const newPassword = 'a brand new passphrase';
  assert.equal((await api.call('POST', '/api/auth/reset-password', { json: { token: linkIn(mail!).token, password: newPassword } })).status, 204);
  await mailpit.waitFor(email, /changed/i);
  for (const session of sessions) {
    const after = await repeat(6, () => api.call('GET', '/api/users/me', { token: session.accessToken }));
    assert.equal(after.upstreams.size, 3);
    assert.deepEqual([...new Set(after.statuses)], [401]);
    assert.equal((await api.call('POST', '/api/auth/refresh', { json: { refreshToken: session.refreshToken } })).status, 401);
  }
  await logIn(email, newPassword);
  await sleep(3000);
  const subjects = (await mailpit.messagesTo(email)).map((m) => m.subject).sort();
  assert.deepEqual(subjects, ['Confirm your email address', 'Reset your password', 'Your password was changed']);
});

// Sync across replicas: what a device keeps between syncs (a CardDAV sync token, the change feed's
// `next`) is taken from one replica and used on another. Each request is aimed at a replica of its
// own, inside its container (onReplica), since nginx picks one for whatever passes through it.
const SYNC_COLLECTION = (token: string) =>
  `<?xml version="1.0" encoding="utf-8" ?><D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;

/** The <d:response> elements of a multistatus: href, and the etag or the status line. */
function davResponses(xml: string): { href: string; etag: string | null; status: string | null }[] {
  return [...xml.matchAll(/<d:response>([\s\S]*?)<\/d:response>/g)].map((m) => ({
    href: /<d:href>([^<]*)<\/d:href>/.exec(m[1]!)?.[1] ?? '',
    etag: /<d:getetag>([^<]*)<\/d:getetag>/.exec(m[1]!)?.[1]?.replace(/&quot;/g, '"') ?? null,
    status: /^<d:href>[^<]*<\/d:href><d:status>([^<]*)</.exec(m[1]!)?.[1] ?? null,
  }));
}
const syncTokenIn = (xml: string) => /<d:sync-token>([^<]+)<\/d:sync-token>/.exec(xml)?.[1] ?? '';
const json = <T>(answer: DirectAnswer) => JSON.parse(answer.text) as T;

interface FeedPage {
  changes: { id: string; deleted: boolean; contact?: { notes?: string; lastName?: string } }[];
  next: string;
  more: boolean;
}

await step('a CardDAV sync token and a change-feed `next` from one replica work on another', async () => {
  const [a, b, c] = running as [Replica, Replica, Replica];
  const email = uniqueEmail('replica-sync');
  await signUp(email);
  await verify(email);
  const session = await logIn(email);
  const bearer = { authorization: `Bearer ${session.accessToken}` };
  const me = await api.call<{ id: string }>('GET', '/api/users/me', { token: session.accessToken });
  const created = await api.call<{ password: string }>('POST', '/api/users/me/app-passwords', {
    token: session.accessToken,
    json: { name: 'Replica phone', currentPassword: PASSWORD },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const basic = { authorization: `Basic ${Buffer.from(`${email}:${created.body.password}`).toString('base64')}` };
  const book = `/dav/addressbooks/${me.body.id}/contacts/`;
  const report = (token: string): DirectRequest => ({
    method: 'REPORT',
    path: book,
    headers: { ...basic, 'content-type': 'application/xml; charset=utf-8', depth: '1' },
    body: SYNC_COLLECTION(token),
  });

  // On A: the tokens a device keeps, taken before the writes.
  const [first, feedStart] = onReplica(a, [report(''), { method: 'GET', path: '/api/contacts/changes?limit=1000', headers: bearer }]);
  assert.equal(first!.status, 207, first!.text);
  assert.deepEqual(davResponses(first!.text), [], 'the new book is empty');
  const davToken = syncTokenIn(first!.text);
  assert.ok(davToken, 'the first sync answers a token');
  assert.equal(feedStart!.status, 200, feedStart!.text);
  const feedToken = json<FeedPage>(feedStart!).next;

  // On A: three contacts over REST; one changed over CardDAV, one deleted.
  const posts = onReplica(
    a,
    ['Kept', 'Changed', 'Deleted'].map((firstName) => ({
      method: 'POST',
      path: '/api/contacts',
      headers: { ...bearer, 'content-type': 'application/json' },
      body: JSON.stringify(contact(firstName)),
    })),
  );
  for (const post of posts) assert.equal(post.status, 201, post.text);
  const [kept, changed, deleted] = posts.map((post) => json<{ id: string }>(post).id) as [string, string, string];
  const href = (id: string) => `${book}${id}.vcf`;
  const [card] = onReplica(a, [{ method: 'GET', path: href(changed), headers: basic }]);
  assert.equal(card!.status, 200, card!.text);
  const note = 'changed over CardDAV on one replica';
  const [put, removed] = onReplica(a, [
    {
      method: 'PUT',
      path: href(changed),
      headers: { ...basic, 'content-type': 'text/vcard; charset=utf-8', 'if-match': card!.headers.etag! },
      body: card!.text.replace(/END:VCARD\s*$/, `NOTE:${note}\r\nEND:VCARD\r\n`),
    },
    { method: 'DELETE', path: `/api/contacts/${deleted}`, headers: bearer },
  ]);
  assert.ok([201, 204].includes(put!.status), `PUT answered ${put!.status}: ${put!.text}`);
  assert.equal(removed!.status, 204, removed!.text);
  const putEtag = put!.headers.etag;
  assert.ok(putEtag, 'the PUT answers the new ETag');

  // On B, with A's token: exactly those changes.
  const [synced] = onReplica(b, [report(davToken)]);
  assert.equal(synced!.status, 207, synced!.text);
  const list = davResponses(synced!.text);
  assert.deepEqual(
    list.map((r) => [r.href, r.status ?? 'a card']).sort(),
    [
      [href(kept), 'a card'],
      [href(changed), 'a card'],
      [href(deleted), 'HTTP/1.1 404 Not Found'],
    ].sort(),
    "B answers A's token with exactly the changes made through A",
  );
  assert.ok(list.find((r) => r.href === href(kept))?.etag, 'a new card comes with its ETag');
  assert.equal(list.find((r) => r.href === href(changed))?.etag, putEtag, 'the changed card, with the ETag its PUT answered');
  // On C: B's new token has nothing more, and REST agrees with what CardDAV said.
  const [again, restChanged, restDeleted] = onReplica(c, [
    report(syncTokenIn(synced!.text)),
    { method: 'GET', path: `/api/contacts/${changed}`, headers: bearer },
    { method: 'GET', path: `/api/contacts/${deleted}`, headers: bearer },
  ]);
  assert.equal(again!.status, 207, again!.text);
  assert.deepEqual(davResponses(again!.text), [], "B's token, on C: nothing changed since");
  assert.equal(restChanged!.status, 200);
  assert.equal(restChanged!.headers.etag, putEtag, 'the REST ETag is the CardDAV one');
  assert.equal(json<{ notes: string }>(restChanged!).notes, note);
  assert.equal(restDeleted!.status, 404);

  // The REST feed from A's `next`, one change a page, each page from the next replica in turn.
  const order = [b, c, a];
  let turn = 0;
  const walk = (since: string) => {
    const seen: FeedPage['changes'] = [];
    for (let more = true; more; turn++) {
      const [page] = onReplica(order[turn % 3]!, [
        { method: 'GET', path: `/api/contacts/changes?limit=1&since=${encodeURIComponent(since)}`, headers: bearer },
      ]);
      assert.equal(page!.status, 200, page!.text);
      const body = json<FeedPage>(page!);
      seen.push(...body.changes);
      since = body.next;
      more = body.more;
    }
    return { seen, next: since };
  };
  const walked = walk(feedToken);
  assert.deepEqual(
    walked.seen.map((ch) => [ch.id, ch.deleted]).sort(),
    [
      [kept, false],
      [changed, false],
      [deleted, true],
    ].sort(),
    'each contact once, with its latest state',
  );
  assert.equal(walked.seen.find((ch) => ch.id === changed)?.contact?.notes, note);
  // A write on A after the walk shows up, alone, when the walk goes on from its last `next` elsewhere.
  const [later] = onReplica(a, [
    { method: 'POST', path: '/api/contacts', headers: { ...bearer, 'content-type': 'application/json' }, body: JSON.stringify(contact('Later')) },
  ]);
  assert.equal(later!.status, 201, later!.text);
  const after = walk(walked.next);
  assert.deepEqual(
    after.seen.map((ch) => ch.id),
    [json<{ id: string }>(later!).id],
  );
  console.log(`       pages of the feed walk: ${turn}, over ${new Set(order.map((r) => r.name)).size} replicas`);
});

// Rolling restart: each replica in turn gets SIGTERM (`docker stop`), must exit, and comes back,
// while clients keep reading and refreshing their sessions through nginx. A refresh token works
// once: a refresh lost, or run twice by a retry, breaks that client's chain, so it would show.
interface Outcome {
  requests: number;
  byStatus: Record<string, number>;
  failures: string[];
}

async function loadClient(session: Session, contactId: string, stop: AbortSignal, outcome: Outcome): Promise<void> {
  let tokens = session;
  for (let i = 0; !stop.aborted; i++) {
    const op = i % 3;
    let answer: Answer | undefined;
    let what = '';
    try {
      if (op === 0) {
        what = 'GET /api/users/me';
        answer = await api.call('GET', '/api/users/me', { token: tokens.accessToken });
      } else if (op === 1) {
        what = 'GET /api/contacts/:id';
        answer = await api.call('GET', `/api/contacts/${contactId}`, { token: tokens.accessToken });
      } else {
        what = 'POST /api/auth/refresh';
        answer = await api.call<{ accessToken: string; refreshToken: string }>('POST', '/api/auth/refresh', { json: { refreshToken: tokens.refreshToken } });
        if (answer.status === 200) tokens = { ...tokens, ...(answer.body as { accessToken: string; refreshToken: string }) };
      }
    } catch (error) {
      outcome.failures.push(`${what}: ${(error as Error).message}`);
      outcome.requests += 1;
      continue;
    }
    outcome.requests += 1;
    outcome.byStatus[answer.status] = (outcome.byStatus[answer.status] ?? 0) + 1;
    if (answer.status !== 200) outcome.failures.push(`${what} → ${answer.status} (request ${requestId(answer)}): ${JSON.stringify(answer.body)}`);
  }
}

await step('a rolling restart (SIGTERM, one replica at a time) under load loses no request', async () => {
  const clients: { session: Session; contactId: string }[] = [];
  const owners = [people[4]!, people[5]!];
  for (const email of owners) {
    const first = await logIn(email);
    const created = await api.call<{ id: string }>('POST', '/api/contacts', { token: first.accessToken, json: contact('Load') });
    assert.equal(created.status, 201);
    for (let i = 0; i < 6; i++) clients.push({ session: i === 0 ? first : await logIn(email), contactId: created.body.id });
  }
  const outcome: Outcome = { requests: 0, byStatus: {}, failures: [] };
  const stop = new AbortController();
  const started = Date.now();
  const load = Promise.all(clients.map((c) => loadClient(c.session, c.contactId, stop.signal, outcome)));
  await sleep(2000);
  const restarts: string[] = [];
  for (const replica of running) {
    const before = outcome.requests;
    const stopping = Date.now();
    // SIGTERM, then SIGKILL only after 30 s. Not execFileSync: that would block this process, and
    // with it the clients, for the whole drain, which would then see no traffic at all.
    await execFileAsync('docker', ['stop', '--time', '30', replica.id]);
    const stoppedIn = Date.now() - stopping;
    const exitCode = docker('inspect', '--format', '{{.State.ExitCode}}', replica.id);
    docker('start', replica.id);
    await waitHealthy(replica.id);
    restarts.push(
      `${replica.name}: exited ${exitCode} ${stoppedIn} ms after SIGTERM, healthy again after ${Date.now() - stopping} ms, ${outcome.requests - before} requests meanwhile`,
    );
    assert.equal(exitCode, '0', `${replica.name} exit code after SIGTERM`);
    await sleep(1000);
  }
  await sleep(2000);
  stop.abort();
  await load;
  const seconds = (Date.now() - started) / 1000;
  for (const line of restarts) console.log(`       ${line}`);
  console.log(
    `       ${clients.length} clients, ${outcome.requests} requests in ${seconds.toFixed(1)} s (${Math.round(outcome.requests / seconds)} req/s), statuses ${JSON.stringify(outcome.byStatus)}, ${outcome.failures.length} failed`,
  );
  for (const failure of outcome.failures.slice(0, 10)) console.log(`       failed: ${failure}`);
  // What the clients did not see: requests nginx sent to a second replica (a draining one's 503, a
  // refused connection), and connections a replica reset (each a 502 had it carried a POST).
  const lb = lbLog({ withErrors: true }).split('\n');
  const retried = lb.filter((line) => /upstream="[^"]*, /.test(line)).length;
  const resets = lb.filter((line) => /\[error\].*(reset by peer|prematurely closed)/.test(line));
  const refused = lb.filter((line) => /\[error\].*Connection refused/.test(line)).length;
  console.log(`       nginx: ${retried} requests retried on another replica, ${refused} connections refused, ${resets.length} reset`);
  for (const line of resets.slice(0, 5)) console.log(`       nginx: ${line}`);
  if (outcome.failures.length > 0) {
    // Which replica failed, and how, is in nginx's logs only: no response names a replica.
    const logged = lbLog({ withErrors: true })
      .split('\n')
      .filter((line) => /" [45]\d\d \d+ /.test(line) || /\[(error|warn)\]/.test(line));
    for (const line of logged.slice(-20)) console.log(`       nginx: ${line}`);
  }
  assert.equal(outcome.failures.length, 0);
  assert.deepEqual(resets, [], 'no replica reset a connection nginx had opened');
  const after = replicas();
  assert.deepEqual(after.map((r) => r.ip).sort(), running.map((r) => r.ip).sort(), 'the replicas came back on the addresses nginx resolved');
});
