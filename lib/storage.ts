import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where evidence files (佐证材料) live, addressed by the SHA-256 of their content: the same file
 * stored twice is one object, and a retried upload writes nothing new. The database keeps the
 * metadata (`Evidence` rows, one per upload) and refers to the content by its digest.
 */
export interface EvidenceStorage {
  /** Stores the content (idempotent) and returns its digest (lower-case hex) and size. */
  put(content: Buffer): Promise<{ sha256: string; size: number }>;
  /** The content with this digest, or null when there is none. */
  get(sha256: string): Promise<Buffer | null>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export const sha256Hex = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

const isNotFound = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';

/**
 * Content-addressed storage on a local disk: `<dir>/<first 2 hex digits>/<sha256>`. A write goes
 * to a temporary file in the same folder, is flushed, then renamed into place, so a reader never
 * sees a partial object and concurrent writers of the same content both succeed.
 */
export function createDiskStorage(dir: string): EvidenceStorage {
  const root = path.resolve(dir);
  const pathOf = (sha256: string) => path.join(root, sha256.slice(0, 2), sha256);

  return {
    async put(content) {
      const sha256 = sha256Hex(content);
      const size = content.length;
      const target = pathOf(sha256);
      const existing = await stat(target).catch((err: unknown) => {
        if (isNotFound(err)) return null;
        throw err;
      });
      if (existing?.isFile() && existing.size === size) return { sha256, size };

      const folder = path.dirname(target);
      await mkdir(folder, { recursive: true });
      const temp = path.join(folder, `.${sha256}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        const file = await open(temp, 'wx', 0o640);
        try {
          await file.writeFile(content);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, target);
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        throw err;
      }
      // Make the new directory entry durable too (best effort: not every platform can open a folder).
      try {
        const folderHandle = await open(folder, 'r');
        try {
          await folderHandle.sync();
        } finally {
          await folderHandle.close();
        }
      } catch {
        // the object is in place; only its durability across a power cut is less certain
      }
      return { sha256, size };
    },

    async get(sha256) {
      if (!SHA256_HEX.test(sha256)) return null;
      try {
        return await readFile(pathOf(sha256));
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    },
  };
}
