import test from 'ava';
import { redisAvailable, TEST_REDIS_URL } from '../helpers/databases.js';
import { signUpAndLogIn, startTestApp } from '../helpers/test-app.js';

// A generous Redis bound: on a loaded CI machine a slow answer would fail open (by design) and hide the headers.
const LIMITS = { RATE_LIMIT_CONTACTS_MAX: '3', RATE_LIMIT_CONTACT_CREATE_MAX: '2', RATE_LIMIT_CONTACTS_WINDOW_S: '60', REDIS_TIMEOUT_MS: '5000' };
const contact = (n: number) => ({ firstName: 'Zoë', lastName: `Lee ${n}`, email: `zoe${n}@example.com`, phone: '+44 20 7946 0958', birthday: '1990-01-02' });

for (const store of ['memory', 'redis'] as const) {
  test(`[${store}] the real contacts routes are limited per user: the 4th request answers 429, another user is not affected`, async (t) => {
    if (store === 'redis' && !(await redisAvailable())) return t.pass('Redis is not running');
    const app = await startTestApp({ env: { ...LIMITS, ...(store === 'redis' ? { REDIS_URL: TEST_REDIS_URL } : {}) } });
    try {
      const ann = await signUpAndLogIn(app);
      const bob = await signUpAndLogIn(app);
      for (let i = 0; i < 3; i++) {
        const res = await app.request('/api/contacts', { token: ann.accessToken });
        t.is(res.status, 200);
        t.is(res.headers.get('x-ratelimit-limit'), '3');
        t.is(res.headers.get('x-ratelimit-remaining'), String(2 - i));
      }
      const limited = await app.request('/api/contacts/birthdays', { token: ann.accessToken });
      t.is(limited.status, 429);
      t.like(await limited.json(), { code: 'RATE_LIMITED', status: 429 });
      t.true(Number(limited.headers.get('retry-after')) >= 1);
      t.is((await app.request('/api/contacts', { token: bob.accessToken })).status, 200);

      // Creating has its own, stricter budget on top of the general one.
      const cy = await signUpAndLogIn(app);
      const create = (n: number) => app.request('/api/contacts', { method: 'POST', token: cy.accessToken, json: contact(n) });
      t.is((await create(1)).status, 201);
      t.is((await create(2)).status, 201);
      const third = await create(3);
      t.is(third.status, 429);
      t.is(third.headers.get('x-ratelimit-limit'), '2');
    } finally {
      await app.close();
    }
  });
}
