import { Type } from '@sinclair/typebox';
import { DEFAULT_BIRTHDAY_DAYS, DEFAULT_LIMIT, MAX_BIRTHDAY_DAYS, MAX_LIMIT, NAME_MAX, NOTES_MAX, PHONE_MAX, PHONE_MIN } from '../../../domain/contact.js';
import { nullable, ref } from './schema.js';

const contactFields = {
  firstName: Type.String({ minLength: 1, maxLength: NAME_MAX }),
  lastName: Type.String({ minLength: 0, maxLength: NAME_MAX, description: '`""` when the contact has none (absent or null in a request).' }),
  email: nullable(Type.String({ format: 'email', description: 'Unique in the book, compared case-insensitively; contacts without one never clash.' })),
  phone: nullable(Type.String({ minLength: PHONE_MIN, maxLength: PHONE_MAX, pattern: '^[0-9 +()-]+$', description: 'Digits, spaces and + - ( ).' })),
  birthday: nullable(
    Type.String({
      pattern: '^([0-9]{4}-[0-9]{2}-[0-9]{2}|--[0-9]{2}-[0-9]{2})$',
      description: 'A real date, not in the future (`YYYY-MM-DD`), or a day without a year (`--MM-DD`, vCard’s form).',
      examples: ['1990-05-17', '--05-17'],
    }),
  ),
  notes: nullable(Type.String({ maxLength: NOTES_MAX })),
};

export const Contact = Type.Object(
  {
    id: Type.String({ description: 'Opaque.' }),
    ...contactFields,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Contact' },
);

export const ContactInput = Type.Object(
  {
    firstName: contactFields.firstName,
    lastName: Type.Optional(contactFields.lastName),
    email: Type.Optional(contactFields.email),
    phone: Type.Optional(contactFields.phone),
    birthday: Type.Optional(contactFields.birthday),
    notes: Type.Optional(contactFields.notes),
  },
  { $id: 'ContactInput', description: 'A whole contact (create, full replacement); optional fields left out are null (`lastName` "").' },
);

export const ContactPatch = Type.Partial(Type.Object(contactFields), { $id: 'ContactPatch', description: 'Only the fields to change.' });

export const ContactPage = Type.Object(
  {
    items: Type.Array(ref(Contact)),
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
        reason: Type.String({ examples: ['a contact with this email is already in your book', 'the card has no name (FN or N)'] }),
      }),
      { description: 'Each card not imported, in file order.' },
    ),
  },
  { $id: 'ImportReport' },
);

export const VCardUpload = Type.Object(
  { file: Type.String({ contentMediaType: 'text/vcard', description: 'A .vcf file, at most CONTACTS_IMPORT_MAX_BYTES.' }) },
  { $id: 'VCardUpload' },
);

export const ContactSearch = Type.Object({
  q: Type.Optional(Type.String({ description: 'Case-insensitive substring of the first name, last name or email.' })),
  firstName: Type.Optional(Type.String({ description: 'Filter on the first name.' })),
  lastName: Type.Optional(Type.String({ description: 'Filter on the last name.' })),
  email: Type.Optional(Type.String({ description: 'Filter on the email.' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: 'Page size.' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Items to skip.' })),
});

export const BirthdayWindow = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_BIRTHDAY_DAYS, default: DEFAULT_BIRTHDAY_DAYS, description: 'How many days ahead.' })),
});

export const ExportFormat = Type.Object({
  version: Type.Optional(Type.Unsafe<'4.0' | '3.0'>({ type: 'string', enum: ['4.0', '3.0'], default: '4.0', description: 'vCard version.' })),
});

export const ContactId = Type.Object({ id: Type.String({ description: 'The contact id (opaque; a malformed id is 404).' }) });

/** The named schemas of the contact routes, in the document's order. */
export const CONTACT_SCHEMAS = [Contact, ContactInput, ImportReport, VCardUpload, ContactPatch, ContactPage, BirthdayList];
