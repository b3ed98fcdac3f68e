export * from './fund-arithmetic.js';
export * from './paying-place.js';
export * from './temporary-account.js';
