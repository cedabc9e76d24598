import type { ChannelTables } from './channels';
import type { EngineTables } from './engine';
import type { FoundationTables } from './foundation';
import type { TaskTables } from './tasks';

/**
 * The whole database, one interface per area. Each area adds its tables in its own file and is listed
 * here; migrations live in ../migrations, one file per step, in order.
 */
export interface Database extends FoundationTables, ChannelTables, EngineTables, TaskTables {}
