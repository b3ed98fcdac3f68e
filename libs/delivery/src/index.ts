export * from './delivery-failure.js';
export * from './retry-policy.js';
export * from './relay.js';
export * from './circuit-breaker.js';
export * from './agency-link-transport.js';
export * from './batch-proof.js';
