import { Type } from '@sinclair/typebox';
import { CHANGES_DEFAULT_LIMIT, CHANGES_MAX_LIMIT } from '../../../application/use-cases/list-changes.js';
import { TRASH_DEFAULT_LIMIT, TRASH_MAX_LIMIT } from '../../../application/use-cases/contact-trash.js';
import { Contact } from './contacts.js';
import { ref } from './schema.js';

export const TrashedContact = Type.Unsafe<Record<string, unknown>>({
  $id: 'TrashedContact',
  description: 'A contact in the trash: every field of a contact, and when it was deleted.',
  allOf: [
    ref(Contact),
    Type.Object({ deletedAt: Type.String({ format: 'date-time', description: 'When it went to the trash.' }) }, { required: ['deletedAt'] }),
  ],
});

export const TrashPage = Type.Object(
  {
    items: Type.Array(ref(TrashedContact), { description: 'Most recently deleted first.' }),
    total: Type.Integer({ minimum: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: TRASH_MAX_LIMIT }),
    offset: Type.Integer({ minimum: 0 }),
  },
  { $id: 'TrashPage' },
);

export const TrashQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: TRASH_MAX_LIMIT, default: TRASH_DEFAULT_LIMIT, description: 'Page size.' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'How many to skip.' })),
});

export const ChangesQuery = Type.Object({
  since: Type.Optional(
    Type.String({
      description:
        'The `next` of an earlier answer (opaque). Without it, every live contact. Malformed → 400 INVALID_SYNC_TOKEN; too old → 410 SYNC_TOKEN_EXPIRED.',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: CHANGES_MAX_LIMIT, default: CHANGES_DEFAULT_LIMIT, description: 'At most this many changes.' })),
});

export const ContactChangeEntry = Type.Union(
  [
    Type.Object({ id: Type.String(), deleted: Type.Literal(false), contact: ref(Contact) }),
    Type.Object({ id: Type.String(), deleted: Type.Literal(true) }, { description: 'Trashed or purged: remove it.' }),
  ],
  { $id: 'ContactChange' },
);

export const ChangeList = Type.Object(
  {
    changes: Type.Array(ref(ContactChangeEntry), { description: 'In the order they were committed; each contact once, with its latest state.' }),
    next: Type.String({ description: 'Where to go on from: send it as `since` next time (opaque; works on every instance).' }),
    more: Type.Boolean({ description: 'True: more changes wait now; call again with `since=next`.' }),
  },
  { $id: 'ChangeList' },
);

/** The named schemas of the trash and change-feed routes, in the document's order. */
export const SYNC_SCHEMAS = [TrashedContact, TrashPage, ContactChangeEntry, ChangeList];
