export * from './citizen-id.js';
export { levelOfCode, type Division } from './division-table.js';
export * from './divisions.js';
export * from './credit-code.js';
export * from './ssc-card.js';
