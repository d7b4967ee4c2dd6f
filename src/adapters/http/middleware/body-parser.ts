import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { HttpProblem } from '../problem.js';

export const JSON_LIMIT = '1mb';

/** The body parseBody() read: a plain object, empty when the request had none (or was not parsed). */
export function requestBody(ctx: { request: unknown }): Record<string, unknown> {
  return (ctx.request as { body?: Record<string, unknown> }).body ?? {};
}

/** The Content-Encodings a body may arrive in (decoded before the 1 MB limit is applied). */
export const BODY_ENCODINGS = ['identity', 'gzip', 'deflate', 'br'] as const;
const UTF8_NAMES = ['utf-8', 'utf8', 'us-ascii'];

/**
 * Parses a JSON (and, where allowed, an HTML-form) body into a plain object. Another content type,
 * a charset other than UTF-8 or an unknown Content-Encoding is 415; a body over 1 MB (once decoded)
 * is 413; a body that does not decode as its Content-Encoding says, or is not a JSON object, is 400.
 */
export function parseBody(options: { form?: boolean } = {}): Middleware {
  const parser = bodyParser({
    enableTypes: options.form ? ['json', 'form'] : ['json'],
    jsonLimit: JSON_LIMIT,
    formLimit: JSON_LIMIT,
    encoding: 'utf-8',
    // DELETE too: deleting an account takes the password in its body.
    parsedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  });
  const accepted = options.form ? ['application/json', 'application/x-www-form-urlencoded'] : ['application/json'];
  return async function readBody(ctx, next) {
    const hasBody = ctx.request.length > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody && !ctx.is(...accepted)) {
      throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the body as ${accepted.join(' or ')}.`);
    }
    const request = ctx.request as { body?: unknown };
    if (hasBody) {
      // JSON is UTF-8 (RFC 8259), and so are our forms; the parser would read any other as UTF-8 anyway.
      if (ctx.request.charset && !UTF8_NAMES.includes(ctx.request.charset.toLowerCase())) {
        throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body in UTF-8.');
      }
      const encoding = checkContentEncoding(ctx.get('Content-Encoding'));
      // Content codings are case-insensitive; the decompressor only knows the lower-case names.
      ctx.req.headers['content-encoding'] = encoding;
      try {
        await parser(ctx, async () => {});
      } catch (error) {
        // zlib and brotli failures carry no HTTP status: the bytes were not what the header said.
        if (encoding !== 'identity' && typeof (error as { status?: unknown }).status !== 'number') {
          throw new HttpProblem(400, 'MALFORMED_BODY', `The request body could not be decoded as ${encoding}.`);
        }
        throw error;
      }
      if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
        throw new HttpProblem(400, 'MALFORMED_BODY', 'The request body must be a JSON object.');
      }
    } else {
      request.body = {};
    }
    await next();
  };
}

/** The body's one Content-Encoding, lower-cased; 415 naming the ones accepted otherwise. */
export function checkContentEncoding(header: string): string {
  const encoding = (header || 'identity').trim().toLowerCase();
  if (!(BODY_ENCODINGS as readonly string[]).includes(encoding)) {
    throw new HttpProblem(415, 'UNSUPPORTED_CONTENT_ENCODING', `Send the body uncompressed or in one of: ${BODY_ENCODINGS.slice(1).join(', ')}.`, {
      'Accept-Encoding': BODY_ENCODINGS.slice(1).join(', '),
    });
  }
  return encoding;
}
