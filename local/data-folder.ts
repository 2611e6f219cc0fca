import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The local mode's data folder (`--data`, default `.trailhound`), made safe to point anywhere:
 * - a marker file says Trailhound created the folder; `--fresh` empties only such a folder, so a mistyped
 *   `--data ~` cannot delete a home directory;
 * - a lock file with the owner's pid keeps a second process out (two dynalite servers on one LevelDB
 *   folder fail later with "Database is closed"); a lock whose process is gone is stale and taken over.
 */
export const MARKER_FILE = '.trailhound-data';
export const LOCK_FILE = 'trailhound.lock';
/** What `--fresh` moved aside, deleted in the background (and by the next run if this one ends first). */
export const TRASH_PREFIX = '.trailhound-trash-';

/** A refusal the user can act on; the CLI prints its message on one line. */
export class DataFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFolderError';
  }
}

export interface DataFolder {
  readonly path: string;
  /** Resolves once what `--fresh` moved aside (or an earlier run left there) is deleted; never rejects. */
  readonly trashDeleted: Promise<void>;
  /** Removes the lock if it is still ours. */
  release(): void;
}

interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

function isEmptyFolder(dir: string): boolean {
  return readdirSync(dir).length === 0;
}

/**
 * What versions before the marker left in a data folder: nothing else, and a LevelDB database in
 * `dynamodb/`. Such a folder is adopted, so existing `.trailhound` folders keep working with `--fresh`.
 */
const LEGACY_ENTRIES = new Set(['dynamodb', 's3', 'trailhound.log', LOCK_FILE]);

function isLegacyDataFolder(dir: string): boolean {
  return readdirSync(dir).every((entry) => LEGACY_ENTRIES.has(entry)) && existsSync(join(dir, 'dynamodb', 'CURRENT'));
}

/** Creates the folder (with its marker) if absent; adopts an empty or legacy one; leaves others unmarked. */
function ensureFolder(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new DataFolderError(`--data ${dir} is not a folder`);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  if (isEmptyFolder(dir) || isLegacyDataFolder(dir)) writeFileSync(join(dir, MARKER_FILE), 'This folder was created by Trailhound local mode; `npm start -- --fresh` may empty it.\n');
}

function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined; // unreadable or half-written: treated as stale
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0 checks existence only
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acquireLock(dir: string): LockOwner {
  const lockPath = join(dir, LOCK_FILE);
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // 'wx' fails if the file exists: of two processes racing here, only one creates it.
      writeFileSync(lockPath, JSON.stringify(me), { flag: 'wx' });
      return me;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(lockPath);
    if (owner && owner.host !== me.host) {
      throw new DataFolderError(`data folder ${dir} is in use by process ${owner.pid} on ${owner.host} (since ${owner.startedAt}); stop it or choose another --data`);
    }
    if (owner && isAlive(owner.pid)) {
      throw new DataFolderError(`data folder ${dir} is in use by process ${owner.pid} (since ${owner.startedAt}); stop it or choose another --data`);
    }
    // Stale: its process is gone (killed, crashed). Take it over.
    rmSync(lockPath, { force: true });
  }
  throw new DataFolderError(`data folder ${dir} is being opened by another process; try again`);
}

/**
 * Empties the folder of everything but the marker and our lock, at once: the entries are moved into a trash
 * folder inside it, which is deleted in the background (deleting thousands of small files takes seconds).
 */
function empty(dir: string): void {
  const trash = join(dir, `${TRASH_PREFIX}${process.pid}-${Date.now()}`);
  mkdirSync(trash);
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === MARKER_FILE || entry === LOCK_FILE || path === trash) continue;
    try {
      renameSync(path, join(trash, entry));
    } catch {
      rmSync(path, { recursive: true, force: true }); // cannot be moved (another device, Windows locks): deleted now
    }
  }
}

/** Deletes the trash folders of this folder (never rejects: what remains is deleted by a later run). */
async function deleteTrash(dir: string): Promise<void> {
  const trash = readdirSync(dir).filter((entry) => entry.startsWith(TRASH_PREFIX));
  await Promise.all(trash.map((entry) => rm(join(dir, entry), { recursive: true, force: true }).catch(() => undefined)));
}

/**
 * Opens the data folder for this process: creates it if needed, takes the lock, and with `fresh` empties it
 * (only if it carries the marker; refused otherwise, before anything is deleted).
 */
export function openDataFolder(dir: string, options: { fresh?: boolean } = {}): DataFolder {
  ensureFolder(dir);
  if (options.fresh && !existsSync(join(dir, MARKER_FILE))) {
    throw new DataFolderError(`refusing --fresh: ${dir} was not created by Trailhound (no ${MARKER_FILE} file in it); empty it yourself or choose another --data`);
  }
  const me = acquireLock(dir);
  if (options.fresh) empty(dir);
  // Only a folder Trailhound created holds trash of ours.
  const trashDeleted = existsSync(join(dir, MARKER_FILE)) ? deleteTrash(dir) : Promise.resolve();
  return {
    path: dir,
    trashDeleted,
    release() {
      const lockPath = join(dir, LOCK_FILE);
      const owner = readOwner(lockPath);
      if (owner?.pid === me.pid && owner.startedAt === me.startedAt) unlinkSync(lockPath);
    },
  };
}
