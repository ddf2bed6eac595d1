import { z } from 'zod';
import { ZRole } from '../http/common';

export const ZLoginRequest = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
});

export const ZMe = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  unitId: z.string(),
  roles: z.array(ZRole),
  roleLabels: z.array(z.string()),
  dailyDigest: z.boolean().optional(),
});

export const ZLoginResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number(),
  person: ZMe,
});

export const ZCreateApiTokenRequest = z.strictObject({ name: z.string().trim().min(1).max(100) });

export const ZApiToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const ZCreatedApiToken = ZApiToken.extend({ token: z.string().describe('shown once; store it now') });
