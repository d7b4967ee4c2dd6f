import { request } from 'node:http';
import { deflateSync, gzipSync } from 'node:zlib';
import test from 'ava';
import { startTestApp } from './helpers/test-app.js';
test('probe', async (t) => {

const app = await startTestApp();
const u = new URL(app.url);
const send = (headers: Record<string, string>, body: Buffer | string, path = '/api/auth/login'): Promise<string> => new Promise((resolve) => {
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST', headers }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve(`${res.statusCode} ${res.headers['content-type']} ${data.slice(0, 150)}`));
    });
    req.on('error', (e) => resolve(`error ${e.message}`));
    req.end(body);
  })
const json = JSON.stringify({ email: 'a@example.com', password: 'x' });
t.log('deflate garbage', await send({ 'content-type': 'application/json', 'content-encoding': 'deflate' }, Buffer.from('garbage!!garbage')));
t.log('br plain', await send({ 'content-type': 'application/json', 'content-encoding': 'br' }, json));
t.log('gzip plain', await send({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, json));
t.log('gzip ok', await send({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(json)));
t.log('deflate ok', await send({ 'content-type': 'application/json', 'content-encoding': 'deflate' }, deflateSync(json)));
t.log('unknown', await send({ 'content-type': 'application/json', 'content-encoding': 'compress' }, json));
t.log('upper', await send({ 'content-type': 'application/json', 'content-encoding': 'GZIP' }, gzipSync(json)));
t.log('list', await send({ 'content-type': 'application/json', 'content-encoding': 'gzip, br' }, json));
t.log('charset utf16', await send({ 'content-type': 'application/json; charset=utf-16' }, json));
t.log('charset bogus', await send({ 'content-type': 'application/json; charset=bogus' }, json));
t.log('charset latin1', await send({ 'content-type': 'application/json; charset=latin1' }, json));
t.log('bad json', await send({ 'content-type': 'application/json' }, '{"a":'));
t.log('proto', await send({ 'content-type': 'application/json' }, '{"__proto__":{"x":1}}'));
t.log('invalid utf8', await send({ 'content-type': 'application/json' }, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])));
t.log('form deflate garbage', await send({ 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'deflate' }, 'garbage'));
t.log('page form deflate garbage', await send({ 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'deflate' }, 'garbage', '/account/forgot-password'));
t.log('gzip bomb', await send({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(Buffer.alloc(50_000_000, 32))));
t.log('multipart deflate', await send({ 'content-type': 'multipart/form-data; boundary=x', 'content-encoding': 'deflate', authorization: 'Bearer x' }, 'garbage', '/api/users/me/avatar'));
t.log('dup content-length', await send({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, json));
await app.close();

t.pass();
});
