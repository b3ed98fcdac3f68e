import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A durable feed cursor: written atomically (temporary file, then rename) after each acknowledged event. */
export class CursorFile {
  constructor(private readonly file: string) {}

  read(): number {
    if (!existsSync(this.file)) return 0;
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { cursor?: unknown };
    return typeof parsed.cursor === 'number' ? parsed.cursor : 0;
  }

  write(cursor: number): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ cursor }));
    renameSync(tmp, this.file);
  }
}
