/**
 * The architecture test (`npm run arch`, run by .ci/run): the folders of src/ and the arrows allowed
 * between them. A folder may import only the folders listed for it; since the list is an order
 * (every arrow points down), no two folders can import each other. `scripts/arch-graph.mjs` draws
 * the arrows that exist (docs/architecture.mmd, README) and fails when the picture drifts.
 */
const LAYERS = {
  // wiring (src/*.ts: main, app.module, app.factory) and cli/ (the admin CLI boots the app module)
  // may import anything; nothing in the folders below imports them
  profiles: [
    'provisioning',
    'auth',
    'healthcare-parties',
    'users',
    'groups',
    'credentials',
    'webhooks',
    'audit',
    'notifications',
    'metrics',
    'config',
    'common',
  ],
  health: ['config', 'common'],
  provisioning: [
    'auth',
    'healthcare-parties',
    'users',
    'groups',
    'credentials',
    'audit',
    'notifications',
    'metrics',
    'database',
    'config',
    'common',
  ],
  auth: ['users', 'groups', 'credentials', 'audit', 'metrics', 'database', 'config', 'common'],
  'healthcare-parties': ['users', 'groups', 'credentials', 'audit', 'database', 'config', 'common'],
  users: ['groups', 'credentials', 'audit', 'database', 'config', 'common'],
  credentials: ['audit', 'metrics', 'database', 'config', 'common'],
  groups: ['audit', 'database', 'config', 'common'],
  // webhooks deliver what the audit outbox holds; the domains record events and know no webhook
  webhooks: ['audit', 'database', 'config', 'common'],
  audit: ['database', 'config', 'common'],
  notifications: ['config', 'common'],
  metrics: ['config', 'common'],
  database: ['config', 'common'],
  config: ['common'],
  common: [],
};
const FOLDERS = Object.keys(LAYERS);
const DOMAINS = ['groups', 'credentials', 'users', 'healthcare-parties', 'audit', 'webhooks'];
/** The one file of database/ that knows the domains: TypeORM needs the entity classes when the data source is built. */
const ENTITY_REGISTRY = '^src/database/entities\\.ts$';

const layerRules = FOLDERS.map((folder) => {
  const denied = FOLDERS.filter((f) => f !== folder && !LAYERS[folder].includes(f));
  return {
    name: `${folder}-imports-only-below`,
    comment: `${folder}/ may import ${LAYERS[folder].join(', ') || 'no other folder'}`,
    severity: 'error',
    from: folder === 'database' ? { path: `^src/${folder}/`, pathNot: ENTITY_REGISTRY } : { path: `^src/${folder}/` },
    to: { path: [`^src/(${denied.join('|')})/`, '^src/[^/]+\\.ts$'] },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'entity-registry-lists-entities-only',
      comment: "database/entities.ts may import the domains' *.entity.ts files and nothing else of theirs",
      severity: 'error',
      from: { path: ENTITY_REGISTRY },
      to: { path: `^src/(${DOMAINS.join('|')})/`, pathNot: '\\.entity\\.ts$' },
    },
    {
      name: 'profiles-use-services-not-persistence',
      comment: 'profiles call core services; repositories and entities stay behind them',
      severity: 'error',
      from: { path: '^src/profiles/' },
      to: { path: ['\\.repository\\.ts$', '\\.entity\\.ts$', '^src/database/'] },
    },
    {
      name: 'profiles-are-independent',
      comment: 'a profile does not import another profile (shared HTTP helpers live in common/http)',
      severity: 'error',
      from: { path: '^src/profiles/([^/]+)/' },
      to: { path: '^src/profiles/', pathNot: ['^src/profiles/$1/'] },
    },
    {
      name: 'core-knows-no-profile',
      comment: 'nothing below the profiles imports them',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/profiles/', '^src/[^/]+\\.ts$'] },
      to: { path: '^src/profiles/' },
    },
    {
      name: 'no-module-cycles',
      comment: 'no file reaches itself through its imports',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'src-does-not-import-tests-or-scripts',
      comment: 'unit specs beside the code may use test helpers and scripts; the code itself may not',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^(test|scripts|bench)/' },
    },
    {
      name: 'no-unresolvable-imports',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    // type-only imports are arrows too (a profile that imports an entity's type depends on it)
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
