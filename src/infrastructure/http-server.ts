import { once } from 'node:events';
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import net, { type Socket } from 'node:net';

/**
 * How long a drain leaves keep-alive connections that carry no request open: a client that sends
 * one meanwhile (it had not heard of the shutdown) is answered, with `Connection: close`, instead of
 * having its request reset. Clients in the middle of their traffic send within milliseconds.
 */
const IDLE_GRACE_MS = 250;
/** After the grace, how often a drain closes the connections that went idle since the last look. */
const IDLE_SWEEP_MS = 20;
/** The response a connection is serving, until it finishes. */
const SERVING = Symbol('the response this connection is serving');

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
  private draining = false;
  /** Open connections; a drain marks the response each one is serving `Connection: close` while its headers are unsent. */
  private readonly connections = new Set<Socket>();

  constructor(listener: RequestListener) {
    this.server = createServer((req, res) => {
      // A property of the connection: tracking every response in a Set instead kept responses
      // alive through young-generation collections (docs/measurements.md).
      const socket = req.socket as Socket & { [SERVING]?: ServerResponse };
      socket[SERVING] = res;
      // Not kept past its end: the finished exchange may hold a large upload (req.file).
      res.once('finish', () => {
        if (socket[SERVING] === res) socket[SERVING] = undefined;
      });
      if (this.draining) res.setHeader('Connection', 'close');
      listener(req, res);
    });
    this.server.on('connection', (socket: Socket) => {
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
   * Stops accepting connections at once and tells keep-alive clients to close: every response not
   * yet begun carries `Connection: close` (Node then closes its connection once it is sent), and a
   * connection with no request on it is closed. Resolves once every connection is closed, or at
   * `deadline` (epoch ms) after closing the rest mid-request.
   *
   * Node's own `server.close()` destroys idle connections in the same turn of the event loop, so a
   * request a client had already written, not yet read by the server, would be reset. Here idle
   * connections are closed after a grace (IDLE_GRACE_MS), and only from the check phase, after a
   * poll phase has read what had arrived: a connection that carries a request (even one only partly
   * received) is never idle.
   */
  async drain(deadline: number): Promise<DrainResult> {
    this.draining = true;
    for (const socket of this.connections) {
      const res = (socket as Socket & { [SERVING]?: ServerResponse })[SERVING];
      if (res && !res.headersSent && !res.writableEnded) res.setHeader('Connection', 'close');
    }
    // net's close, not http's: stop listening without closing idle connections in this same turn.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(this.server, () => resolve()));

    let sweeping = true;
    let sweepTimer: NodeJS.Timeout | undefined;
    const sweep = () =>
      setImmediate(() => {
        if (!sweeping) return;
        this.server.closeIdleConnections();
        sweepTimer = setTimeout(sweep, IDLE_SWEEP_MS);
      });
    sweepTimer = setTimeout(sweep, IDLE_GRACE_MS);

    let deadlineTimer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      deadlineTimer = setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now()));
    });
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
