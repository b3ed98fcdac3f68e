export * from './route-case.js';
