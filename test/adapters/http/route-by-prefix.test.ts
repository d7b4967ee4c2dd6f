import Router from '@koa/router';
import test from 'ava';
import { routeByPrefix } from '../../../src/adapters/http/route-by-prefix.js';

test('a router whose routes match regardless of case is refused, a family or the rest', (t) => {
  const sensitive = () => new Router({ prefix: '/api/things', sensitive: true }).get('/', () => {});
  const loose = () => new Router({ prefix: '/api/things' }).get('/', () => {});
  t.throws(() => routeByPrefix([loose()], new Router({ sensitive: true }), {}), { message: /sensitive: true/ });
  const nested = new Router({ sensitive: true });
  nested.use(new Router().get('/health', () => {}).routes());
  t.throws(() => routeByPrefix([sensitive()], nested, {}), { message: /"\/health"/ });
  t.notThrows(() =>
    routeByPrefix(
      [sensitive()],
      new Router({ sensitive: true }).get('/health', () => {}),
      {},
    ),
  );
});
