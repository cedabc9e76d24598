import { v7 as uuidv7 } from 'uuid';
import type { IdSource } from '../services/ports';

/** UUIDv7: unique across processes, ordered by creation time (good for primary-key locality). */
export const uuidIds: IdSource = { next: () => uuidv7() };
