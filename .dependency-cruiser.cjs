/**
 * Import boundaries of docs/architecture.md ("The import rules"), checked in `npm test` (via `npm run lint`).
 * Library aliases (#core, #signing, ...) resolve through package.json "imports".
 */
module.exports = {
  forbidden: [
    { name: 'apps-never-import-apps', severity: 'error', comment: 'Apps import libs, never each other.',
      from: { path: '^apps/([^/]+)/' }, to: { path: '^apps/', pathNot: '^apps/$1/' } },
    { name: 'libs-never-import-apps', severity: 'error', from: { path: '^libs/' }, to: { path: '^apps/' } },
    { name: 'core-imports-nothing-of-ours', severity: 'error', comment: 'core: no Nest, no I/O, no other lib.',
      from: { path: '^libs/core/' }, to: { path: ['^libs/(?!core/)', '@nestjs', 'typeorm', 'jose'] } },
    { name: 'routing-is-pure', severity: 'error',
      from: { path: '^libs/routing/' }, to: { path: ['^libs/(persistence|signing|delivery|adapter-kit)/', '@nestjs', 'typeorm', 'jose', '^node:(fs|net|http)'] } },
    { name: 'jose-only-in-signing', severity: 'error',
      from: { pathNot: '^libs/signing/' }, to: { path: 'node_modules/jose/' } },
    { name: 'typeorm-only-in-persistence', severity: 'error',
      from: { pathNot: '^libs/persistence/' }, to: { path: 'node_modules/typeorm/' } },
    { name: 'no-circular', severity: 'error', comment: 'Nest DI and ESM both break on import cycles.',
      from: {}, to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['types', 'import', 'default'], extensions: ['.ts', '.js'] },
    combinedDependencies: false,
  },
};
