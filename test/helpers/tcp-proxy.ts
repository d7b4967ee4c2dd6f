import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in the test process, in front of a real server, that the test can cut: `refuse`
 * closes every connection and stops listening (connection refused); `silence` keeps accepting and
 * keeps sockets open but lets nothing through, like a link that went dead. Only the test's own
 * connections go through it: the server behind stays up for everyone else.
 */
export class TcpProxy {
  port = 0;
  private server: Server | undefined;
  private silent = false;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Every connection is closed, and new ones are refused. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropAll();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Nothing gets through any more, in either direction; nobody is told. */
  silence(): void {
    this.silent = true;
  }

  /** Back to normal: silenced connections are closed (what they carried is lost) and new ones go through. */
  async restore(): Promise<void> {
    if (this.silent) {
      this.silent = false;
      this.dropAll();
    }
    if (!this.server) await this.start();
  }

  async close(): Promise<void> {
    await this.refuse();
  }

  private accept(client: Socket): void {
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.on('data', (chunk) => void (!this.silent && upstream.write(chunk)));
    upstream.on('data', (chunk) => void (!this.silent && client.write(chunk)));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  private dropAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
