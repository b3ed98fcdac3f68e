export * from './records.js';
export * from './stores.js';
export * from './gateway-database.js';
export * from './conversation-store.js';
export * from './log-checkpoint-store.js';
export * from './database-errors.js';
export * from './adapter-heartbeat-store.js';
export * from './replay-job-store.js';
