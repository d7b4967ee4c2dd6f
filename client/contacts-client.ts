import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './schema.js';

export type { components, paths };

/** A typed client of the Contacts API: every path, parameter, body and answer as /openapi.json says. */
export interface ContactsClient extends Client<paths> {
  /** Sends `Authorization: Bearer <accessToken>` with every later request (none when undefined). */
  useAccessToken(accessToken: string | undefined): void;
}

export function createContactsClient(baseUrl: string, options: Omit<ClientOptions, 'baseUrl'> = {}): ContactsClient {
  let bearer: string | undefined;
  const client = createClient<paths>({ ...options, baseUrl });
  client.use({
    onRequest({ request }) {
      if (bearer) request.headers.set('Authorization', `Bearer ${bearer}`);
      return request;
    },
  });
  return Object.assign(client, {
    useAccessToken(accessToken: string | undefined) {
      bearer = accessToken;
    },
  });
}
