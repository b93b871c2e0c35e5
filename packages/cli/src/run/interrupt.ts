/**
 * Ctrl-C handling for a training run: the first SIGINT (or SIGTERM) asks the trainer to stop
 * after the current step, which evaluates, saves a checkpoint and ends the run cleanly; a
 * second one exits at once (the last checkpoint still allows `--resume`).
 */
export function onInterrupt(
  stop: (signal: string) => void,
  log: (line: string) => void,
): { dispose(): void; readonly signal: string | null } {
  let signal: string | null = null;
  const handler = (s: NodeJS.Signals) => {
    if (signal) {
      log(`\n${s} again: exiting now; resume from the last checkpoint with --resume.`);
      process.exit(130);
    }
    signal = s;
    log(`\n${s}: finishing the current step, then saving a checkpoint (press Ctrl-C again to exit at once)…`);
    stop(s);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
    get signal() {
      return signal;
    },
  };
}
