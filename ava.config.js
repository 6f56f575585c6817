import path from 'node:path';

/**
 * The order test files start in (ava runs as many at once as the machine has cores): the longest
 * first, so that no long file starts near the end and runs alone while the other workers are idle.
 * Longest measured on the 2-core machine: the 100,000-key listing comparison, then the integration
 * files below (1–2 min each); every other integration file (test/) next, and the short unit files
 * last, where they fill the gaps.
 */
const LONGEST_FIRST = [
  'src/meta/listing-backends.test.ts',
  'test/slow-clients.test.ts',
  'test/postgres.test.ts',
  'test/archive-multipart.test.ts',
  'test/repair-restart.test.ts',
  'test/repair-churn.test.ts',
  'test/dash.test.ts',
  'test/degraded.test.ts',
  'test/several-gateways.test.ts',
  'test/node-identity.test.ts',
  'test/sse-c.test.ts',
  'test/repair-heal.test.ts',
  'test/archive-browser.test.ts',
  'test/repair-reconcile.test.ts',
  'test/objects.test.ts',
];

function rank(file) {
  const relative = path.relative(process.cwd(), file).split(path.sep).join('/');
  const known = LONGEST_FIRST.indexOf(relative);
  if (known !== -1) return known;
  return relative.startsWith('test/') ? LONGEST_FIRST.length : LONGEST_FIRST.length + 1;
}

export default {
  files: [
    'src/**/*.test.ts',
    'gateway/**/*.test.ts',
    'shard-node/**/*.test.ts',
    'test/**/*.test.ts',
  ],
  extensions: {
    ts: 'module',
  },
  nodeArguments: [
    '--import=tsx',
  ],
  workerThreads: false,
  timeout: '3m',
  sortTestFiles: (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0),
};
