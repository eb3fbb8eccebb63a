import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace package: unit tests sit beside the code
// (src/**/*.test.ts) and run from source; cross-package and real-service
// tests live in test/.
const groups = ['packages', 'services', 'simulators'];
const unitProjects = groups.flatMap((group) =>
  readdirSync(group, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(`${group}/${entry.name}/package.json`))
    .map((entry) => ({
      extends: true as const,
      test: {
        name: entry.name,
        root: `${group}/${entry.name}`,
        include: ['src/**/*.test.ts'],
        // A hang guard, not a speed limit: some unit suites simulate minutes of running and share 2 cores with
        // the real-service suites (vitest's 5 s default failed one under that load).
        testTimeout: 30_000,
      },
    })),
);

export default defineConfig({
  test: {
    passWithNoTests: true,
    // vitest's default is one worker fewer than the cores: on a 2-core CI box that runs every file one after
    // the other, although most real-service tests spend their time waiting on simulated runners in real time.
    // Three files at once overlap those waits (the whole suite 12 -> 6 min here); CPU-bound suites still share 2 cores.
    maxWorkers: 3,
    projects: [
      ...unitProjects,
      {
        extends: true,
        test: {
          name: 'integration',
          root: 'test',
          include: ['**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
