/** One `<d:response>` of a WebDAV multistatus body as the server writes it: its href, ETag, status line and raw XML. */
export interface MultistatusResponse {
  href: string;
  etag: string | null;
  /** The response's own status (a removed card in a sync-collection), not a propstat's. */
  status: string | null;
  body: string;
}

/** The responses of a multistatus body, in order (the CardDAV tests read what a client would). */
export function responses(xml: string): MultistatusResponse[] {
  return [...xml.matchAll(/<d:response>([\s\S]*?)<\/d:response>/g)].map((m) => {
    const body = m[1]!;
    return {
      href: /<d:href>([^<]*)<\/d:href>/.exec(body)?.[1] ?? '',
      etag: /<d:getetag>([^<]*)<\/d:getetag>/.exec(body)?.[1]?.replace(/&quot;/g, '"') ?? null,
      status: /^<d:href>[^<]*<\/d:href><d:status>([^<]*)</.exec(body)?.[1] ?? null,
      body,
    };
  });
}
