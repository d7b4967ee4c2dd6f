import multer from '@koa/multer';
import type { Context, Middleware } from 'koa';
import { ValidationFailed } from '../../../domain/errors.js';
import { HttpProblem } from '../problem.js';

/** Room for boundaries and part headers around the file when judging a declared Content-Length. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Reads a multipart/form-data body holding one file in `field` into memory, enforcing the limits
 * while it streams: a file over `maxBytes` is refused with 413 before anything else sees it. Another
 * content type or a Content-Encoding is 415, a malformed body 400, a file in another field or a second file 422. Library
 * messages never reach the client. The bytes are then in `uploadedFile(ctx)`; without a body there
 * is no file, and the use-case says what is missing.
 */
export function readSingleFile(field: string, maxBytes: number): Middleware {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 8 * 1024, fieldNameSize: 100, parts: 12, headerPairs: 100 },
  }).single(field);

  return async function readMultipart(ctx, next) {
    const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody) {
      if (!ctx.is('multipart/form-data')) {
        throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the ${field} as multipart/form-data.`);
      }
      // The multipart reader does not decompress: a compressed form would be read as garbage.
      if ((ctx.get('Content-Encoding') || 'identity').trim().toLowerCase() !== 'identity') {
        throw new HttpProblem(415, 'UNSUPPORTED_CONTENT_ENCODING', `Send the ${field} uncompressed.`, { 'Accept-Encoding': 'identity' });
      }
      const declared = ctx.request.length;
      if (declared !== undefined && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(maxBytes);
      try {
        await upload(ctx, async () => {});
      } catch (error) {
        throw problemFor(error, field, maxBytes);
      }
    }
    await next();
  };
}

export function uploadedFile(ctx: Context): Buffer | undefined {
  return (ctx.request as { file?: multer.File }).file?.buffer;
}

function tooLarge(maxBytes: number): HttpProblem {
  return new HttpProblem(413, 'PAYLOAD_TOO_LARGE', `The file must be at most ${maxBytes} bytes.`);
}

function problemFor(error: unknown, field: string, maxBytes: number): Error {
  const { name, code } = error as { name?: string; code?: string };
  if (name !== 'MulterError') return new HttpProblem(400, 'MALFORMED_BODY', 'The multipart body could not be parsed.');
  switch (code) {
    case 'LIMIT_FILE_SIZE':
      return tooLarge(maxBytes);
    case 'LIMIT_PART_COUNT':
    case 'LIMIT_FIELD_COUNT':
    case 'LIMIT_FIELD_VALUE':
      return new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'The form has too many or too large parts.');
    case 'LIMIT_FILE_COUNT':
    case 'LIMIT_UNEXPECTED_FILE':
      return new ValidationFailed([{ field, message: `send exactly one file, in the field "${field}"` }]);
    default:
      return new HttpProblem(400, 'MALFORMED_BODY', 'The multipart body could not be parsed.');
  }
}
