export * from './canonical.js';
export * from './agency-link.js';
