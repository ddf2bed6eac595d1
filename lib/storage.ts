import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Bytes of a staged file kept in memory for type sniffing (lib/filetype.ts reads at most 8 KiB). */
export const HEAD_BYTES = 8192;

/**
 * Content streamed into a temporary file in the storage folder, hashed on the way: it becomes an
 * object with `keep`, or goes with `discard` (idempotent; a no-op once kept).
 */
export interface StagedContent {
  sha256: string;
  size: number;
  /** The first HEAD_BYTES bytes (or all of a smaller file). */
  head: Buffer;
  discard(): Promise<void>;
}

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
  /**
   * Streams `source` to a temporary file in the storage folder, hashing it as it arrives; memory
   * holds one chunk at a time, whatever the size. Rejects (leaving nothing behind) if the source fails.
   */
  stage(source: Readable): Promise<StagedContent>;
  /**
   * Moves a staged file into place under its digest (atomic rename). `created` is false when the
   * object was there already (the staged copy is dropped).
   */
  keep(staged: StagedContent): Promise<{ created: boolean }>;
  /** Removes an object no row refers to (an upload whose database write failed). */
  remove(sha256: string): Promise<void>;
  /** The content as a stream, with its size, or null when there is none. */
  open(sha256: string): Promise<{ stream: Readable; size: number } | null>;
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
  /** Uploads in progress: temporary files on the same disk as the objects (so keeping one is a rename). */
  const staging = path.join(root, '.staging');
  const stagedPath = new WeakMap<StagedContent, string>();
  let swept: Promise<void> | undefined;
  /** Staged files older than a day are left over from a crash: removed once per process, in the background. */
  const sweep = () =>
    (swept ??= (async () => {
      const names = await readdir(staging).catch(() => [] as string[]);
      for (const name of names) {
        const file = path.join(staging, name);
        const info = await stat(file).catch(() => null);
        if (info && Date.now() - info.mtimeMs > 24 * 3600_000) await unlink(file).catch(() => undefined);
      }
    })().catch(() => undefined));

  const syncFolder = async (folder: string) => {
    // Make a new directory entry durable too (best effort: not every platform can open a folder).
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
  };

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
      await syncFolder(folder);
      return { sha256, size };
    },

    async stage(source) {
      await mkdir(staging, { recursive: true });
      void sweep();
      const temp = path.join(staging, `${process.pid}.${randomBytes(9).toString('hex')}.tmp`);
      const hash = createHash('sha256');
      const head: Buffer[] = [];
      let headBytes = 0;
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          size += chunk.length;
          if (headBytes < HEAD_BYTES) {
            const part = chunk.subarray(0, HEAD_BYTES - headBytes);
            head.push(Buffer.from(part));
            headBytes += part.length;
          }
          done(null, chunk);
        },
      });
      const out = createWriteStream(temp, { flags: 'wx', mode: 0o640 });
      try {
        await pipeline(source, tap, out);
        const handle = await open(temp, 'r+');
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      } catch (err) {
        await unlink(temp).catch(() => undefined);
        throw err;
      }
      const staged: StagedContent = {
        sha256: hash.digest('hex'),
        size,
        head: Buffer.concat(head, headBytes),
        discard: () => unlink(temp).catch(() => undefined),
      };
      stagedPath.set(staged, temp);
      return staged;
    },

    async keep(staged) {
      const temp = stagedPath.get(staged);
      if (!temp) throw new Error('keep: not staged by this storage');
      const target = pathOf(staged.sha256);
      const existing = await stat(target).catch((err: unknown) => {
        if (isNotFound(err)) return null;
        throw err;
      });
      if (existing?.isFile() && existing.size === staged.size) {
        await staged.discard();
        return { created: false };
      }
      const folder = path.dirname(target);
      await mkdir(folder, { recursive: true });
      await rename(temp, target);
      await syncFolder(folder);
      return { created: true };
    },

    async remove(sha256) {
      if (!SHA256_HEX.test(sha256)) return;
      await unlink(pathOf(sha256)).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    },

    async open(sha256) {
      if (!SHA256_HEX.test(sha256)) return null;
      try {
        const info = await stat(pathOf(sha256));
        return { stream: createReadStream(pathOf(sha256)), size: info.size };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
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
