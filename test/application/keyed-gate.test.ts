import test from 'ava';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { KeyedGate, type KeyedGateOptions } from '../../src/application/shared/keyed-gate.js';
import { ServiceUnavailable } from '../../src/domain/errors.js';

const options = (atOnce: number, maxWaiting = 100, maxWaitMs = 60_000): KeyedGateOptions => ({ service: 'tests', atOnce, maxWaiting, maxWaitMs });

/** Tasks run through a gate, each ended by the test: `started` lists them in the order they began. */
function tasks(gate: KeyedGate) {
  const started: string[] = [];
  const ends = new Map<string, { finish: () => void; fail: (error: Error) => void }>();
  const run = (key: string, name: string) =>
    gate.run(key, async () => {
      started.push(name);
      await new Promise<void>((finish, fail) => ends.set(name, { finish, fail }));
      return name;
    });
  return { started, run, end: (name: string) => ends.get(name)! };
}

test('the tasks of one key run one at a time, in the order they came', async (t) => {
  const gate = new KeyedGate(options(3));
  const { started, run, end } = tasks(gate);
  const done = ['a1', 'a2', 'a3'].map((name) => run('a', name));
  await nextTurn();
  t.deepEqual(started, ['a1']);
  end('a1').finish();
  await nextTurn();
  t.deepEqual(started, ['a1', 'a2']);
  end('a2').finish();
  await nextTurn();
  t.deepEqual(started, ['a1', 'a2', 'a3']);
  end('a3').finish();
  t.deepEqual(await Promise.all(done), ['a1', 'a2', 'a3']);
});

test('no more than the limit run at once; a free key goes ahead of a busy key’s waiting task', async (t) => {
  const gate = new KeyedGate(options(2));
  const { started, run, end } = tasks(gate);
  const done = [run('a', 'a1'), run('a', 'a2'), run('b', 'b1'), run('c', 'c1'), run('d', 'd1')];
  await nextTurn();
  t.deepEqual(started, ['a1', 'b1'], 'a2 waits for a1; c1 and d1 for room');
  end('b1').finish();
  await nextTurn();
  t.deepEqual(started, ['a1', 'b1', 'c1'], 'a2 still waits for a1: c1, the oldest that may, starts');
  end('a1').finish();
  await nextTurn();
  t.deepEqual(started, ['a1', 'b1', 'c1', 'a2']);
  end('c1').finish();
  await nextTurn();
  t.deepEqual(started, ['a1', 'b1', 'c1', 'a2', 'd1']);
  end('a2').finish();
  end('d1').finish();
  t.deepEqual(await Promise.all(done), ['a1', 'a2', 'b1', 'c1', 'd1']);
});

test('a task that fails gives its caller the error and lets the next in, of its key and of the others', async (t) => {
  const gate = new KeyedGate(options(1));
  const { started, run, end } = tasks(gate);
  const a1 = run('a', 'a1');
  const a2 = run('a', 'a2');
  const b1 = run('b', 'b1');
  await nextTurn();
  end('a1').fail(new Error('database down'));
  await t.throwsAsync(a1, { message: 'database down' });
  await nextTurn();
  t.deepEqual(started, ['a1', 'a2']);
  end('a2').finish();
  await nextTurn();
  t.deepEqual(started, ['a1', 'a2', 'b1']);
  end('b1').finish();
  t.deepEqual(await Promise.all([a2, b1]), ['a2', 'b1']);
});

test('a task that throws before its first await releases the gate too', async (t) => {
  const gate = new KeyedGate(options(1));
  await t.throwsAsync(
    gate.run('a', () => {
      throw new Error('no file');
    }),
    { message: 'no file' },
  );
  t.is(await gate.run('a', async () => 'next'), 'next');
});

test('a gate admits at least one task at once', (t) => {
  t.throws(() => new KeyedGate(options(0)), { instanceOf: RangeError });
});

test('past the most waiting, a task is refused at once with ServiceUnavailable; a task that can start is not', async (t) => {
  const gate = new KeyedGate(options(1, 1));
  const { started, run, end } = tasks(gate);
  const a1 = run('a', 'a1');
  const a2 = run('a', 'a2');
  const refused = await t.throwsAsync(run('b', 'b1'), { instanceOf: ServiceUnavailable });
  t.is(refused?.retryAfterSeconds, 60);
  end('a1').finish();
  await nextTurn();
  t.deepEqual(started, ['a1', 'a2'], 'the refused task never ran');
  end('a2').finish();
  t.deepEqual(await Promise.all([a1, a2]), ['a1', 'a2']);
  const lone = new KeyedGate(options(1, 0));
  const only = tasks(lone);
  const c1 = only.run('c', 'c1');
  await nextTurn();
  t.deepEqual(only.started, ['c1'], 'with room and a free key a task starts even with no queue at all');
  only.end('c1').finish();
  t.is(await c1, 'c1');
});

test('a task that waits past the longest wait is refused, leaves the queue, and the next one still runs', async (t) => {
  const gate = new KeyedGate(options(1, 10, 50));
  const { started, run, end } = tasks(gate);
  const a1 = run('a', 'a1');
  const a2 = run('a', 'a2');
  await t.throwsAsync(a2, { instanceOf: ServiceUnavailable });
  const a3 = run('a', 'a3');
  end('a1').finish();
  await nextTurn();
  t.deepEqual(started, ['a1', 'a3']);
  end('a3').finish();
  t.deepEqual(await Promise.all([a1, a3]), ['a1', 'a3']);
});
