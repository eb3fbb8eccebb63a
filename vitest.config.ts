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
      },
    })),
);

export default defineConfig({
  test: {
    passWithNoTests: true,
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
