/**
 * Layering rules, checked by `npm run deps` (dependency-cruiser).
 *
 * Dependencies point one way:  cli → server → policies → exposes → engine → capability → util
 * src/openapi (import/export) sits beside the server and reads only the capability model.
 * src/http (request plumbing: body reader, request id, observer and logger
 * types, replies) is shared by exposes and server and imports only src/util.
 * Upward imports and cycles fail. Tests may reach across layers.

 */
const NOT_TESTS = '\\.test\\.ts$';

const rule = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

module.exports = {
  forbidden: [
    rule('no-circular', 'A cycle makes the layers meaningless and the load order fragile (type-only imports vanish at runtime, so they may loop).', { path: '^src/' }, { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } }),
    rule('util-is-the-floor', 'src/util imports nothing else from src.', { path: '^src/util/' }, { path: '^src/', pathNot: '^src/util/' }),
    rule(
      'capability-is-lowest',
      'The capability model (load, schema, lint) imports only src/util.',
      { path: '^src/capability/', pathNot: NOT_TESTS },
      { path: '^src/(engine|exposes|server|cli|http|policies|openapi)/' },
    ),
    rule('http-below-surfaces', 'src/http is request plumbing: it imports only src/util.', { path: '^src/http/', pathNot: NOT_TESTS }, { path: '^src/(capability|engine|exposes|server|cli|policies|openapi)/' }),
    rule('engine-below-exposes', 'The engine runs invocations; it knows nothing of surfaces, listeners or the CLI.', { path: '^src/engine/', pathNot: NOT_TESTS }, { path: '^src/(exposes|server|cli|http)/' }),
    rule('exposes-below-server', 'Surfaces get what they need from src/http and their options, never from the server.', { path: '^src/exposes/', pathNot: NOT_TESTS }, { path: '^src/(server|cli)/' }),
    rule('server-below-cli', 'The server is a library the CLI drives.', { path: '^src/server/', pathNot: NOT_TESTS }, { path: '^src/cli/' }),
    rule('policies-below-server', 'Traffic policies are pipeline stages the server mounts; they never reach the server, the CLI or OpenAPI.', { path: '^src/policies/', pathNot: NOT_TESTS }, { path: '^src/(server|cli|openapi)/' }),
    rule('surfaces-and-engine-below-policies', 'Surfaces and engine run the stages they are given; they do not build policies.', { path: '^src/(exposes|engine)/', pathNot: NOT_TESTS }, { path: '^src/(policies|openapi)/' }),
    rule('openapi-beside-server', 'OpenAPI import/export reads the capability model only; the server and the CLI call it.', { path: '^src/openapi/', pathNot: NOT_TESTS }, { path: '^src/(engine|exposes|http|policies|server|cli)/' }),
    rule(
      'lint-internals-are-private',
      'Outside src/capability/lint, use the lint through its index (or the loader).',
      { path: '^src/', pathNot: ['^src/capability/lint/', NOT_TESTS] },
      { path: '^src/capability/lint/', pathNot: '^src/capability/lint/index\\.ts$' },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules|\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
