import { z } from 'zod';

/** One evidence file (佐证材料) of a task; its content is at `GET /api/evidence/{id}/content`. */
export const ZEvidence = z.object({
  id: z.string(),
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  /** SHA-256 of the content, lower-case hex. */
  sha256: z.string(),
  createdAt: z.string(),
});
export type TEvidence = z.infer<typeof ZEvidence>;

export const ZEvidenceList = z.object({ items: z.array(ZEvidence) });
