import { type Static, type TSchema, Type } from '@sinclair/typebox';

/** The document's address of a named schema (one with `$id`), keeping its static type. */
export function ref<T extends TSchema>(schema: T) {
  if (!schema.$id) throw new Error('only a schema with an $id can be referenced');
  return Type.Unsafe<Static<T>>({ $ref: `#/components/schemas/${schema.$id}` });
}

/** The same schema, also accepting null (JSON Schema 2020-12's `type: [..., "null"]`, as OpenAPI 3.1 reads it). */
export function nullable<T extends TSchema>(schema: T) {
  const { type, ...rest } = JSON.parse(JSON.stringify(schema)) as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}
