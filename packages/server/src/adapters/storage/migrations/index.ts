import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-foundation';
import * as m0002 from './0002-channels';
import * as m0003 from './0003-audiences-tasks';
import * as m0004 from './0004-engine';
import * as m0005 from './0005-engine-worker';
import * as m0006 from './0006-segment-name-key';
import * as m0007 from './0007-delivery-indexes';
import * as m0008 from './0008-tier-minutes';

/** Every migration, in order. Add a new step as a new file and list it here. */
const migrations: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-channels': m0002,
  '0003-audiences-tasks': m0003,
  '0004-engine': m0004,
  '0005-engine-worker': m0005,
  '0006-segment-name-key': m0006,
  '0007-delivery-indexes': m0007,
  '0008-tier-minutes': m0008,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
