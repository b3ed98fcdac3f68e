// Jest runs TypeScript as native ES modules through @swc/jest (see docs/development.md):
// NestJS 12 and jose 6 are ESM-only, so the CommonJS mode cannot load them.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      experimental: { keepImportAttributes: true },
    },
    module: { type: 'es6' },
    sourceMaps: 'inline',
  },
];

const shared = {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^#(core|codes|contracts|signing|routing|persistence|delivery|adapter-kit|pension|logging)$': '<rootDir>/libs/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/scripts/**/*.spec.ts'] },
    { ...shared, displayName: 'contracts', testMatch: ['<rootDir>/tests/contracts/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/tests/integration/**/*.spec.ts'] },
    { ...shared, displayName: 'browser', testMatch: ['<rootDir>/tests/browser/**/*.spec.ts'] },
    { ...shared, displayName: 'faults', testMatch: ['<rootDir>/tests/faults/**/*.spec.ts'] },
    { ...shared, displayName: 'fuzz', testMatch: ['<rootDir>/tests/fuzz/**/*.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/tests/e2e/**/*.spec.ts'] },
  ],
};
