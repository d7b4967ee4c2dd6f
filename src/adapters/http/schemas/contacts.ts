import { type Static, type TSchema, Type } from '@sinclair/typebox';
import {
  ADDRESS_PART_MAX,
  CONTACT_VIEW_FIELDS,
  DEFAULT_BIRTHDAY_DAYS,
  DEFAULT_ENTRY_LABEL,
  DEFAULT_LIMIT,
  EMAIL_LABELS,
  LABEL_MAX,
  LABELS_MAX,
  LIST_MAX,
  MAX_BIRTHDAY_DAYS,
  MAX_LIMIT,
  NAME_MAX,
  NOTES_MAX,
  ORGANIZATION_MAX,
  PHONE_LABELS,
  PHONE_MAX,
  PHONE_MIN,
  PHONE_PATTERN,
  SEARCH_MAX,
  CONTACT_SORTS,
  type ContactSort,
  URL_MAX,
} from '../../../domain/contact.js';
import { EMAIL_MAX } from '../../../domain/validation.js';
import { nullable, ref } from './schema.js';

const nameText = (description: string) => Type.String({ maxLength: NAME_MAX, description });
const orgText = (description: string) => Type.String({ maxLength: ORGANIZATION_MAX, description });
const entryLabel = (known: readonly string[]) =>
  Type.String({
    minLength: 1,
    maxLength: LABEL_MAX,
    description: `${known.map((l) => `\`${l}\``).join(', ')} or custom text; \`${DEFAULT_ENTRY_LABEL}\` when absent.`,
    examples: [known[0]],
  });
const emailValue = Type.String({ format: 'email', maxLength: EMAIL_MAX });
const phoneValue = Type.String({
  minLength: PHONE_MIN,
  maxLength: PHONE_MAX,
  pattern: PHONE_PATTERN,
  description: 'As people write numbers: digits, spaces, `+ - ( ) . /`, and an extension such as `x123`, `ext. 123` or `;ext=123`.',
  examples: ['+1 (555) 010-0200 ext. 12'],
});
const urlValue = Type.String({ format: 'uri', maxLength: URL_MAX, description: 'An absolute `http` or `https` URL.' });
const date = (description: string) =>
  nullable(
    Type.String({
      pattern: '^([0-9]{4}-[0-9]{2}-[0-9]{2}|--[0-9]{2}-[0-9]{2})$',
      description: `${description} A real date, not in the future (\`YYYY-MM-DD\`), or a day without a year (\`--MM-DD\`, vCard’s form).`,
      examples: ['1990-05-17', '--05-17'],
    }),
  );

const labelledList = (value: TSchema, known: readonly string[], description: string) =>
  Type.Array(Type.Object({ value, label: entryLabel(known) }), { maxItems: LIST_MAX, description });

const addressPart = () => Type.String({ maxLength: ADDRESS_PART_MAX });
const address = Type.Object(
  {
    label: entryLabel(EMAIL_LABELS),
    poBox: addressPart(),
    extended: addressPart(),
    street: addressPart(),
    locality: addressPart(),
    region: addressPart(),
    postalCode: addressPart(),
    country: addressPart(),
  },
  { description: 'A postal address (vCard `ADR`): each part `""` when absent, at least one not.' },
);

