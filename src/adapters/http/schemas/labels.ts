import { Type } from '@sinclair/typebox';
import { LABEL_MAX } from '../../../domain/contact.js';
import { ref } from './schema.js';

const labelName = (description: string) => Type.String({ minLength: 1, maxLength: LABEL_MAX, description, examples: ['Family'] });

export const Label = Type.Object(
  {
    name: labelName('The label as the contacts carry it (the first spelling written).'),
    count: Type.Integer({ minimum: 1, description: 'How many contacts carry it.' }),
  },
  { $id: 'Label' },
);

export const LabelList = Type.Object({ items: Type.Array(ref(Label), { description: 'By name.' }) }, { $id: 'LabelList' });

export const LabelRename = Type.Object(
  { name: labelName('The new name; an existing label of that name (compared case-insensitively) absorbs this one.') },
  { $id: 'LabelRename' },
);

export const LabelPath = Type.Object({
  name: Type.String({ description: 'The label, URL-encoded (`/` as `%2F`); compared case-insensitively.' }),
});

/** The named schemas of the label routes, in the document's order. */
export const LABEL_SCHEMAS = [Label, LabelList, LabelRename];
