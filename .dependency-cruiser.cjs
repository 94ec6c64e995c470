// The package arrows of docs/ARCHITECTURE.md, checked by `pnpm deps` (dependency-cruiser) in the test
// command: core <- optim <- runtime <- viz-server <- apps, core <- io <- runtime. Run from the repository root.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** Which workspace packages each library package may import (any other packages/* is refused). */
const ARROWS = { core: [], optim: ['core'], io: ['core'], runtime: ['core', 'optim', 'io'], 'viz-server': ['core', 'runtime'] };
/** Test files may import any package, except core's, which may import none. */
const TEST = '(\\.(test|spec|bench)\\.ts$|/(test|tests|__tests__|bench)/)';
const NPM = ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'npm-unknown'];

// core has no run-time dependencies: dependency-cruiser sees imports, not manifests, so read it here.
const core = JSON.parse(readFileSync(join(__dirname, 'packages/core/package.json'), 'utf8'));
for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
  const names = Object.keys(core[field] ?? {});
  if (names.length) throw new Error(`packages/core/package.json: core has no run-time dependencies; ${field} lists ${names.join(', ')}`);
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...Object.entries(ARROWS).map(([pkg, allowed]) => ({
      name: `arrows-${pkg}`,
      severity: 'error',
      comment: `${pkg} may import ${allowed.join(', ') || 'no workspace package'} (docs/ARCHITECTURE.md)`,
      from: { path: `^packages/${pkg}/`, ...(pkg === 'core' ? {} : { pathNot: TEST }) },
      to: { path: `^packages/(?!(${[pkg, ...allowed].join('|')})/)` },
    })),
    {
      name: 'arrows-unknown-package',
      severity: 'error',
      comment: 'a library package missing from ARROWS in .dependency-cruiser.cjs may import no other package',
      from: { path: `^packages/(?!(${Object.keys(ARROWS).join('|')})/)([^/]+)/`, pathNot: TEST },
      to: { path: '^packages/', pathNot: '^packages/$2/' },
    },
    {
      name: 'core-runs-anywhere',
      severity: 'error',
      comment: 'core runs in workers and browsers: no node: builtins and no npm packages at run time',
      from: { path: '^packages/core/src/', pathNot: TEST },
      to: { dependencyTypes: ['core', ...NPM], dependencyTypesNot: ['type-only', 'type-import'] },
    },
    {
      name: 'optim-no-externals',
      severity: 'error',
      comment: 'optim imports core only: no node: builtins and no npm packages at run time',
      from: { path: '^packages/optim/src/', pathNot: TEST },
      to: { dependencyTypes: ['core', ...NPM], dependencyTypesNot: ['type-only', 'type-import'] },
    },
    {
      name: 'no-deep-imports',
      severity: 'error',
      comment: "another package only through its name, which resolves to its src/index.ts: no '@actorgrad/x/anything'",
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { pathNot: ['^(packages|apps)/$2/', '^packages/[^/]+/src/index\\.ts$', 'node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-relative-out',
      severity: 'error',
      comment: 'a relative import stays inside its package (another package is imported by name)',
      from: { path: '^(packages|apps)/([^/]+)/' },
      to: { dependencyTypes: ['local'], pathNot: '^(packages|apps)/$2/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'every import resolves (an undeclared package or a path outside an exports map does not)',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-undeclared',
      severity: 'error',
      comment: 'every package imported is declared in the importing package.json',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'no import cycle between files or packages (type-only imports are erased and import() is deferred, so they do not count)',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only', 'type-import', 'dynamic-import'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(packages|apps)/[^/]+/(dist|\\.turbo|coverage)/|/fixtures/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@actorgrad/source', 'types', 'import', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { dot: { collapsePattern: '^packages/[^/]+/src/index\\.ts$|node_modules/(@[^/]+/)?[^/]+' } },
  },
};
