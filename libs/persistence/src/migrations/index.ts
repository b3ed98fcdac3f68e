import { InitialSchema1764000000001 } from './0001-initial-schema.migration.js';
import { ReplayAudit1764000000002 } from './0002-replay-audit.migration.js';
import { MessageLog1764000000003 } from './0003-message-log.migration.js';
import { CaseClockPause1764000000004 } from './0004-case-clock-pause.migration.js';
import { PensionConversations1764000000005 } from './0005-pension-conversations.migration.js';
import { MessageLogPending1764000000006 } from './0006-message-log-pending.migration.js';
import { LogCheckpoints1764000000007 } from './0007-log-checkpoints.migration.js';
import { CredentialLifecycle1764000000008 } from './0008-credential-lifecycle.migration.js';
import { IdempotencyKeys1764000000009 } from './0009-idempotency-keys.migration.js';
import { OperatorHealthAndReplays1764000000010 } from './0010-operator-health-and-replays.migration.js';
import { MessageLogHashAlg1764000000011 } from './0011-message-log-hash-alg.migration.js';

/** Every migration, in order. A new schema change appends a class here. */
export const MIGRATIONS = [
  InitialSchema1764000000001,
  ReplayAudit1764000000002,
  MessageLog1764000000003,
  CaseClockPause1764000000004,
  PensionConversations1764000000005,
  MessageLogPending1764000000006,
  LogCheckpoints1764000000007,
  CredentialLifecycle1764000000008,
  IdempotencyKeys1764000000009,
  OperatorHealthAndReplays1764000000010,
  MessageLogHashAlg1764000000011,
];
