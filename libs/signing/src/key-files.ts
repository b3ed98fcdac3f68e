import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewayError } from '#core';

/**
 * File handling shared by every file of secrets (key directories, key-directory.ts; the
 * personal-data hash secret; the federation's files): private key files are 0600 in a 0700
 * directory, and every write is atomic and durable.
 */

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** Creates `dir` if needed and sets its mode to 0700 (mkdir's mode is filtered by the umask and ignored for an existing directory). */
export async function prepareKeyDir(dir: string): Promise<void> {
  await io('cannot prepare the key directory', async () => {
    await mkdir(dir, { recursive: true, mode: DIR_MODE });
    await chmod(dir, DIR_MODE);
  });
}

/**
 * Reads a private key file as JSON; `undefined` if it vanished meanwhile (the losing side of a
 * first-start race). Refuses, as ssh does with a private key, a file others can read or write.
 */
export async function readPrivateKeyFile(file: string, kid: string): Promise<unknown> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: cannot read key ${kid}`, cause: error });
  }
  if ((info.mode & 0o077) !== 0) {
    throw keyStoreConfig(`key file of ${kid} is readable or writable by others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch (cause) {
    if (isErrno(cause, 'ENOENT')) return undefined;
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: key file of ${kid} is not JSON`, cause });
  }
}

/** Reads a small text file; `undefined` when it does not exist. */
export async function readOptionalText(dir: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: cannot read ${name}`, cause: error });
  }
}

/**
 * Writes a file so that a reader never sees half of it, and a crash never leaves half of it: a
 * temporary file (mode 0600, fsync'd) is linked (exclusive: fails if the name exists) or renamed
 * into place, then the directory is fsync'd. Returns false when `exclusive` and the name exists.
 */
export async function writeFileSafely(dir: string, name: string, data: string, opts: { exclusive: boolean }): Promise<boolean> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  return io(`cannot write ${name}`, async () => {
    const handle = await open(tmp, 'wx', FILE_MODE);
    try {
      await handle.writeFile(data, 'utf8');
      await handle.chmod(FILE_MODE); // the umask may have removed bits we want exact
      await handle.sync();
    } finally {
      await handle.close();
    }
    let written = true;
    try {
      if (opts.exclusive) await link(tmp, target);
      else await rename(tmp, target);
    } catch (error) {
      if (!(opts.exclusive && isErrno(error, 'EEXIST'))) throw error;
      written = false;
    } finally {
      if (opts.exclusive) await removeQuietly(tmp);
    }
    await syncDir(dir);
    return written;
  });
}

/** Deletes a file durably; a file already gone is not an error. */
export async function removeFile(dir: string, name: string): Promise<void> {
  await io(`cannot delete ${name}`, async () => {
    try {
      await unlink(join(dir, name));
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
    await syncDir(dir);
  });
}

export async function removeQuietly(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch {
    // Already gone: nothing to do.
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Runs file I/O; any failure that is not already a GatewayError becomes CONFIG_INVALID. */
export async function io<T>(detail: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (cause) {
    if (cause instanceof GatewayError) throw cause;
    throw new GatewayError('CONFIG_INVALID', { detail: `key store: ${detail}`, cause });
  }
}

export function keyStoreConfig(detail: string): GatewayError {
  return new GatewayError('CONFIG_INVALID', { detail: `key store: ${detail}` });
}

export function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
