import type { TestApp } from './test-app.js';

/** A multipart form with one file; the name and declared type are whatever a client might claim. */
export function form(bytes: Buffer, options: { field?: string; filename?: string; type?: string } = {}): FormData {
  const body = new FormData();
  body.append(options.field ?? 'avatar', new Blob([bytes], { type: options.type ?? 'application/octet-stream' }), options.filename ?? 'me.png');
  return body;
}

/** PATCH /api/users/me/avatar with that body. */
export function upload(app: TestApp, token: string | undefined, body: NonNullable<RequestInit['body']>, headers: Record<string, string> = {}) {
  return app.request('/api/users/me/avatar', { method: 'PATCH', body, headers, ...(token ? { token } : {}) });
}

/** The caller as /api/users/me shows them. */
export async function me(app: TestApp, token: string) {
  return (await (await app.request('/api/users/me', { token })).json()) as { avatarUrl: string };
}
