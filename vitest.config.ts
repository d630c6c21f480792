import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Four tiers. `unit` is the pure core: no Java, no emulators, seconds (`npm run test:unit`). The others run
// the handlers, the whole runner and the CDK app; the emulators start once, for them only.
const emulators = { globalSetup: ['test/support/global-setup.ts'], setupFiles: ['test/support/setup.ts'] };

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Files run side by side even on 2 cores: most integration time is waiting (pollers, retries, visibility
    // timeouts), and each file has its own table and queues. Vitest's default on 2 cores is one at a time.
    maxWorkers: Math.max(2, availableParallelism()),
    reporters: ['default', ['json', { outputFile: '.leadpipe/test-results.json' }]],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_DEV: 'false',
    },
    projects: [
      // The pure core holds no state between files, so one process serves them all: imports once, not per file.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], ...emulators },
      },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], ...emulators } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'] } },
    ],
  },
});
