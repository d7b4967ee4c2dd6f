import test from 'ava';
import { PQueueBackgroundTasks } from '../../src/adapters/tasks/p-queue-background-tasks.js';
import { ServiceUnavailable } from '../../src/domain/errors.js';
import { CapturingLogger } from '../fakes/fakes.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

test('work runs after run() returns, a few at a time; drain() waits for all of it', async (t) => {
  const tasks = new PQueueBackgroundTasks(new CapturingLogger(), { concurrency: 2, maxQueued: 100 });
  const done: number[] = [];
  let running = 0;
  let most = 0;
  for (let i = 0; i < 6; i++) {
    tasks.run('job', async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(20);
      running -= 1;
      done.push(i);
    });
  }
  t.deepEqual(done, [], 'nothing done before the caller goes on');
  await tasks.drain();
  t.deepEqual(done.sort(), [0, 1, 2, 3, 4, 5]);
  t.is(most, 2);
});

test('the queue is bounded: past it run() throws ServiceUnavailable (retry after 1 s) at once', async (t) => {
  const tasks = new PQueueBackgroundTasks(new CapturingLogger(), { concurrency: 1, maxQueued: 3 });
  const slow = () => sleep(50);
  for (let i = 0; i < 3; i++) tasks.run('slow', slow); // three waiting to start
  const error = t.throws(() => tasks.run('slow', slow), { instanceOf: ServiceUnavailable });
  t.is(error!.retryAfterSeconds, 1);
  await tasks.drain();
  t.notThrows(() => tasks.run('slow', slow));
  await tasks.drain();
});

test('a failing task is logged with its name and does not stop the others', async (t) => {
  const logger = new CapturingLogger();
  const tasks = new PQueueBackgroundTasks(logger);
  let ran = false;
  tasks.run('broken', async () => {
    throw new Error('boom');
  });
  tasks.run('fine', async () => {
    ran = true;
  });
  await tasks.drain();
  t.true(ran);
  t.true(logger.lines.some((l) => l.level === 'error' && l.message === 'background task failed' && (l.fields as { task?: string }).task === 'broken'));
});

test('close() finishes the work already queued, then refuses new work', async (t) => {
  const tasks = new PQueueBackgroundTasks(new CapturingLogger(), { concurrency: 1, maxQueued: 10 });
  let finished = 0;
  for (let i = 0; i < 3; i++) {
    tasks.run('job', async () => {
      await sleep(20);
      finished += 1;
    });
  }
  await tasks.close();
  t.is(finished, 3);
  t.throws(() => tasks.run('late', async () => {}), { instanceOf: ServiceUnavailable });
});
