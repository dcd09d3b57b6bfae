/**
 * What may be read as a capability file. A served folder is watched and
 * re-read on every change, so anything that lands in it is read unattended:
 *   - only regular files are read (a FIFO named `x.yaml` would block the read
 *     forever — reload and shutdown with it);
 *   - a symbolic link is followed only when its target stays inside the served
 *     folder (a link to `/etc/passwd` named `x.yaml` must not be read, let
 *     alone quoted back in an error);
 *   - a file larger than the limit is refused before it is read (a 116 MB YAML
 *     file blocked serving for over a minute while it was parsed).
 * Files named explicitly on the command line are the operator's choice: their
 * links are followed, but they must still be regular files under the limit.
 */
import { constants } from 'node:fs';
import { lstat, open, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';

/** Default size limit of one capability file: ten times the largest real-world file we know (~96 KB). */
export const DEFAULT_MAX_CAPABILITY_FILE_BYTES = 1024 * 1024;

export type FileRefusal = 'file-not-regular' | 'file-too-large' | 'file-outside-folder';

/** A file that is not read, with the reason as a diagnostic code. Its message never quotes the content. */
export class CapabilityFileError extends Error {
  constructor(
    readonly code: FileRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'CapabilityFileError';
  }
}

/**
 * Checks a folder entry found while walking `root`: undefined when it may be read,
 * else the refusal. `entry` is an lstat of the path (a link is not followed by it).
 */
export async function checkFolderEntry(path: string, root: string): Promise<CapabilityFileError | undefined> {
  const entry = await lstat(path);
  if (entry.isSymbolicLink()) {
    let target: string;
    try {
      target = await realpath(path);
    } catch {
      return new CapabilityFileError('file-not-regular', `${path} is a symbolic link to nothing; skipped.`);
    }
    const folder = await realpath(root);
    if (target !== folder && !target.startsWith(folder.endsWith(sep) ? folder : folder + sep)) {
      return new CapabilityFileError('file-outside-folder', `${path} is a symbolic link to a file outside the served folder ${root}; it is not read.`);
    }
    const info = await stat(target);
    if (!info.isFile()) return notRegular(path);
    return undefined;
  }
  return entry.isFile() ? undefined : notRegular(path);
}

/**
 * Reads a capability file as UTF-8 text, refusing anything but a regular file
 * within `maxBytes`. Opened without blocking, so a FIFO swapped in after the
 * folder was listed is refused instead of waiting for a writer.
 */
export async function readCapabilityText(path: string, maxBytes = DEFAULT_MAX_CAPABILITY_FILE_BYTES): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegular(path);
    if (info.size > maxBytes) throw tooLarge(path, info.size, maxBytes);
    // Read to the end, never past the limit: a file growing while it is read is caught too.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - length));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, length);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) throw tooLarge(path, length, maxBytes);
    }
    return Buffer.concat(chunks, length).toString('utf8');
  } finally {
    await handle.close();
  }
}

function notRegular(path: string): CapabilityFileError {
  return new CapabilityFileError('file-not-regular', `${path} is not a regular file (a FIFO, socket or device); skipped.`);
}

function tooLarge(path: string, size: number, max: number): CapabilityFileError {
  return new CapabilityFileError(
    'file-too-large',
    `${path} is ${formatBytes(size)}, over the ${formatBytes(max)} limit for a capability file; it is not read (raise the limit with --max-file-size or \`maxFileBytes\` in runtime.yaml).`,
  );
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
