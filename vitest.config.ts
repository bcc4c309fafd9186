import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // One process per test file: runCli's check that a command closed its servers counts the
    // handles of the process, which threads would share between files.
    pool: "forks",
    restoreMocks: true,
    clearMocks: true,
    // Room for a loaded 2-core CI machine; no test comes near it alone.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
