import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Api, linkIn, Mailpit, PASSWORD, step, uniqueEmail, type Answer } from './client.js';
import { docker, lbLog, replicas, upstreamsOf, waitHealthy } from './stack.js';

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
    docker('stop', '--time', '30', replica.id); // SIGTERM, then SIGKILL only after 30 s
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
  if (outcome.failures.length > 0) {
    // Which replica failed, and how, is in nginx's logs only: no response names a replica.
    const logged = lbLog({ withErrors: true })
      .split('\n')
      .filter((line) => /" [45]\d\d \d+ /.test(line) || /\[(error|warn)\]/.test(line));
    for (const line of logged.slice(-20)) console.log(`       nginx: ${line}`);
  }
  assert.equal(outcome.failures.length, 0);
  const after = replicas();
  assert.deepEqual(after.map((r) => r.ip).sort(), running.map((r) => r.ip).sort(), 'the replicas came back on the addresses nginx resolved');
});
