import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Finds the files to upload from a folder of logs and the S3 key each gets: logs synced from a bucket keep
 * their key from `AWSLogs/` on; any other layout is placed under `AWSLogs/` as it is, since that is the
 * prefix the stack's notification watches. Hidden files are ignored.
 */
export interface LogFile {
  path: string;
  key: string;
  size: number;
}

export function listLogFiles(dir: string): LogFile[] {
  const files: LogFile[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push({ path, key: keyFor(dir, path), size: statSync(path).size });
    }
  };
  walk(dir);
  return files.sort((a, b) => a.key.localeCompare(b.key));
}

function keyFor(root: string, path: string): string {
  const posix = path.split(sep).join('/');
  const at = posix.lastIndexOf('/AWSLogs/');
  if (at !== -1) return posix.slice(at + 1);
  return `AWSLogs/${relative(root, path).split(sep).join('/')}`;
}
