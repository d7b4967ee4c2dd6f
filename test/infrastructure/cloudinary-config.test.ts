import test from 'ava';
import { ConfigError, loadConfig } from '../../src/infrastructure/config.js';

test('a complete CLOUDINARY_URL is accepted with its query parameters, and the timeout defaults to 10 s', (t) => {
  const config = loadConfig({ CLOUDINARY_URL: 'cloudinary://1234:s3cr3t-value@demo?upload_prefix=https://api-eu.cloudinary.com' });
  t.is(config.cloudinaryUrl, 'cloudinary://1234:s3cr3t-value@demo?upload_prefix=https://api-eu.cloudinary.com');
  t.is(config.cloudinaryTimeoutMs, 10_000);
  t.is(loadConfig({}).cloudinaryUrl, '');
});

test('a CLOUDINARY_URL without key, secret or cloud stops the start with one line naming it, secret hidden', (t) => {
  for (const url of [
    'cloudinary://1234@demo',
    'cloudinary://:s3cr3t-value@demo',
    'https://1234:s3cr3t-value@demo',
    'cloudinary://1234:s3cr3t-value@demo?upload_prefix=ftp://x',
  ]) {
    const error = t.throws(() => loadConfig({ CLOUDINARY_URL: url }), { instanceOf: ConfigError });
    t.regex(error!.message, /^CLOUDINARY_URL: /, url);
    t.false(error!.message.includes('s3cr3t-value'), url);
    t.false(error!.message.includes('\n'));
  }
});

test('CLOUDINARY_TIMEOUT_MS must be a positive whole number', (t) => {
  t.is(loadConfig({ CLOUDINARY_TIMEOUT_MS: '2500' }).cloudinaryTimeoutMs, 2500);
  const error = t.throws(() => loadConfig({ CLOUDINARY_TIMEOUT_MS: 'soon' }), { instanceOf: ConfigError });
  t.regex(error!.message, /^CLOUDINARY_TIMEOUT_MS: /);
});
