import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-foundation';

/** Every migration, in order. Add a new step as a new file and list it here. */
const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
