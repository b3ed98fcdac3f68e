/**
 * Import boundaries of docs/architecture.md ("The import rules"), checked in `npm test` (via `npm run lint`).
 * Library aliases (#core, #signing, ...) resolve through package.json "imports".
 */

/**
 * The gateway's floor plan (docs/architecture.md, "The gateway's floors"): each folder of
 * apps/gateway/src stands on one floor, ground first. A folder imports folders of lower floors,
 * and on its own floor only those listed before it; nothing imports the files at the top of
 * src/ (the module, the app, main, migrate), which assemble the rest.
 */
const FLOORS = [
  { name: 'ground', folders: ['config', 'http', 'calendar', 'runtime', 'trust', 'observability', 'auth'] },
  { name: 'cases-and-delivery', folders: ['cases', 'message-log', 'delivery', 'peer'] },
  { name: 'faces', folders: ['intake', 'agency', 'pension', 'contracts'] },
  { name: 'operator', folders: ['federation', 'operator', 'console', 'monitoring'] },
];
const SRC = '^apps/gateway/src/';
const anyOf = (folders) => `${SRC}(${folders.join('|')})/`;
const floorRules = FLOORS.flatMap((floor, i) => {
  const above = FLOORS.slice(i + 1).flatMap((f) => f.folders);
  return [
    {
      name: `gateway-floor-${i + 1}-${floor.name}-never-imports-up`,
      severity: 'error',
      comment: `${floor.folders.join(', ')} import only lower floors (and the src/ root files import them, not the other way).`,
      from: { path: anyOf(floor.folders) },
      to: { path: [...(above.length > 0 ? [anyOf(above)] : []), `${SRC}[^/]+$`] },
    },
    ...floor.folders.slice(0, -1).map((folder, j) => ({
      name: `gateway-floor-${i + 1}-${folder}-below-${floor.folders.slice(j + 1).join('-')}`,
      severity: 'error',
      comment: `On floor ${i + 1}, ${folder}/ imports only the folders listed before it: ${floor.folders.slice(0, j).join(', ') || 'none'}.`,
      from: { path: anyOf([folder]) },
      to: { path: anyOf(floor.folders.slice(j + 1)) },
    })),
  ];
});

module.exports = {
  forbidden: [
    ...floorRules,
    { name: 'gateway-folder-has-a-floor', severity: 'error', comment: 'A new folder of apps/gateway/src is given a floor in FLOORS first.',
      from: { path: `${SRC}[^/]+/`, pathNot: anyOf(FLOORS.flatMap((f) => f.folders)) }, to: {} },
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
