import { defineConfig } from "vitest/config";

// End-to-end tests run the BUILT command (packages/cli/bin/aflora.js → dist/) in fresh
// processes, as a user would. No "@aflora/source" condition here: anything a test imports
// from @aflora/* resolves to dist/, like Node at run time. `npm test` builds first.
export default defineConfig({
  root: new URL("..", import.meta.url).pathname,
  test: {
    environment: "node",
    include: ["e2e/**/*.spec.ts"],
    globalSetup: [new URL("../tools/vitest/temp-root.ts", import.meta.url).pathname],
    pool: "forks",
    // The specs share 2 cores; each one trains in a child process.
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
