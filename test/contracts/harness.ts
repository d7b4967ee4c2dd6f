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

export type ContractTest<T> = (title: string, body: (t: ExecutionContext, instance: T) => Promise<void>) => void;

/** Registers `[name] title` tests, each on an instance of its own. */
export function contractTest<T>(subject: ContractSubject<T>): ContractTest<T> {
  let up: Promise<boolean> | undefined;
  return (title, body) =>
    test(`[${subject.name}] ${title}`, async (t) => {
      up ??= subject.available ? subject.available() : Promise.resolve(true);
      if (!(await up)) return t.pass(`${subject.name} is not available`);
      const instance = await subject.open();
      try {
        await body(t, instance);
      } finally {
        await subject.close?.(instance);
      }
    });
}
