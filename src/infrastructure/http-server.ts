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
/** How long a drain waits for a turn of the event loop that accepts no connection before it stops listening anyway. */
const QUIET_TURN_WAIT_MS = 2000;
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
  /** Connections accepted so far: a drain stops listening only after a turn that accepted none. */
  private accepted = 0;
  /** When the last connection was accepted: a drain leaves it IDLE_GRACE_MS to send its request. */
  private lastAcceptedAt = 0;

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
      this.accepted += 1;
      this.lastAcceptedAt = performance.now();
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
   * connections in the same turn) once the kernel's accept queue is empty. Closing a listening
   * socket resets every connection still queued, and each may carry a request its client has
   * already written: a proxy that opened it while this process was busy (or while it ran the very
   * callback that began the drain) gets `Connection reset by peer` and cannot retry a POST it has
   * sent. libuv accepts one connection per poll phase, so the listener is closed from the check
   * phase of a turn, begun after the drain, that accepted nothing (the queue was empty when it
   * looked): what can still be reset is what arrived during the rest of that turn. Under
   * an arrival rate that never leaves such a turn, it closes at `giveUpAt` (epoch ms) anyway.
   */
  private stopListening(giveUpAt: number): { stopped: Promise<void>; closed: Promise<void> } {
    let stopped!: () => void;
    const stoppedPromise = new Promise<void>((resolve) => (stopped = resolve));
    const closed = new Promise<void>((resolve) => {
      let seen = -1;
      const look = () => {
        const quiet = seen === this.accepted;
        seen = this.accepted;
        if (quiet || Date.now() > giveUpAt) {
          net.Server.prototype.close.call(this.server, () => resolve());
          stopped();
        } else setImmediate(look);
      };
      setImmediate(look);
    });
    return { stopped: stoppedPromise, closed };
  }

  /**
   * Stops accepting connections (once the connections the kernel had already established are taken
   * in) and tells keep-alive clients to close: every response not
   * yet begun carries `Connection: close` (Node then closes its connection once it is sent), and a
   * connection with no request on it is closed. Resolves once every connection is closed, or at
   * `deadline` (epoch ms) after closing the rest mid-request.
   *
   * Node's own `server.close()` destroys idle connections in the same turn of the event loop, so a
   * request a client had already written, not yet read by the server, would be reset. Here idle
   * connections are closed only once the listener is closed and the last connection accepted has
   * had a grace (IDLE_GRACE_MS) to send its request, and only from the check phase, after a poll
   * phase has read what had arrived: a connection that carries a request (even one only partly
   * received) is never idle.
   */
  async drain(deadline: number): Promise<DrainResult> {
    // `Connection: close` only once the listener is closed: a client told to close meanwhile would
    // reconnect into the accept queue, and be reset when it closes.
    const { stopped, closed } = this.stopListening(Math.min(deadline, Date.now() + QUIET_TURN_WAIT_MS));
    void stopped.then(() => {
      this.draining = true;
      for (const socket of this.connections) {
        const res = (socket as Socket & { [SERVING]?: ServerResponse })[SERVING];
        if (res && !res.headersSent && !res.writableEnded) res.setHeader('Connection', 'close');
      }
    });

    let sweeping = true;
    let sweepTimer: NodeJS.Timeout | undefined;
    const sweep = () =>
      setImmediate(() => {
        if (!sweeping) return;
        this.server.closeIdleConnections();
        sweepTimer = setTimeout(sweep, IDLE_SWEEP_MS);
      });
    // Idle connections are closed once no more can be accepted and the last one accepted has had
    // the grace to send its request: a connection accepted in the last poll phase has not been
    // read yet, so it looks idle, and closing it would reset the request it carries.
    const drainStartedAt = performance.now();
    void stopped.then(() => {
      if (!sweeping) return;
      const graceEnds = Math.max(drainStartedAt, this.lastAcceptedAt) + IDLE_GRACE_MS;
      sweepTimer = setTimeout(sweep, Math.max(0, graceEnds - performance.now()));
    });

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
