import { stateRefusal } from '../../domain/lifecycle';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode, type FieldIssue } from '../../lib/errors';
import { contradicts, sniff, typeOfKind } from '../../lib/filetype';
import type { Readable } from 'node:stream';
import type { EvidenceStorage } from '../../lib/storage';
import type { UploadedFile } from '../http/route';
import { type Actor, policy, type TaskScope } from '../policy';
import type { TEvidence } from './schemas';

/** What an evidence upload may be (README "Evidence"; EVIDENCE_MAX_BYTES, EVIDENCE_TYPES). */
export interface EvidenceLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number;
  /** Accepted MIME types, lower case. */
  allowedTypes: readonly string[];
}

export interface EvidenceServiceDeps {
  db: Db;
  storage: EvidenceStorage;
  limits: EvidenceLimits;
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;

const taskNotFound = (id: string) => new AppError(ErrorCode.NOT_FOUND, `任务不存在 / task ${id} not found`);
const evidenceNotFound = (id: string) => new AppError(ErrorCode.NOT_FOUND, `佐证材料不存在 / evidence ${id} not found`);
const rejected = (issue: FieldIssue) => new AppError(ErrorCode.VALIDATION_FAILED, '佐证材料校验失败 / evidence file rejected', [issue]);

const scopeSelect = { ownerId: true, supervisorId: true, unit: { select: { path: true } } } as const;
const scopeOf = (t: { ownerId: string; supervisorId: string | null; unit: { path: string } }): TaskScope => ({
  unitPath: t.unit.path,
  ownerId: t.ownerId,
  supervisorId: t.supervisorId,
});

const present = (e: { id: string; fileName: string; contentType: string; size: number; sha256: string; createdAt: Date }): TEvidence => ({
  id: e.id,
  fileName: e.fileName,
  contentType: e.contentType,
  size: e.size,
  sha256: e.sha256,
  createdAt: e.createdAt.toISOString(),
});

/**
 * The content type a file is stored with: the declared one when it is allowed and its bytes do
 * not contradict it. A client that declares only `application/octet-stream` gets the type its
 * first bytes identify, if any.
 */
function checkedType(file: UploadedFile, limits: EvidenceLimits, label: string): string {
  const field = 'body.file';
  // The first bytes are all sniffing needs (lib/filetype.ts looks at most 8 KiB in).
  const { size, head } = file.staged;
  if (size > limits.maxBytes) {
    // readMultipart already stops at the limit; this keeps the service safe on its own.
    throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `文件过大 / file too large: at most ${limits.maxBytes} bytes`, [
      { field, rule: 'max_size', message: `${label} is larger than ${limits.maxBytes} bytes` },
    ]);
  }
  if (size === 0) throw rejected({ field, rule: 'not_empty', message: `${label} is empty` });
  const sniffed = sniff(head);
  const declared = file.contentType === 'application/octet-stream' ? (sniffed && typeOfKind[sniffed]) || file.contentType : file.contentType;
  if (!limits.allowedTypes.includes(declared)) {
    throw rejected({ field, rule: 'type.allowed', message: `${label}: type ${declared} is not accepted; accepted: ${limits.allowedTypes.join(', ')}` });
  }
  if (contradicts(declared, head)) {
    throw rejected({ field, rule: 'type.mismatch', message: `${label}: the content is not ${declared}${sniffed ? ` (it looks like ${sniffed})` : ''}` });
  }
  return declared;
}

/**
 * One holder at a time per digest (in this process): placing an object, writing the rows that
 * refer to it, and removing it again when that write fails happen together, so a concurrent upload
 * of the same content never finds its object removed under it.
 */
function digestLocks() {
  const tails = new Map<string, Promise<void>>();
  return async function withLocks<T>(digests: string[], fn: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    for (const digest of [...new Set(digests)].sort()) {
      const previous = tails.get(digest) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = previous.then(() => mine);
      tails.set(digest, tail);
      releases.push(() => {
        release();
        if (tails.get(digest) === tail) tails.delete(digest);
      });
      await previous;
    }
    try {
      return await fn();
    } finally {
      for (const r of releases) r();
    }
  };
}

