export * from './error-codes.js';
export * from './gateway-error.js';
export * from './clock.js';
export * from './ids.js';
export * from './node-code.js';
export * from './time.js';
export * from './working-days.js';
export * from './holidays.data.js';
