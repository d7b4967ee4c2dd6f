import Router from '@koa/router';

/** Files the app serves itself (avatars on local disk). `open` answers null for any unknown name. */
export interface MediaFiles {
  open(name: string): Promise<{ bytes: Buffer; mediaType: string } | null>;
}

export function mediaRoutes(files: MediaFiles): Router {
  const router = new Router({ prefix: '/media', sensitive: true });

  router.get('/:name', async (ctx) => {
    const file = await files.open(ctx.params.name ?? '');
    if (!file) return; // the error middleware answers 404 problem+json
    ctx.type = file.mediaType;
    // URLs carry a content version (?v=), so a new image is a new URL.
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
    ctx.body = file.bytes;
  });

  return router;
}
