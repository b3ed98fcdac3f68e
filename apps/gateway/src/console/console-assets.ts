import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Injectable } from '@nestjs/common';
import { GatewayError } from '#core';

export interface ConsoleAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
};

/**
 * The console's hand-written files (static/: HTML, CSS, plain ES modules), read once at start
 * and served from memory. No build step: `tsc` does not copy them, so a compiled node
 * (dist/apps/gateway/src/console) reads them from the source tree beside dist/.
 */
@Injectable()
export class ConsoleAssets {
  private readonly files: ReadonlyMap<string, ConsoleAsset>;

  constructor() {
    const dir = staticDir();
    this.files = new Map(
      readdirSync(dir)
        .filter((name) => CONTENT_TYPES[extname(name)] !== undefined)
        .map((name) => [name, { body: readFileSync(join(dir, name)), contentType: CONTENT_TYPES[extname(name)] ?? '' }]),
    );
  }

  /** One file by its plain name (no folders): anything else is NOT_FOUND. */
  get(name: string): ConsoleAsset {
    const found = this.files.get(name);
    if (!found) throw new GatewayError('NOT_FOUND', { detail: 'no console file with this name' });
    return found;
  }
}

function staticDir(): string {
  const here = fileURLToPath(new URL('./static', import.meta.url));
  // The last `/dist/` of the path is the build output (a checkout may itself sit under a dist folder).
  const cut = here.lastIndexOf(`${sep}dist${sep}`);
  const fromSource = cut < 0 ? here : `${here.slice(0, cut)}${here.slice(cut + `${sep}dist`.length)}`;
  const found = [here, fromSource].find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new GatewayError('CONFIG_INVALID', { detail: 'the console files (apps/gateway/src/console/static) are missing' });
  return found;
}
