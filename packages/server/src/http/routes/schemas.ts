import { z } from 'zod';

/** Shapes shared by many routes. */
export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })),
    requestId: z.string().optional(),
  }),
});

export const idParams = z.strictObject({ id: z.string().min(1).max(200) });
export const pageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export const okSchema = z.object({ ok: z.literal(true) });
