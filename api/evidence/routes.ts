import { pipeline } from 'node:stream/promises';
import { ZIdParams } from '../http/common';
import { attachmentDisposition } from '../http/download';
import { type AnyRoute, route } from '../http/route';
import { ZEvidenceList } from './schemas';
import type { EvidenceLimits, EvidenceService } from './service';

/** Most files in one upload request. */
export const EVIDENCE_MAX_FILES = 10;

export function evidenceRoutes(service: EvidenceService, limits: EvidenceLimits): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/api/tasks/{id}/evidence',
      tag: 'evidence',
      summary: '上传佐证材料 / upload evidence files (multipart/form-data, one or more "file" parts)',
      auth: 'user',
      params: ZIdParams,
      // Each file streams to a temporary file in the storage folder as it arrives (hashed on the way).
      multipart: { field: 'file', maxFiles: EVIDENCE_MAX_FILES, maxFileBytes: limits.maxBytes, contentTypes: limits.allowedTypes, stage: service.stage },
      success: { status: 201, description: 'the stored files', schema: ZEvidenceList },
      errors: [403, 404, 409, 413],
      handler: ({ actor, params, files, req }) => service.upload(actor, params.id, files, String(req.id)),
    }),
    route({
      method: 'get',
      path: '/api/tasks/{id}/evidence',
      tag: 'evidence',
      summary: '佐证材料清单 / evidence files of a task',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the task’s evidence files, oldest first', schema: ZEvidenceList },
      errors: [404],
      handler: ({ actor, params }) => service.list(actor, params.id),
    }),
    route({
      method: 'get',
      path: '/api/evidence/{id}/content',
      tag: 'evidence',
      summary: '下载佐证材料 / download an evidence file',
      auth: 'user',
      params: ZIdParams,
      success: { status: 200, description: 'the file, with its Content-Type and an attachment Content-Disposition', binary: true, contentTypes: [...limits.allowedTypes] },
      errors: [404],
      handler: async ({ actor, params, res }) => {
        const { evidence, content, size } = await service.content(actor, params.id);
        // setHeader, not res.type(): the stored type is sent as it is (no charset added).
        res.setHeader('Content-Type', evidence.contentType);
        res.setHeader('Content-Disposition', attachmentDisposition(evidence.fileName));
        res.setHeader('Cache-Control', 'private, no-cache');
        res.setHeader('ETag', `"${evidence.sha256}"`);
        res.setHeader('Content-Length', String(size));
        res.status(200);
        // Streamed from disk, a chunk at a time; a client gone mid-way just ends it.
        await pipeline(content, res).catch((err: unknown) => {
          if (!res.headersSent) throw err;
        });
        return undefined;
      },
    }),
  ];
}
