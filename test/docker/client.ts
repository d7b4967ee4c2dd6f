import assert from 'node:assert/strict';

/**
 * What the Docker scripts (test/docker/run.sh) use to talk to the running stack through its
 * published ports: the API (directly or through the load balancer) and Mailpit's HTTP API, which
 * the real Mailpit and the stand-in both serve (GET /api/v1/messages, GET /api/v1/message/{ID}).
 */

export const PASSWORD = 'a perfectly fine passphrase';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export class Api {
  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: { json?: unknown; token?: string; body?: FormData | string; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: options.json !== undefined ? JSON.stringify(options.json) : options.body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }
}

interface MailpitSummary {
  ID: string;
  To: { Address: string }[];
  Subject: string;
}

export interface ReceivedEmail {
  id: string;
  subject: string;
  text: string;
}

export class Mailpit {
  constructor(readonly baseUrl: string) {}

  /** Every message to that address, in no particular order (Mailpit lists newest first, the stand-in oldest first). */
  async messagesTo(address: string): Promise<ReceivedEmail[]> {
    const response = await fetch(`${this.baseUrl}/api/v1/messages?limit=1000`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(response.status, 200, 'Mailpit lists its messages');
    const { messages } = (await response.json()) as { messages: MailpitSummary[] };
    const mine = messages.filter((m) => m.To.some((to) => to.Address.toLowerCase() === address.toLowerCase()));
    return Promise.all(
      mine.map(async (m) => {
        const full = (await (await fetch(`${this.baseUrl}/api/v1/message/${m.ID}`, { signal: AbortSignal.timeout(10_000) })).json()) as {
          Subject: string;
          Text: string;
        };
        return { id: m.ID, subject: full.Subject, text: full.Text };
      }),
    );
  }

  /** Waits until `count` messages to that address whose subject matches have arrived, and returns them. */
  async waitFor(address: string, subject: RegExp, count = 1, timeoutMs = 30_000): Promise<ReceivedEmail[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.messagesTo(address)).filter((m) => subject.test(m.subject));
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`only ${found.length} of ${count} email(s) "${subject.source}" to ${address} arrived within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** The one-time token of the link standing alone on a line of the email's text, and the link's path. */
export function linkIn(email: ReceivedEmail): { path: string; token: string } {
  const line = email.text.split(/\r?\n/).find((l) => /^https?:\/\/\S+\?token=/.test(l.trim()));
  assert.ok(line, `no link in the email "${email.subject}"`);
  const url = new URL(line.trim());
  return { path: url.pathname, token: url.searchParams.get('token')! };
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}@example.com`;
}

/** Runs a named step, printing how long it took; a failure names the step. */
export async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    const result = await body();
    console.log(`  ok   ${name} (${Date.now() - started} ms)`);
    return result;
  } catch (error) {
    console.log(`  FAIL ${name}: ${(error as Error).message}`);
    throw error;
  }
}
