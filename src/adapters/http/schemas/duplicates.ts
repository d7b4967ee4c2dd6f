import { Type } from '@sinclair/typebox';
import { MERGE_MAX } from '../../../application/use-cases/merge-contacts.js';
import { Contact } from './contacts.js';
import { ref } from './schema.js';

export const DuplicateGroup = Type.Object(
  {
    reason: Type.Union([Type.Literal('email'), Type.Literal('phone'), Type.Literal('name')], {
      description:
        'The strongest link among the group: `email` when two of them share an email, else `phone` when two share a phone, else `name` (the same full name).',
    }),
    contacts: Type.Array(ref(Contact), { minItems: 2, description: 'Oldest first.' }),
  },
  { $id: 'DuplicateGroup' },
);

export const DuplicateGroups = Type.Object(
  { groups: Type.Array(ref(DuplicateGroup), { description: 'In the order of their oldest contact; a contact is in at most one group.' }) },
  { $id: 'DuplicateGroups' },
);

export const MergeRequest = Type.Object(
  {
    ids: Type.Array(Type.String(), {
      minItems: 1,
      maxItems: MERGE_MAX,
      uniqueItems: true,
      description: 'The contacts folded into this one, in the order their values fill its empty fields; not this contact’s own id.',
    }),
  },
  { $id: 'MergeRequest' },
);

/** The named schemas of the duplicates and merge routes, in the document's order. */
export const DUPLICATE_SCHEMAS = [DuplicateGroup, DuplicateGroups, MergeRequest];
