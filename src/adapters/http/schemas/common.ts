import { Type } from '@sinclair/typebox';
import { ref } from './schema.js';

export const FieldError = Type.Object({ field: Type.String(), message: Type.String() }, { $id: 'FieldError' });

export const Problem = Type.Object(
  {
    type: Type.String({ examples: ['about:blank'] }),
    title: Type.String({ examples: ['Conflict'] }),
    status: Type.Integer({ examples: [409] }),
    code: Type.String({ pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable machine code.', examples: ['EMAIL_TAKEN'] }),
    detail: Type.String({ examples: ['An account with this email already exists.'] }),
    errors: Type.Optional(Type.Array(ref(FieldError), { description: 'Only on 422: one entry per invalid field.' })),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details; every error response has this shape.' },
);

export const Message = Type.Object({ message: Type.String() }, { $id: 'Message' });

export const Health = Type.Object({ status: Type.Literal('ok') }, { $id: 'Health' });

export const Ready = Type.Object(
  {
    status: Type.Literal('ready'),
    checks: Type.Object({}, { additionalProperties: Type.Literal('ok'), examples: [{ database: 'ok', redis: 'ok' }] }),
  },
  { $id: 'Ready' },
);
