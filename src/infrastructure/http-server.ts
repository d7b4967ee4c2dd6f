import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import net, { type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { securityHeadersFor } from '../adapters/http/middleware/security-headers.js';
import { PROBLEM_CONTENT_TYPE, problemResponse } from '../adapters/http/problem.js';

/**
 * How long a drain leaves keep-alive connections that carry no request open: a client that sends
 * one meanwhile (it had not heard of the shutdown) is answered, with `Connection: close`, instead of
 * having its request reset. Clients in the middle of their traffic send within milliseconds.
 */
const IDLE_GRACE_MS = 250;
/** After the grace, how often a drain closes the connections that went idle since the last look. */
const IDLE_SWEEP_MS = 20;
/**
 * How long the listener must have accepted no connection before a drain closes it. Closing a
 * listening socket resets every connection still in the kernel's accept queue, requests included,
 * so a drain keeps listening until whoever sends new connections (a load balancer) has stopped.
 */
const QUIET_MS = 250;
/** The longest a drain keeps listening while connections keep coming (a proxy sending only POSTs). */
const LISTEN_AT_MOST_MS = 3000;
/**
 * Methods a proxy retries on another server after a 503 without being told to (nginx: all but
 * POST, PATCH and LOCK; RFC 9110's idempotent methods and WebDAV's reads). A drain answers these
 * with 503 on a connection opened after it began; other methods are served, since a proxy will not
 * send them elsewhere.
 */
const RETRIED_BY_PROXIES = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE', 'PROPFIND', 'REPORT']);
const RETRY_AFTER_SECONDS = 1;
/** The response a connection is serving, until it finishes. */
const SERVING = Symbol('the response this connection is serving');
/** Set on a connection accepted once a drain had begun. */
const LATE = Symbol('accepted during a drain');

type TrackedSocket = Socket & { [SERVING]?: ServerResponse; [LATE]?: true };

export interface DrainResult {
  /** Connections still open at the deadline, closed mid-request. */
  forced: number;
}

/**
 * The Node HTTP server main listens with, able to drain: stop accepting, answer every request that
 * arrived, and close every connection, keep-alive ones included, without resetting one that carries
 * a request.
 */
export class HttpServer {
  readonly server: Server;
  /** Set when a drain begins: connections accepted from then on are LATE. */
  private drainBegan = false;
  /** Set once the listener is closed: from then on every response says `Connection: close`. */
  private draining = false;
  /** When the listener last accepted a connection (performance.now()). */
  private lastAcceptedAt = 0;
  /** Open connections; a drain marks the response each one is serving `Connection: close` while its headers are unsent. */
  private readonly connections = new Set<Socket>();

  constructor(listener: RequestListener) {
    this.server = createServer((req, res) => {
      // A property of the connection: tracking every response in a Set instead kept responses
      // alive through young-generation collections (docs/measurements.md).
      const socket = req.socket as TrackedSocket;
      socket[SERVING] = res;
      // Not kept past its end: the finished exchange may hold a large upload (req.file).
      res.once('finish', () => {
        if (socket[SERVING] === res) socket[SERVING] = undefined;
      });
      if (socket[LATE] && RETRIED_BY_PROXIES.has(req.method ?? '')) {
        shuttingDown(req, res);
        return;
      }
      if (this.draining) res.setHeader('Connection', 'close');
      listener(req, res);
    });
    this.server.on('connection', (socket: TrackedSocket) => {
      this.lastAcceptedAt = performance.now();
      if (this.drainBegan) socket[LATE] = true;
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
    });
  }

  async listen(port: number, host?: string): Promise<AddressInfo> {
    this.server.listen(port, host);
    await once(this.server, 'listening');
    return this.server.address() as AddressInfo;
  }

  /**
   * Closes the listening socket (and only it: net's close, not http's, which also destroys idle
   * connections in the same turn) once it has accepted nothing for QUIET_MS, or at `giveUpAt`
   * (epoch ms). Whatever the kernel had queued is taken in first: the close runs in the check phase
   * right after a poll phase, which accepts every queued connection, so what could still be reset is
   * only a connection established during the rest of that one turn.
   *
   * Meanwhile keep-alive clients are not told to close (each would reconnect into the queue), and a
   * load balancer, which opens a connection per request, is turned away from this server: a
   * connection accepted during the drain has its retried-by-proxies requests answered 503 (see
   * RETRIED_BY_PROXIES), which nginx sends to another server and counts as this one failing, so it
   * stops opening connections here and the listener goes quiet.
   */
  private async stopListening(giveUpAt: number): Promise<{ closed: Promise<void> }> {
    const began = performance.now();
    const quietFor = () => performance.now() - Math.max(this.lastAcceptedAt, began);
    for (;;) {
      const wait = Math.min(QUIET_MS - quietFor(), giveUpAt - Date.now());
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      // From the check phase: the poll phase before it has accepted whatever was queued.
      await new Promise((resolve) => setImmediate(resolve));
      if (quietFor() >= QUIET_MS || Date.now() >= giveUpAt) break;
    }
    // net's close, not http's: stop listening without closing idle connections in this same turn.
    // It calls back once the last connection has closed too.
    return { closed: new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve())) };
  }

  /**
   * Stops accepting connections once the listener has gone quiet (stopListening), then tells
   * keep-alive clients to close: every response not yet begun carries `Connection: close` (Node
   * then closes its connection once it is sent), and a connection with no request on it is closed.
   * Resolves once every connection is closed, or at `deadline` (epoch ms) after closing the rest
   * mid-request.
   *
   * Node's own `server.close()` destroys idle connections in the same turn of the event loop, so a
   * request a client had already written, not yet read by the server, would be reset. Here idle
   * connections are closed after a grace (IDLE_GRACE_MS) from the close of the listener, and only
   * from the check phase, after a poll phase has read what had arrived: a connection that carries
   * a request (even one only partly received) is never idle.
   */
  async drain(deadline: number): Promise<DrainResult> {
    this.drainBegan = true;
    let deadlineTimer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      deadlineTimer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
    });

    const { closed } = await this.stopListening(Math.min(deadline, Date.now() + LISTEN_AT_MOST_MS));
    this.draining = true;
    for (const socket of this.connections) {
      const res = (socket as TrackedSocket)[SERVING];
      if (res && !res.headersSent && !res.writableEnded) res.setHeader('Connection', 'close');
    }

    let sweeping = true;
    let sweepTimer: NodeJS.Timeout | undefined;
    const sweep = () =>
      setImmediate(() => {
        if (!sweeping) return;
        this.server.closeIdleConnections();
        sweepTimer = setTimeout(sweep, IDLE_SWEEP_MS);
      });
    sweepTimer = setTimeout(sweep, IDLE_GRACE_MS);

    const outcome = await Promise.race([closed.then(() => 'closed' as const), late]);
    sweeping = false;
    clearTimeout(sweepTimer);
    clearTimeout(deadlineTimer);
    if (outcome === 'closed') return { forced: 0 };

    const forced = await new Promise<number>((resolve) => this.server.getConnections((_error, count) => resolve(count ?? 0)));
    this.server.closeAllConnections();
    await closed;
    return { forced };
  }
}

/**
 * The drain's answer to a request a proxy may send elsewhere: nothing was done, come back (to
 * another server) at once. The API's problem+json and security headers, and `Connection: close`.
 */
function shuttingDown(req: IncomingMessage, res: ServerResponse): void {
  const { headers, body } = problemResponse({
    status: 503,
    code: 'SHUTTING_DOWN',
    detail: 'The server is shutting down; nothing was done. Send the request again.',
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS), 'Cache-Control': 'no-store' },
  });
  const problem = JSON.stringify(body);
  res.writeHead(503, {
    ...Object.fromEntries(securityHeadersFor((req.url ?? '/').split('?')[0]!)),
    ...headers,
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Content-Length': Buffer.byteLength(problem),
    'X-Request-Id': randomUUID(),
    Connection: 'close',
  });
  res.end(req.method === 'HEAD' ? undefined : problem);
  req.resume();
}
