import multer from '@koa/multer';
import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { ValidationFailed } from '../../../domain/errors.js';
import { HttpProblem } from '../problem.js';
import { UploadBudget } from './upload-budget.js';

/** Room for boundaries and part headers around the file when judging a declared Content-Length. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const MiB = 1024 * 1024;

/**
 * The one budget every upload of this process shares. An upload is held about twice over while it
 * is gathered (its chunks, then their concatenation): 16 MiB of bodies is three 5 MiB uploads at
 * once, seven of 2 MiB, many more small ones.
 */
const PROCESS_BUDGET = new UploadBudget({ bytes: 16 * MiB, maxWaiting: 64, waitMs: 15_000, retryAfterSeconds: 5 });

/** What an upload reserves at least: a small body still costs a parser and its buffers. */
const MIN_RESERVATION_BYTES = 256 * 1024;

export interface UploadTimeouts {
  /** The longest a body may go without a byte once its turn has come. */
  idleMs: number;
  /** Time allowed for the whole body on top of what `minBytesPerSecond` grants its size. */
  graceMs: number;
  /** The slowest a body may arrive, on average, once its turn has come. */
  minBytesPerSecond: number;
}

/**
 * A slow client holds its share of the budget while its body trickles in, so reading has a
 * deadline. The rate is a slow mobile uplink's; behind a proxy that buffers bodies (nginx does by
 * default) the server sees them arrive at once.
 */
const READ_TIMEOUTS: UploadTimeouts = { idleMs: 10_000, graceMs: 10_000, minBytesPerSecond: 64 * 1024 };

/**
 * Reads a multipart/form-data body holding one file in `field` into memory, enforcing the limits
 * while it streams: a file over `maxBytes` is refused with 413 before anything else sees it. Another
 * content type or a Content-Encoding is 415, a malformed body 400, a file in another field or a second file 422. Library
 * messages never reach the client. The bytes are then in `uploadedFile(ctx)`; without a body there
 * is no file, and the use-case says what is missing.
 *
 * The body is read, and what follows in the chain runs, only while the upload holds its share of
 * the process's upload budget (the most its body can be): past the budget uploads wait their turn,
 * and too many waiting, or waiting too long, is 503 with Retry-After. A body that stops arriving, or
 * arrives too slowly for its size, is 408 and its connection closed. The share is given back once
 * what follows has settled and the response is out (or the client gone).
 */
export function readSingleFile(field: string, maxBytes: number, options: { budget?: UploadBudget; timeouts?: UploadTimeouts } = {}): Middleware {
  const budget = options.budget ?? PROCESS_BUDGET;
  const timeouts = options.timeouts ?? READ_TIMEOUTS;
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 10, fieldSize: 8 * 1024, fieldNameSize: 100, parts: 12, headerPairs: 100 },
  }).single(field);

  return async function readMultipart(ctx, next) {
    const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || ctx.get('Transfer-Encoding') !== '';
    if (!hasBody) return next();
    if (!ctx.is('multipart/form-data')) {
      throw new HttpProblem(415, 'UNSUPPORTED_MEDIA_TYPE', `Send the ${field} as multipart/form-data.`);
    }
    // The multipart reader does not decompress: a compressed form would be read as garbage.
    if ((ctx.get('Content-Encoding') || 'identity').trim().toLowerCase() !== 'identity') {
      throw new HttpProblem(415, 'UNSUPPORTED_CONTENT_ENCODING', `Send the ${field} uncompressed.`, { 'Accept-Encoding': 'identity' });
    }
    const declared = ctx.request.length;
    if (declared !== undefined && declared > maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(maxBytes);
    const bound = declared ?? maxBytes + MULTIPART_OVERHEAD_BYTES;

    const release = await holdUploadShare(ctx, budget, bound);
    try {
      await readWithin(ctx, () => upload(ctx, async () => {}), bound, timeouts).catch((error: unknown) => {
        throw error instanceof HttpProblem ? error : problemFor(error, field, maxBytes);
      });
      await next();
    } finally {
      release();
    }
  };
}

/**
 * Reads a body that is the file itself (a vCard sent as text/vcard) under the same budget and
 * deadlines as a multipart upload (413 beyond `maxBytes`, before reading when Content-Length says
 * so), and runs `work` on it while the share is held.
 */
export async function withRawUpload<T>(
  ctx: Context,
  maxBytes: number,
  work: (file: Buffer) => Promise<T>,
  options: { budget?: UploadBudget; timeouts?: UploadTimeouts } = {},
): Promise<T> {
  const declared = ctx.request.length;
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
  const bound = declared ?? maxBytes;
  const release = await holdUploadShare(ctx, options.budget ?? PROCESS_BUDGET, bound);
  try {
    const file = await readWithin(ctx, () => getRawBody(ctx.req, { length: declared, limit: maxBytes }), bound, options.timeouts ?? READ_TIMEOUTS).catch(
      (error: unknown) => {
        if (error instanceof HttpProblem) throw error;
        if ((error as { type?: string }).type === 'entity.too.large') throw tooLarge(maxBytes);
        throw new HttpProblem(400, 'MALFORMED_BODY', 'The request body could not be read.');
      },
    );
    return await work(file);
  } finally {
    release();
  }
}

/**
 * Waits for the upload's share of the budget. The release it answers gives the share back once the
 * answer is out too (or the client gone): until then the body may still be held.
 */
async function holdUploadShare(ctx: Context, budget: UploadBudget, bound: number): Promise<() => void> {
  // A client gone while the request was admitted (authentication awaits) has already closed: the
  // event will not come again, and a share waiting for it would never be given back.
  const closed = ctx.res.closed ? Promise.resolve() : new Promise<void>((resolve) => ctx.res.once('close', resolve));
  const release = await budget.acquire(Math.max(bound, MIN_RESERVATION_BYTES), closed.then(bodyCutShort));
  return () => void closed.then(release);
}

/** Runs a body reader, refusing with 408 a body that stalls or comes too slowly for its `bound`. */
function readWithin<T>(ctx: Context, read: () => Promise<T>, bound: number, timeouts: UploadTimeouts): Promise<T> {
  // The reader pipes the request synchronously, so a listener added after it sees every chunk.
  const reading = read();
  let idle: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;
  const onData = () => idle?.refresh();
  const late = new Promise<never>((_, reject) => {
    const tooSlow = () => {
      // The response goes out, then the connection closes: the reader sees the request end and lets go of what it gathered.
      ctx.res.once('close', () => ctx.req.destroy());
      ctx.req.unpipe();
      reject(new HttpProblem(408, 'REQUEST_TIMEOUT', 'The upload did not arrive in time.', { Connection: 'close' }));
    };
    idle = setTimeout(tooSlow, timeouts.idleMs);
    deadline = setTimeout(tooSlow, timeouts.graceMs + Math.ceil((bound / timeouts.minBytesPerSecond) * 1000));
  });
  ctx.req.on('data', onData);
  reading.catch(() => {});
  return Promise.race([reading, late]).finally(() => {
    clearTimeout(idle);
    clearTimeout(deadline);
    ctx.req.off('data', onData);
  });
}

export function uploadedFile(ctx: Context): Buffer | undefined {
  return (ctx.request as { file?: multer.File }).file?.buffer;
}

/** The client went away before its body arrived; no one reads the answer, but the log does. */
function bodyCutShort(): HttpProblem {
  return new HttpProblem(400, 'MALFORMED_BODY', 'The request ended before its body arrived.');
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
