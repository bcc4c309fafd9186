/** What a command gets from main.ts: its arguments and the process's I/O, injectable for tests. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  /** The terminal's width, when stdout is one. */
  readonly columns?: number;
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Asks a question on the terminal; absent when there is none. Rejects with InterruptedError on Ctrl-C. */
  prompt?: (question: string) => Promise<string>;
  /** Aborted on the first SIGINT or SIGTERM: stop starting changes, finish up, release the lock. */
  readonly signal?: AbortSignal;
}

export interface CommandContext {
  readonly io: CommandIo;
  readonly paths: readonly string[];
  readonly flags: Readonly<Record<string, string | boolean | string[] | undefined>>;
}

export interface CommandResult {
  readonly exitCode: number;
}
