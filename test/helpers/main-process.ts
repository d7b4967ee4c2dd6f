import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exit: Promise<number | null>;
}

/**
 * Starts `src/infrastructure/main.ts` as `npm start` does, in a scratch folder with no .env;
 * `nodeFlags` go before it (the Dockerfile's production flags, say).
 */
export async function startMain(env: Record<string, string>, cwd: string, nodeFlags: readonly string[] = []): Promise<Running> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', import.meta.resolve('tsx'), path.resolve('src/infrastructure/main.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', BCRYPT_ROUNDS: '4', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const line = output.split('\n').find((l) => l.includes('"listening"'));
      if (line) {
        clearInterval(timer);
        resolve(JSON.parse(line).port);
      }
    }, 50);
    void exit.then((code) => {
      clearInterval(timer);
      reject(new Error(`main exited with ${code}: ${output}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}`, output: () => output, exit };
}

/** The first JSON log line of `running` whose `msg` is `message`, waiting up to `ms` for it. */
export async function logLine(running: Running, message: string, ms = 60_000): Promise<Record<string, unknown>> {
  for (const started = Date.now(); Date.now() - started < ms; await new Promise((resolve) => setTimeout(resolve, 100))) {
    for (const line of running.output().split('\n')) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === message) return entry;
    }
    if (running.child.exitCode !== null) throw new Error(`the server exited: ${running.output()}`);
  }
  throw new Error(`no "${message}" log line: ${running.output()}`);
}
