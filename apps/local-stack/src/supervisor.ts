import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

export interface ProcessSpec {
  readonly name: string;
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Runs the local stack's processes, each with its log in data/logs/<name>.log, and restarts one
 * that dies (after a short pause) until the stack is stopped: what a process manager would do.
 *
 * `CPU_PROF_DIR` (with optional `CPU_PROF_MATCH`, a substring of the process name, e.g.
 * `gateway`) starts the matching children with `--cpu-prof`: each writes a V8 CPU profile into
 * that folder when it exits, which it does on the stack's SIGTERM. Used by `npm run bench`.
 */
export class Supervisor {
  private readonly children = new Map<string, ChildProcess>();
  private readonly logs = new Map<string, WriteStream>();
  private stopping = false;

  constructor(
    /** The environment every child inherits (the stack's own, read in local-stack.config.ts). */
    private readonly baseEnv: Readonly<Record<string, string | undefined>>,
    private readonly logDir: string,
    private readonly say: (line: string) => void,
    /** Each child's old-generation heap limit (MB). */
    private readonly heapLimitMb: number,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  start(spec: ProcessSpec): void {
    const log = this.logs.get(spec.name) ?? createWriteStream(join(this.logDir, `${spec.name}.log`), { flags: 'a' });
    this.logs.set(spec.name, log);
    const child = spawn(process.execPath, [`--max-old-space-size=${this.heapLimitMb}`, ...this.profileFlags(spec.name), spec.script], {
      env: { ...this.baseEnv, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (/failed to start/.test(text)) this.say(`[${spec.name}] ${text.trim()}`);
    });
    this.children.set(spec.name, child);
    child.on('exit', (code, signal) => {
      this.children.delete(spec.name);
      if (this.stopping) return;
      this.say(`[${spec.name}] exited (${signal ?? code}); restarting in 2 s — see ${join(this.logDir, `${spec.name}.log`)}`);
      setTimeout(() => {
        if (!this.stopping) this.start(spec);
      }, 2000).unref();
    });
  }

  private profileFlags(name: string): string[] {
    const dir = this.baseEnv['CPU_PROF_DIR'];
    const match = this.baseEnv['CPU_PROF_MATCH'] ?? '';
    if (!dir || !name.includes(match)) return [];
    return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.${Date.now()}.cpuprofile`];
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    const exits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    );
    await Promise.all(exits);
    for (const log of this.logs.values()) log.end();
  }
}
