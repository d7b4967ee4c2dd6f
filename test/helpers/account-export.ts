import type { AccountExport } from '../../src/application/use-cases/export-account.js';

/** An account export with its streamed parts read out into arrays, as its JSON holds them. */
export async function collected(exported: AccountExport) {
  const read = async <T>(items: AsyncIterable<T>) => {
    const all: T[] = [];
    for await (const item of items) all.push(item);
    return all;
  };
  return { ...exported, contacts: await read(exported.contacts), trash: await read(exported.trash) };
}
