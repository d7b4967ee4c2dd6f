import { bodyParser } from '@koa/bodyparser';
import type { Middleware } from 'koa';
import { HttpProblem } from '../problem.js';

export const JSON_LIMIT = '1mb';

/**
 * Parses a JSON (and, where allowed, an HTML-form) body into a plain object. Another content type
 * is 415, a body over 1 MB is 413, anything that is not a JSON object is 400.
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
      await parser(ctx, async () => {});
      if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
        throw new HttpProblem(400, 'MALFORMED_BODY', 'The request body must be a JSON object.');
      }
    } else {
      request.body = {};
    }
    await next();
  };
}
