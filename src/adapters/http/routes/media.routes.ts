import Router from '@koa/router';
import { Type } from '@sinclair/typebox';
import { implement, registerRoutes, route } from '../route.js';

/** Files the app serves itself (avatars and contact photos on local disk). `open` answers null for any unknown name. */
export interface MediaFiles {
  open(name: string): Promise<{ bytes: Buffer; mediaType: string } | null>;
}

export const mediaRouteSpecs = {
  avatarFile: route({
    method: 'get',
    path: '/media/{name}',
    operationId: 'avatarFile',
    summary: 'An avatar or a contact photo stored on local disk (only when CLOUDINARY_URL is unset)',
    description:
      'The address is the avatarUrl of a user (it carries a content version) or the photoUrl of a contact (a new name for every photo), so it may be cached for a day.',
    tags: ['Users'],
    auth: 'none',
    params: Type.Object({ name: Type.String({ description: "File name from a user's avatarUrl or a contact's photoUrl." }) }),
    responses: { 200: { description: 'The image.', content: { 'image/png': {}, 'image/jpeg': {}, 'image/webp': {}, 'image/gif': {} } } },
    problems: [404],
  }),
};

export function mediaRoutes(files: MediaFiles): Router {
  const router = new Router({ prefix: '/media', sensitive: true });
  const routes = implement<unknown, typeof mediaRouteSpecs>(mediaRouteSpecs, {
    avatarFile: async (ctx, { params }) => {
      const file = await files.open(params.name ?? '');
      if (!file) return; // the error middleware answers 404 problem+json
      ctx.type = file.mediaType;
      // URLs carry a content version (?v=), so a new image is a new URL.
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
      ctx.body = file.bytes;
    },
  });
  return registerRoutes(router, routes);
}
