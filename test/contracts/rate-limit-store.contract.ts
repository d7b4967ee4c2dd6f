import type { ExecutionContext } from 'ava';
import Router from '@koa/router';
import Koa from 'koa';
import { errorHandler } from '../../src/adapters/http/middleware/error-handler.js';
import { rateLimit, type RateLimitRule } from '../../src/adapters/http/middleware/rate-limit.js';
import type { RateLimitStore } from '../../src/adapters/rate-limit/rate-limit-store.js';
import { CapturingLogger } from '../fakes/fakes.js';
import { serve } from '../helpers/servers.js';
import { type ContractSubject, contractTest } from './harness.js';

export interface RateLimitStoreUnderTest {
  store: RateLimitStore;
  close(): Promise<void>;
}

/** A one-route app limited by `rule`, the key taken from the `x-key` header. */
export async function limitedApp(store: RateLimitStore, rule: Partial<RateLimitRule> = {}) {
  const app = new Koa();
  app.use(errorHandler(new CapturingLogger()));
  const router = new Router();
  const limit = rateLimit(store, { name: 'test', max: 8, windowSeconds: 60, key: (ctx) => ctx.get('x-key') || undefined, ...rule });
  router.get('/limited', limit, (ctx) => {
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  const server = await serve(app);
  return { ...server, get: (key: string) => fetch(`${server.url}/limited`, { headers: { 'x-key': key } }) };
}

/** What every store behind the rate-limit middleware promises, seen through HTTP: in memory and on Redis. */
export function rateLimitStoreContract(subject: ContractSubject<RateLimitStoreUnderTest>): void {
  const test = contractTest(subject);
  const it = (title: string, body: (t: ExecutionContext, store: RateLimitStore) => Promise<void>) => test(title, (t, made) => body(t, made.store));

  it('16 concurrent requests against a limit of 8 admit exactly 8', async (t, store) => {
    const app = await limitedApp(store);
    try {
      const answers = await Promise.all(Array.from({ length: 16 }, () => app.get('same-key')));
      t.is(answers.filter((r) => r.status === 200).length, 8);
      t.is(answers.filter((r) => r.status === 429).length, 8);
    } finally {
      await app.close();
    }
  });

  it('admitted requests count down X-RateLimit-Remaining; the one past the limit is a problem+json 429', async (t, store) => {
    const app = await limitedApp(store, { max: 3 });
    try {
      const before = Math.floor(Date.now() / 1000);
      for (const remaining of ['2', '1', '0']) {
        const res = await app.get('k');
        t.is(res.status, 200);
        t.is(res.headers.get('x-ratelimit-limit'), '3');
        t.is(res.headers.get('x-ratelimit-remaining'), remaining);
        const reset = res.headers.get('x-ratelimit-reset')!;
        t.regex(reset, /^\d+$/);
        // A window of 60 s from the first request, which a loaded machine may have answered late.
        t.true(Number(reset) >= before + 59 && Number(reset) <= Math.ceil(Date.now() / 1000) + 61, reset);
      }
      const limited = await app.get('k');
      t.is(limited.status, 429);
      t.is(limited.headers.get('content-type'), 'application/problem+json');
      t.is(limited.headers.get('cache-control'), 'no-store');
      t.is(limited.headers.get('x-ratelimit-limit'), '3');
      t.is(limited.headers.get('x-ratelimit-remaining'), '0');
      const retryAfter = limited.headers.get('retry-after')!;
      t.regex(retryAfter, /^\d+$/);
      t.true(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, retryAfter);
      t.like(await limited.json(), { status: 429, code: 'RATE_LIMITED', title: 'Too Many Requests' });
    } finally {
      await app.close();
    }
  });

  it('a key at its limit does not limit another key', async (t, store) => {
    const app = await limitedApp(store, { max: 2 });
    try {
      await app.get('a');
      await app.get('a');
      t.is((await app.get('a')).status, 429);
      t.is((await app.get('b')).status, 200);
      t.is((await app.get('b')).headers.get('x-ratelimit-remaining'), '0');
    } finally {
      await app.close();
    }
  });

  it('the budget comes back once the window has passed', async (t, store) => {
    const app = await limitedApp(store, { max: 1, windowSeconds: 1 });
    try {
      t.is((await app.get('w')).status, 200);
      const limited = await app.get('w');
      t.is(limited.status, 429);
      t.is(limited.headers.get('retry-after'), '1');
      await new Promise((resolve) => setTimeout(resolve, 1100));
      t.is((await app.get('w')).status, 200);
    } finally {
      await app.close();
    }
  });

  it('a request without a key is a wiring mistake, not a free pass', async (t, store) => {
    const app = await limitedApp(store);
    try {
      t.is((await fetch(`${app.url}/limited`)).status, 500);
    } finally {
      await app.close();
    }
  });
}
