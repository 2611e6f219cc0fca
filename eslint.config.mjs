import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // bench/flow-floor: a recorded measurement (plain Node scripts and AssemblyScript), kept to rerun, not product code.
  { ignores: ['node_modules/', 'cdk.out/', '.trailhound/', 'coverage/', 'console/dist/', '.scratch/', '*.js', '*.mjs', 'bench/flow-floor/', 'lambdas/core/flowlogs/wasm/as/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // Ports and adapters: the core is pure (no AWS SDK, no I/O, nothing from the layers around it).
    files: ['lambdas/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', '@smithy/*', 'aws-cdk-lib', 'aws-cdk-lib/*', '@middy/*'], message: 'lambdas/core is pure: no AWS SDK or CDK; put I/O in lambdas/adapters.' },
            // Every core module sits one folder below lambdas/core: `../../<layer>` leaves the core (data/ may be read).
            {
              group: ['adapters', 'queries', 'shared', 'ingest-cloudtrail', 'compact-hour', 'investigation-stages', 'api', 'guardduty-trigger', 'backfill'].map((layer) => `../../${layer}/*`).concat(['../../../local/*', '../../../lib/*', '../../../bin/*']),
              message: 'lambdas/core must not depend on the layers around it (adapters, queries, shared, handlers).',
            },
            { group: ['node:fs', 'node:http', 'node:https', 'node:net', 'fs', 'http', 'https', 'net'], message: 'lambdas/core does no I/O.' },
          ],
        },
      ],
    },
  },
);
