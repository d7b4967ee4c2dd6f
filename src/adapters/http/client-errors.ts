import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../application/ports/logger.js';

/** What a request Node's HTTP parser refused gets: status and stable code, by the parser's error code. */
const ANSWERS: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, code: 'HEADERS_TOO_LARGE', detail: 'The request line and headers are too large.' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'The chunk extensions are too large.' },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'REQUEST_TIMEOUT', detail: 'The request did not arrive in time.' },
};
const MALFORMED = { status: 400, code: 'MALFORMED_REQUEST', detail: 'The request is not valid HTTP/1.1.' };

/** How long a refused connection may take to read its answer before it is cut. */
const LINGER_MS = 2000;

/**
 * Requests Node's HTTP parser refuses (headers over its limit, broken framing, a request that took
 * too long) never reach Koa; Node would answer them with a bare status line. This answers them like
 * every other error: problem+json with a request id, then closes the connection. The server that
 * listens (main, the tests) installs it.
 */
export function answerClientErrors(server: Server, logger?: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    // Bytes after a request that said `Connection: close` (an unframed body): that request is being
    // answered and the connection closes after it; a second answer would take its place.
    if (error.code === 'HPE_CLOSED_CONNECTION') {
      if (!inFlight) socket.destroy();
      return;
    }
    const answer = ANSWERS[error.code ?? ''] ?? MALFORMED;
    const requestId = randomUUID();
    logger?.info({ requestId, status: answer.status, reason: error.code }, 'request refused by the HTTP parser');
    const problem = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[answer.status], ...answer });
    // A response to HEAD has no body; the method is known when the refused bytes start the request.
    const raw = (error as { rawPacket?: Buffer }).rawPacket;
    const body = raw?.subarray(0, 5).toString('latin1') === 'HEAD ' ? '' : problem;
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(problem)}\r\n` +
        'X-Content-Type-Options: nosniff\r\n' +
        'Cache-Control: no-store\r\n' +
        `X-Request-Id: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
    // A client that neither reads nor closes must not keep the socket.
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  });
}
