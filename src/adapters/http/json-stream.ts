import { setImmediate as nextTurn } from 'node:timers/promises';

/** Items of a streamed array written between two turns of the event loop. */
const ITEMS_PER_CHUNK = 50;

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

/**
 * A JSON object written as it is read: each field in its order, a field that is an AsyncIterable
 * as an array whose items are written a few at a time (one item a line), so that an answer of any
 * length is held in memory only a chunk at a time. What JSON.stringify writes for each value.
 */
export async function* jsonObjectStream(fields: Record<string, unknown>): AsyncGenerator<string> {
  let separator = '{';
  for (const [key, value] of Object.entries(fields)) {
    const name = `${separator}\n${JSON.stringify(key)}: `;
    separator = ',';
    if (!isAsyncIterable(value)) {
      yield `${name}${JSON.stringify(value) ?? 'null'}`;
      continue;
    }
    let chunk = `${name}[`;
    let count = 0;
    for await (const item of value) {
      chunk += `${count === 0 ? '' : ','}\n${JSON.stringify(item) ?? 'null'}`;
      count += 1;
      if (count % ITEMS_PER_CHUNK === 0) {
        yield chunk;
        chunk = '';
        await nextTurn();
      }
    }
    yield `${chunk}${count === 0 ? '' : '\n'}]`;
  }
  yield `${separator === '{' ? '{' : ''}\n}\n`;
}