export function createEvidenceService(deps: EvidenceServiceDeps) {
  const { db, storage, limits } = deps;
  const withDigests = digestLocks();

  /** The task's scope if the actor may read it; otherwise 404, whether or not it exists. */
  async function visibleTask(actor: Actor, taskId: string): Promise<TaskScope> {
    const task = await db.task.findUnique({ where: { id: taskId }, select: scopeSelect });
    if (!task || !policy.readTask(actor, scopeOf(task))) throw taskNotFound(taskId);
    return scopeOf(task);
  }

  /**
   * Checks every file (already streamed to the storage folder and hashed), moves the contents into
   * place (content-addressed, so a retry stores nothing new), then writes one Evidence row and one
   * audit event per file in a single transaction. One bad file refuses the whole request. When the
   * transaction fails, the objects this upload created are removed again: no file without a row.
   */
  async function uploadStaged(actor: Actor, taskId: string, files: UploadedFile[], requestId?: string): Promise<{ items: TEvidence[] }> {
    const scope = await visibleTask(actor, taskId);
    if (!policy.uploadEvidence(actor, scope)) throw new AppError(ErrorCode.FORBIDDEN, '无权上传佐证材料 / not allowed to upload evidence to this task');
    const { status } = await db.task.findUniqueOrThrow({ where: { id: taskId }, select: { status: true } });
    // The lifecycle table says from which states evidence may be added (not once the task has ended).
    const refusal = stateRefusal('upload_evidence', { status, pendingExtension: false, deadline: '' });
    if (refusal) throw new AppError(ErrorCode.ILLEGAL_TRANSITION, refusal.message, { rule: refusal.rule });
    const checked = files.map((file, i) => {
      const label = files.length > 1 ? `file ${i + 1} "${file.fileName}"` : `"${file.fileName}"`;
      return { file, contentType: checkedType(file, limits, label) };
    });
    const rows = await withDigests(
      checked.map(({ file }) => file.staged.sha256),
      async () => {
        const placed: string[] = [];
        try {
          for (const { file } of checked) if ((await storage.keep(file.staged)).created) placed.push(file.staged.sha256);
          return await db.$transaction(async (tx) => {
            const created = [];
            for (const { file, contentType } of checked) {
              const { sha256, size } = file.staged;
              const row = await tx.evidence.create({ data: { taskId, uploadedById: actor.id, fileName: file.fileName, contentType, size, sha256 } });
              await recordAudit(tx, {
                actor,
                action: 'evidence.upload',
                targetType: 'evidence',
                targetId: row.id,
                after: { taskId, fileName: row.fileName, size, sha256 },
                requestId,
              });
              created.push(row);
            }
            return created;
          });
        } catch (err) {
          for (const sha256 of placed) await storage.remove(sha256).catch(() => undefined);
          throw err;
        }
      },
    );
    return { items: rows.map(present) };
  }

  return {
    /** Streams an arriving file to the storage folder (the upload route's multipart `stage`). */
    stage: (source: Readable) => storage.stage(source),

    /** Stores the staged files of one upload (see uploadStaged); whatever is not kept is discarded. */
    async upload(actor: Actor, taskId: string, files: UploadedFile[], requestId?: string): Promise<{ items: TEvidence[] }> {
      try {
        return await uploadStaged(actor, taskId, files, requestId);
      } finally {
        // A kept file's staged copy is gone already; a refused or failed one goes now.
        await Promise.all(files.map((f) => f.staged.discard()));
      }
    },

    async list(actor: Actor, taskId: string): Promise<{ items: TEvidence[] }> {
      await visibleTask(actor, taskId);
      const rows = await db.evidence.findMany({ where: { taskId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      return { items: rows.map(present) };
    },

    /** The file's metadata and its bytes as a stream, for whoever may read its task (404 otherwise). */
    async content(actor: Actor, evidenceId: string): Promise<{ evidence: TEvidence; content: Readable; size: number }> {
      const row = await db.evidence.findUnique({ where: { id: evidenceId }, include: { task: { select: scopeSelect } } });
      if (!row || !policy.readTask(actor, scopeOf(row.task))) throw evidenceNotFound(evidenceId);
      const stored = await storage.open(row.sha256);
      if (!stored) throw new Error(`evidence ${row.id}: no stored object ${row.sha256}`);
      return { evidence: present(row), content: stored.stream, size: stored.size };
    },
  };
}
