import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { join } from 'node:path';

/** One app of the stack as a real OS process (from dist/), so it can be killed with SIGKILL. */
export class AppProcess {
  private child: ChildProcess | null = null;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
  ) {}

  start(): void {
    const log = openSync(join(this.logDir, `${this.name}.log`), 'a');
    this.child = spawn(process.execPath, [join(process.cwd(), 'dist', this.script)], {
      env: { PATH: process.env['PATH'] ?? '', ...this.env },
      stdio: ['ignore', log, log],
    });
  }

  /** kill -9: no shutdown hook runs, nothing is flushed. */
  kill9(): void {
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Resolves with the exit code after SIGTERM (graceful shutdown). */
  async terminate(): Promise<number | null> {
    const child = this.child;
    this.child = null;
    if (!child) return null;
    return new Promise((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  }
}

export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(500) })).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