/** Every field a client may set, as the representation shows it. */
const contactFields = {
  firstName: Type.String({ maxLength: NAME_MAX, description: `1–${NAME_MAX} characters; \`""\` only on a company’s card (one with an \`organization\`).` }),
  lastName: nameText('`""` when the contact has none.'),
  middleName: nameText('`""` when none.'),
  prefix: nameText('Honorific prefix (`Dr.`); `""` when none.'),
  suffix: nameText('Honorific suffix (`Jr.`); `""` when none.'),
  nickname: nameText('`""` when none.'),
  organization: orgText('Company; `""` when none.'),
  department: orgText('`""` when none.'),
  jobTitle: orgText('`""` when none.'),
  emails: labelledList(emailValue, EMAIL_LABELS, 'Email addresses, the first being `email`.'),
  phones: labelledList(phoneValue, PHONE_LABELS, 'Phone numbers, the first being `phone`.'),
  addresses: Type.Array(address, { maxItems: LIST_MAX }),
  urls: labelledList(urlValue, EMAIL_LABELS, 'Web sites and profiles.'),
  birthday: date('Null when unknown.'),
  anniversary: date('Null when unknown.'),
  notes: nullable(Type.String({ maxLength: NOTES_MAX, description: 'Free text; line breaks and tabs allowed.' })),
  labels: Type.Array(Type.String({ minLength: 1, maxLength: LABEL_MAX }), {
    maxItems: LABELS_MAX,
    description: 'The contact’s groups; unique compared case-insensitively, the first spelling kept.',
    examples: [['Family', 'Climbing']],
  }),
};

const firstEntries = {
  email: nullable(
    Type.String({
      format: 'email',
      maxLength: EMAIL_MAX,
      description: 'The first of `emails` (null without one). Compared case-insensitively, no two contacts of a book share an email over REST.',
    }),
  ),
  phone: nullable({ ...phoneValue, description: 'The first of `phones` (null without one).' }),
};

export const Contact = Type.Object(
  {
    id: Type.String({ description: 'Opaque.' }),
    ...contactFields,
    ...firstEntries,
    photoUrl: nullable(Type.String({ format: 'uri', description: 'The contact’s photo (PUT /api/contacts/{id}/photo); null without one.' })),
    etag: Type.String({ description: 'The same strong entity tag as the `ETag` header.', examples: ['"3"'] }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Contact', description: 'Every field is always present (`null`, `""` or `[]` when empty).' },
);

/** A body's field: optional, and null (or absent) is empty. */
const inputField = <T extends TSchema>(schema: T) => Type.Optional(Array.isArray(schema.type) ? Type.Unsafe<Static<T> | null>(schema) : nullable(schema));
const inputSchemas = { ...contactFields, ...firstEntries };

/**
 * A body's fields. The domain (validateContact) judges the values and names each invalid one in
 * its 422, so the schema documents what is accepted; it does not gate.
 */
const inputFields = Object.fromEntries(Object.entries(inputSchemas).map(([name, schema]) => [name, inputField(schema)])) as {
  [K in keyof typeof inputSchemas]: ReturnType<typeof inputField<(typeof inputSchemas)[K]>>;
};

const EMAIL_PHONE_RULE =
  'In a body without `emails` (`phones`), `email` (`phone`) replaces the first entry (keeping its label) or adds one labelled `other`, and null removes the first entry; a body with both must agree on the first entry, else 422.';

export const ContactInput = Type.Object(inputFields, {
  $id: 'ContactInput',
  description:
    'A whole contact (create, full replacement): a field left out is cleared (`""`, `[]` or null), except the photo. `firstName` is required unless the contact has an `organization` (a company’s card). ' +
    EMAIL_PHONE_RULE +
    ' Unknown fields (id, etag, timestamps) are ignored.',
});

export const ContactPatch = Type.Object(inputFields, {
  $id: 'ContactPatch',
  description: `Only the fields to change: \`null\` clears an optional field, \`[]\` empties a list. ${EMAIL_PHONE_RULE}`,
});

/** A contact with only the fields `fields=` named, and `id`. */
export const PartialContact = Type.Composite([Type.Partial(Type.Omit(Contact, ['id'])), Type.Pick(Contact, ['id'])], {
  $id: 'PartialContact',
  description: 'With `fields=`: only the fields named, and `id`.',
});

/** What GET /api/contacts and /api/contacts/{id} answer: the whole contact, or with `fields=` only the fields named. */
export const ContactOrPart = Type.Union([ref(Contact), ref(PartialContact)]);

export const ContactPage = Type.Object(
  {
    items: Type.Array(ContactOrPart, { description: 'Whole contacts, or with `fields=` only the fields named (and `id`).' }),
    total: Type.Integer({ minimum: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: MAX_LIMIT }),
    offset: Type.Integer({ minimum: 0 }),
  },
  { $id: 'ContactPage' },
);

export const BirthdayList = Type.Object({ items: Type.Array(ref(Contact), { description: 'Soonest birthday first.' }) }, { $id: 'BirthdayList' });

export const ImportReport = Type.Object(
  {
    created: Type.Integer({ minimum: 0, description: 'Contacts added.' }),
    skipped: Type.Array(
      Type.Object({
        index: Type.Integer({ minimum: 0, description: 'Position of the card in the file, from 0.' }),
        name: nullable(Type.String({ description: 'The name the card shows (FN, else N), if any.' })),
        reason: Type.String({
          description: 'Why the card was skipped; for an email the book already holds, the id of the contact holding it.',
          examples: [
            'a contact with this email is already in your book: 0b6c52c9-a0a5-4743-a52f-a5098f3af405',
            'the card has neither a name nor an organization',
          ],
        }),
      }),
      { description: 'Each card not imported, in file order.' },
    ),
    groups: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'Present when the file had group cards (`KIND:group`, `X-ADDRESSBOOKSERVER-KIND:group`): how many were kept. Their members carry the group name as a label, and export writes the cards back.',
      }),
    ),
  },
  { $id: 'ImportReport' },
);

