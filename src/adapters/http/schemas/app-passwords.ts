import { Type } from '@sinclair/typebox';
import { APP_PASSWORD_NAME_MAX } from '../../../domain/app-password.js';
import { nullable, ref } from './schema.js';

const dateTime = () => Type.String({ format: 'date-time' });

export const AppPassword = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String({ description: 'What you called it, e.g. "Anna’s iPhone".' }),
    createdAt: dateTime(),
    lastUsedAt: nullable(Type.String({ format: 'date-time', description: 'When it last let a CardDAV request in; up to a minute behind; null when never.' })),
  },
  { $id: 'AppPassword', description: 'A password for one device’s CardDAV sync. Never shows the password.' },
);

export const AppPasswordList = Type.Object({ items: Type.Array(ref(AppPassword), { description: 'Newest first.' }) }, { $id: 'AppPasswordList' });

export const AppPasswordRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: APP_PASSWORD_NAME_MAX, description: 'Trimmed; no control characters.' }),
    currentPassword: Type.String({ format: 'password', description: 'Your account password.' }),
  },
  { $id: 'AppPasswordRequest' },
);

export const CreatedAppPassword = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    password: Type.String({
      format: 'password',
      description: 'Shown only in this answer: 100 random bits as 5 groups of 4 lowercase letters and digits (no i, l, o, u), dashes optional when typed.',
      examples: ['k3fq-9x2m-a7hw-c0pz-t5nd'],
    }),
    createdAt: dateTime(),
  },
  { $id: 'CreatedAppPassword' },
);

/** The named schemas of the app-password routes, in the document's order. */
export const APP_PASSWORD_SCHEMAS = [AppPassword, AppPasswordList, AppPasswordRequest, CreatedAppPassword];
