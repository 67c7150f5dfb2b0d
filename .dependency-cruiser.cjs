// The folders of src/ in dependency order, lowest first: a folder may import its own tier and the
// tiers before it, never a later one, so no two tiers can form a cycle. A tier of two folders
// is a knot by design (named below); everything else is one folder per tier.
// Checked by test/architecture/dependencies.test.ts on the compiled code (`npm test`), and by
// `npm run deps`; docs/architecture.md explains the order.
const TIERS = [
  // The tensor asks the registry for the active backend; the backend contract speaks core's dtypes.
  ['core', 'backend'],
  ['backends'],
  // Primitives record on the tape; the gradient driver sums gradients with primitives.
  ['autograd', 'ops'],
  ['activations'],
  ['initializers'],
  ['regularizers'],
  ['constraints'],
  ['losses'],
  ['metrics'],
  ['optimizers'],
  ['data'],
  ['text'],
  ['layers'],
  // The trainer is written against its TrainableModel interface, not the model classes.
  ['training'],
  // io rebuilds models through the layer registry (where the model classes register).
  ['io'],
  // Model classes carry compile/fit (training) and save (io).
  ['models'],
  ['callbacks'],
  // src/index.ts, the public API, then the command built on it.
  ['index'],
  ['cli'],
];

const ROOT = '^(?:dist/)?src/';
const FOLDERS = TIERS.flat().filter((f) => f !== 'index');
const pathOf = (folder) => (folder === 'index' ? `${ROOT}index\\.[jt]s$` : `${ROOT}${folder}/`);
const anyOf = (folders) => folders.map(pathOf).join('|');

const orderRules = TIERS.flatMap((tier, i) => {
  const later = TIERS.slice(i + 1).flat();
  if (later.length === 0) return [];
  return tier.map((folder) => ({
    name: `order-${folder}`,
    comment: `${folder} may not import ${later.join(', ')} (order: ${TIERS.map((t) => t.join('+')).join(' < ')})`,
    severity: 'error',
    from: { path: pathOf(folder) },
    to: { path: anyOf(later) },
  }));
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...orderRules,
    {
      name: 'folder-in-order',
      comment: `every folder of src/ has a place in the order (.dependency-cruiser.cjs TIERS: ${FOLDERS.join(', ')})`,
      severity: 'error',
      from: { path: `${ROOT}[^/]+/`, pathNot: anyOf(FOLDERS) },
      to: {},
    },
    {
      name: 'folder-in-order-target',
      comment: `every folder of src/ has a place in the order (.dependency-cruiser.cjs TIERS: ${FOLDERS.join(', ')})`,
      severity: 'error',
      from: {},
      to: { path: `${ROOT}[^/]+/`, pathNot: `${anyOf(FOLDERS)}|node_modules` },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$|\\.map$' },
    moduleSystems: ['es6'],
  },
};
// For the test that every folder has a place (not a configuration key, so not enumerable).
Object.defineProperty(module.exports, 'tiers', { value: TIERS, enumerable: false });
