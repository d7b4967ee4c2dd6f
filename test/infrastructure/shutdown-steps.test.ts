import test from 'ava';
import { shutDown, type ShutdownStep } from '../../src/infrastructure/shutdown.js';
import { CapturingLogger } from '../fakes/fakes.js';

test('the steps run one after the other, a failing one is logged and the next still runs, then the process exits 0', async (t) => {
  const ran: string[] = [];
  const logger = new CapturingLogger();
  const exits: number[] = [];
  const deadlines = new Set<number>();
  const steps: ShutdownStep[] = [
    {
      name: 'readiness',
      run: (deadline) => {
        ran.push('readiness');
        deadlines.add(deadline);
      },
    },
    {
      name: 'http',
      run: async (deadline) => {
        await new Promise((resolve) => setTimeout(resolve, 30));
        ran.push('http');
        deadlines.add(deadline);
        throw new Error('the server would not close');
      },
    },
    { name: 'services', run: async () => void ran.push('services') },
  ];
  const before = Date.now();
  await shutDown(steps, 'SIGTERM', { timeoutMs: 5000, logger, exit: (code) => exits.push(code) });
  t.deepEqual(ran, ['readiness', 'http', 'services']);
  t.deepEqual(exits, [0]);
  t.is(deadlines.size, 1, 'every step is given the same deadline');
  const [deadline] = deadlines;
  t.true(deadline! >= before + 5000 && deadline! <= Date.now() + 5000);
  t.like(
    logger.lines.find((l) => l.level === 'error'),
    { message: 'shutdown step failed', fields: { step: 'http', err: 'the server would not close' } },
  );
  t.like(logger.lines.at(-1), { message: 'stopped' });
});

test('a step still running at the timeout does not hold the process: it exits 1', async (t) => {
  const logger = new CapturingLogger();
  const keepAlive = setTimeout(() => {}, 10_000); // the hard stop's timer is unref'd, as it must be in the server
  t.teardown(() => clearTimeout(keepAlive));
  const exited = new Promise<number>((resolve) => {
    void shutDown([{ name: 'stuck', run: () => new Promise<void>(() => {}) }], 'SIGINT', { timeoutMs: 100, logger, exit: resolve });
  });
  t.is(await exited, 1);
  t.regex(JSON.stringify(logger.lines), /shutdown did not finish within 100 ms/);
});
