export * from './gb11643.js';
export * from './gb2260.js';
export * from './gb32100.js';
