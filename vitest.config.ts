import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    // Worker processes, each running one file at a time: runCli's check that a command closed its
    // servers counts the handles of the process, which threads would share between files.
    pool: "forks",
    // Three workers on two cores: much of the suite waits (server latency, real processes, signals,
    // lock leases) rather than computes, and one worker per core left it at 74 s where three take 35.
    maxWorkers: 3,
    // Files share a worker's module cache instead of each starting a fresh one: the suite's CPU
    // time falls by two thirds. It holds because no test changes globals (process.env, timers,
    // vi.mock of a module); a test that must, restores them before it ends.
    isolate: false,
    restoreMocks: true,
    clearMocks: true,
    // Room for a loaded 2-core CI machine; no test comes near it alone.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
