import { InitialSchema1764000000001 } from './0001-initial-schema.migration.js';
import { ReplayAudit1764000000002 } from './0002-replay-audit.migration.js';

/** Every migration, in order. A new schema change appends a class here. */
export const MIGRATIONS = [InitialSchema1764000000001, ReplayAudit1764000000002];
