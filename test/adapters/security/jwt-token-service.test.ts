import test from 'ava';
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { JwtTokenService } from '../../../src/adapters/security/jwt-token-service.js';

const SECRET = 'a-test-secret-that-is-long-enough-123';
const service = new JwtTokenService(SECRET, 900, 3600);
const key = createSecretKey(Buffer.from(SECRET));
const claims = { userId: 'u1', sessionId: 's1', tokenVersion: 3, jti: 'j1' };

test('an access token verifies as access only, a refresh token as refresh only', (t) => {
  const access = service.issueAccess(claims);
  const refresh = service.issueRefresh(claims);
  const now = Math.floor(Date.now() / 1000);
  t.deepEqual(service.verifyAccess(access), { userId: 'u1', sessionId: 's1', tokenVersion: 3, issuedAtS: service.verifyAccess(access)!.issuedAtS });
  t.true(Math.abs(service.verifyAccess(access)!.issuedAtS! - now) <= 1, 'issuedAtS is the iat');
  t.deepEqual(service.verifyRefresh(refresh), { userId: 'u1', sessionId: 's1', jti: 'j1' });
  t.is(service.verifyAccess(refresh), null);
  t.is(service.verifyRefresh(access), null);
});

test('tokens without exp, with another algorithm, another key or expired are refused', (t) => {
  const base = { typ: 'access', sid: 's1', ver: 0, sub: 'u1', iss: 'contacts-api' };
  t.is(service.verifyAccess(jwt.sign(base, key, { algorithm: 'HS256' })), null, 'no exp');
  t.is(service.verifyAccess(jwt.sign(base, Buffer.from(SECRET), { algorithm: 'HS512', expiresIn: 60 })), null, 'HS512');
  t.is(service.verifyAccess(jwt.sign(base, 'another secret entirely, long enough', { algorithm: 'HS256', expiresIn: 60 })), null, 'other key');
  t.is(service.verifyAccess(jwt.sign({ ...base, exp: Math.floor(Date.now() / 1000) - 10 }, key, { algorithm: 'HS256' })), null, 'expired');
  const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...base, exp: 9e9 })).toString('base64url')}.`;
  t.is(service.verifyAccess(unsigned), null, 'alg none');
  t.truthy(service.verifyAccess(jwt.sign(base, key, { algorithm: 'HS256', expiresIn: 60 })), 'the same claims, properly signed, pass');
});

test('garbage is refused without throwing', (t) => {
  for (const token of ['', 'a.b.c', 'x'.repeat(5000)]) t.is(service.verifyAccess(token), null);
});

test('a verified access token is remembered until its exp, and only that exact token', async (t) => {
  const local = new JwtTokenService(SECRET, 900, 3600);
  const exp = Math.floor(Date.now() / 1000) + 1;
  const token = jwt.sign({ typ: 'access', sid: 's1', ver: 2, sub: 'u1', iss: 'contacts-api', exp }, key, { algorithm: 'HS256' });
  t.like(local.verifyAccess(token), { userId: 'u1', sessionId: 's1', tokenVersion: 2 });
  t.like(local.verifyAccess(token), { userId: 'u1', sessionId: 's1', tokenVersion: 2 }, 'again, from memory');

  // The same header and signature with another payload: not the remembered text, so verified in full.
  const [header, , signature] = token.split('.');
  const forged = `${header}.${Buffer.from(JSON.stringify({ typ: 'access', sid: 's1', ver: 2, sub: 'u2', iss: 'contacts-api', exp })).toString('base64url')}.${signature}`;
  t.is(local.verifyAccess(forged), null);

  await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 20));
  t.is(local.verifyAccess(token), null, 'refused from the second of its exp, remembered or not');
  t.is(new JwtTokenService(SECRET, 900, 3600).verifyAccess(token), null, 'as a fresh verification would');
});
