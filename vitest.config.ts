import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The chaos file (the fault run, then the kill-and-restart run: about 3 minutes) starts first, so that the other
 * files fill the second worker meanwhile instead of the run ending on it alone. Vitest otherwise orders a fresh
 * clone's files by size, and this small file came last.
 */
class ChaosFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const chaos = (f: TestSpecification) => f.moduleId.endsWith('/chaos.test.ts');
    return [...sorted.filter(chaos), ...sorted.filter((f) => !chaos(f))];
  }
}

// Four tiers. `unit` is the pure core: no Java, no emulators, seconds (`npm run test:unit`). The others run
// the handlers, the whole runner and the CDK app; the emulators start once, for them only.
const emulators = { globalSetup: ['test/support/global-setup.ts'], setupFiles: ['test/support/setup.ts'] };

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Files run two at a time even on 2 cores (Vitest's default there is one): each has its own table and queues,
    // and a file waiting on a poller or a retry leaves the CPU to the other. A run uses about 160% of 200%.
    maxWorkers: Math.max(2, availableParallelism()),
    sequence: { sequencer: ChaosFirst },
    reporters: ['default', ['json', { outputFile: '.leadpipe/test-results.json' }]],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_DEV: 'false',
    },
    projects: [
      // The pure core holds no state between files, so one process serves them all: imports once, not per file.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      // Each integration file makes its own table, queues and pipeline and sets no environment, so its files share
      // a worker's loaded modules too: the SDK, the handlers and the runner load once a worker, not once a file.
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          isolate: false,
          ...emulators,
        },
      },
      // Nor do the browser, runner and CDK files. aws-cdk-lib loads its modules on first use, inside the first
      // synthesis: shared, the infra tier takes 24 s instead of 31 s.
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], isolate: false, ...emulators },
      },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], isolate: false } },
    ],
  },
});