export const VCardUpload = Type.Object(
  {
    file: Type.String({
      contentMediaType: 'text/vcard',
      description: 'A vCard file (.vcf), or a CSV file (.csv, or sent with the type `text/csv`); at most CONTACTS_IMPORT_MAX_BYTES.',
    }),
  },
  { $id: 'VCardUpload' },
);

const fieldSelection = Type.String({
  description: `A comma list of top-level fields to return (\`id\` always comes): ${CONTACT_VIEW_FIELDS.map((f) => `\`${f}\``).join(', ')}. An unknown name is 422.`,
  examples: ['id,firstName,lastName'],
});

const searchText = (description: string) => Type.Optional(Type.String({ maxLength: SEARCH_MAX, description }));

export const ContactSearch = Type.Object({
  q: searchText(
    'Case- and accent-insensitive substring of any name field, the nickname, the organization, any email or any label; written like a phone number (3 digits or more), also any phone by its digits (`5550100` finds `+1 (555) 010-0`).',
  ),
  label: searchText('Only contacts with this label (case-insensitive).'),
  firstName: searchText('Filter on the first name (case-insensitive substring).'),
  lastName: searchText('Filter on the last name (case-insensitive substring).'),
  email: searchText('Filter on the emails (case-insensitive substring).'),
  sort: Type.Optional(
    Type.Unsafe<ContactSort>({
      type: 'string',
      enum: CONTACT_SORTS,
      default: 'created',
      description:
        '`created` (oldest first), `name` (last name, then first), or `relevance` (only with `q`: whole-name matches first, then prefixes, then the rest).',
    }),
  ),
  fields: Type.Optional(fieldSelection),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'Page size.' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Items to skip.' })),
});

export const ContactProjection = Type.Object({ fields: Type.Optional(fieldSelection) });

export const BirthdayWindow = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BIRTHDAY_DAYS, default: DEFAULT_BIRTHDAY_DAYS, description: 'How many days ahead.' })),
});

export const ExportFormat = Type.Object({
  version: Type.Optional(Type.Unsafe<'4.0' | '3.0'>({ type: 'string', enum: ['4.0', '3.0'], default: '4.0', description: 'vCard version.' })),
  photos: Type.Optional(
    Type.Unsafe<'true' | 'false'>({ type: 'string', enum: ['true', 'false'], default: 'true', description: '`false` leaves the photos out of the cards.' }),
  ),
});

export const ContactId = Type.Object({ id: Type.String({ description: 'The contact id (opaque; a malformed id is 404).' }) });

/** The named schemas of the contact routes, in the document's order. */
export const CONTACT_SCHEMAS = [Contact, PartialContact, ContactInput, ImportReport, VCardUpload, ContactPatch, ContactPage, BirthdayList];
