import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Write to a temporary file, fsync, then rename over the target: readers see old or new, never half.
 * A write that fails leaves the target as it was and removes its temporary file. Missing parent
 * directories are created with mode 0700; the file has `mode` (exactly, whatever the umask) before
 * anything is written to it.
 */
export async function writeFileAtomic(path: string, content: string, mode = 0o640): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, '', { mode, flag: 'wx' });
    await chmod(tmp, mode);
    await writeFile(tmp, content);
    const fh = await open(tmp, 'r');
    try { await fh.sync(); } finally { await fh.close(); }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true, recursive: true }).catch(() => undefined);
    throw e;
  }
}
