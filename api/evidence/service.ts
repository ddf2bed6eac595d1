import { stateRefusal } from '../../domain/lifecycle';
import { recordAudit } from '../../lib/audit';
import type { Db } from '../../lib/db';
import { AppError, ErrorCode, type FieldIssue } from '../../lib/errors';
import { contradicts, sniff, typeOfKind } from '../../lib/filetype';
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
  if (file.content.length > limits.maxBytes) {
    // readMultipart already stops at the limit; this keeps the service safe on its own.
    throw new AppError(ErrorCode.PAYLOAD_TOO_LARGE, `文件过大 / file too large: at most ${limits.maxBytes} bytes`, [
      { field, rule: 'max_size', message: `${label} is larger than ${limits.maxBytes} bytes` },
    ]);
  }
  if (file.content.length === 0) throw rejected({ field, rule: 'not_empty', message: `${label} is empty` });
  const sniffed = sniff(file.content);
  const declared = file.contentType === 'application/octet-stream' ? (sniffed && typeOfKind[sniffed]) || file.contentType : file.contentType;
  if (!limits.allowedTypes.includes(declared)) {
    throw rejected({ field, rule: 'type.allowed', message: `${label}: type ${declared} is not accepted; accepted: ${limits.allowedTypes.join(', ')}` });
  }
  if (contradicts(declared, file.content)) {
    throw rejected({ field, rule: 'type.mismatch', message: `${label}: the content is not ${declared}${sniffed ? ` (it looks like ${sniffed})` : ''}` });
  }
  return declared;
}

export function createEvidenceService(deps: EvidenceServiceDeps) {
  const { db, storage, limits } = deps;

  /** The task's scope if the actor may read it; otherwise 404, whether or not it exists. */
  async function visibleTask(actor: Actor, taskId: string): Promise<TaskScope> {
    const task = await db.task.findUnique({ where: { id: taskId }, select: scopeSelect });
    if (!task || !policy.readTask(actor, scopeOf(task))) throw taskNotFound(taskId);
    return scopeOf(task);
  }

  return {
    /**
     * Checks every file, stores the contents (content-addressed, so a retry stores nothing new),
     * then writes one Evidence row and one audit event per file in a single transaction. One bad
     * file refuses the whole request.
     */
    async upload(actor: Actor, taskId: string, files: UploadedFile[], requestId?: string): Promise<{ items: TEvidence[] }> {
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
      const stored: { sha256: string; size: number }[] = [];
      for (const { file } of checked) stored.push(await storage.put(file.content));

      const rows = await db.$transaction(async (tx) => {
        const created = [];
        for (const [i, { file, contentType }] of checked.entries()) {
          const { sha256, size } = stored[i]!;
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
      return { items: rows.map(present) };
    },

    async list(actor: Actor, taskId: string): Promise<{ items: TEvidence[] }> {
      await visibleTask(actor, taskId);
      const rows = await db.evidence.findMany({ where: { taskId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      return { items: rows.map(present) };
    },

    /** The file's metadata and bytes, for whoever may read its task (404 otherwise). */
    async content(actor: Actor, evidenceId: string): Promise<{ evidence: TEvidence; content: Buffer }> {
      const row = await db.evidence.findUnique({ where: { id: evidenceId }, include: { task: { select: scopeSelect } } });
      if (!row || !policy.readTask(actor, scopeOf(row.task))) throw evidenceNotFound(evidenceId);
      const content = await storage.get(row.sha256);
      if (!content) throw new Error(`evidence ${row.id}: no stored object ${row.sha256}`);
      return { evidence: present(row), content };
    },
  };
}
