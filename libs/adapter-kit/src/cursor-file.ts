import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A durable feed cursor, owned by one status pump: written atomically (temporary file, then
 * rename) once per batch the gateway acknowledged, read from disk once and then kept in memory.
 *
 * @example const cursor = new CursorFile('data/adapter/SC.card.cursor.json'); cursor.write(cursor.read() + 100);
 */
export class CursorFile {
  private cached: number | null = null;
  private folderReady = false;

  constructor(private readonly file: string) {}

  read(): number {
    if (this.cached !== null) return this.cached;
    if (!existsSync(this.file)) return 0;
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { cursor?: unknown };
    this.cached = typeof parsed.cursor === 'number' ? parsed.cursor : 0;
    return this.cached;
  }

  write(cursor: number): void {
    if (!this.folderReady) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.folderReady = true;
    }
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ cursor }));
    renameSync(tmp, this.file);
    this.cached = cursor;
  }
}
