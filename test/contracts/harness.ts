import test, { type ExecutionContext } from 'ava';

/**
 * One adapter (or fake) a contract suite runs against. Every contract suite takes one of these,
 * and registers its tests with `contractTest`, so all of them read alike:
 * `test/contracts/<port>.contract.ts` holds the suite, and the adapters' test files call it once per
 * implementation.
 */
export interface ContractSubject<T> {
  /** Shown in front of every test title: `[name] …`. */
  name: string;
  /** False skips every test of the subject (a service that is not running). */
  available?: () => Promise<boolean>;
  /** A fresh implementation for one test. */
  open(): Promise<T>;
  /** Releases what `open` made; called after each test, passed or failed. */
  close?: (instance: T) => Promise<void>;
}

type Register<T> = (title: string, body: (t: ExecutionContext, instance: T) => Promise<void>) => void;

/** `it(title, body)` registers a test; `it.serial(title, body)` one that runs alone, before the others. */
export type ContractTest<T> = Register<T> & { serial: Register<T> };

/** Registers `[name] title` tests, each on an instance of its own. */
export function contractTest<T>(subject: ContractSubject<T>): ContractTest<T> {
  let up: Promise<boolean> | undefined;
  const register =
    (define: typeof test | typeof test.serial): Register<T> =>
    (title, body) =>
      define(`[${subject.name}] ${title}`, async (t) => {
        up ??= subject.available ? subject.available() : Promise.resolve(true);
        if (!(await up)) return t.pass(`${subject.name} is not available`);
        const instance = await subject.open();
        try {
          await body(t, instance);
        } finally {
          await subject.close?.(instance);
        }
      });
  return Object.assign(register(test), { serial: register(test.serial) });
}

/**
 * The subject opened once for all of its tests and closed after the last one: for stores that are
 * slow to start (a database per backend) and whose tests keep apart by themselves (owners of their own).
 */
export function sharedSubject<T>(subject: ContractSubject<T>): ContractSubject<T> {
  let opened: Promise<T> | undefined;
  test.after.always(async () => {
    const instance = await opened?.catch(() => undefined);
    if (instance !== undefined) await subject.close?.(instance);
  });
  return { name: subject.name, available: subject.available, open: () => (opened ??= subject.open()) };
}
