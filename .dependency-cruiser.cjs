/** The layering of ARCHITECTURE.md, checked in `npm test`. */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'core holds the product rules as pure code: it imports nothing of ours and no I/O modules',
      severity: 'error',
      from: { path: '^packages/core/src' },
      to: { path: ['^packages/(server|sandbox|console)/', '^(node:)?(fs|net|http|https|child_process|dgram|worker_threads|cluster)$', 'node_modules/(better-sqlite3|pg|ioredis|bullmq|undici|fastify|kysely)/'] },
    },
    {
      name: 'sandbox-is-independent',
      comment: 'the sandbox is written from Meta\'s reference: if it shared our client\'s code, both could share one misunderstanding',
      severity: 'error',
      from: { path: '^packages/sandbox/src' },
      to: { path: '^packages/(server|core|console)/' },
    },
    {
      name: 'adapters-do-not-use-http',
      severity: 'error',
      from: { path: '^packages/server/src/adapters' },
      to: { path: '^packages/server/src/(http|cli|worker)/' },
    },
    {
      name: 'services-do-not-use-http-or-cli',
      severity: 'error',
      from: { path: '^packages/server/src/services' },
      to: { path: '^packages/server/src/(http|cli)/' },
    },
    {
      name: 'console-uses-only-core',
      severity: 'error',
      from: { path: '^packages/console/src' },
      to: { path: '^packages/(server|sandbox)/' },
    },
    {
      name: 'no-circular-core',
      severity: 'error',
      from: { path: '^packages/core/src' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['node_modules', 'dist', '\\.test\\.tsx?$'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
