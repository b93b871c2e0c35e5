import { ConfigError } from "../config/config-error.js";

/** Flags of `aflora train` that say how to run, not what to train: allowed next to --resume. */
const RUN_ONLY_FLAGS = new Set(["resume", "plots", "quiet", "plugin", "trustRunImports", "profile"]);

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * A resumed run continues with the config saved in its folder: a config flag next to --resume would be silently
 * ignored (or, applied, would make the checkpoint inconsistent), so it is refused, naming the flag.
 */
export function refuseConfigFlagsOnResume(flags: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(flags)) {
    if (RUN_ONLY_FLAGS.has(key) || value === undefined) continue;
    const shown = key === "set" && Array.isArray(value) ? `--set ${String(value[0])}` : `--${kebab(key)}`;
    throw new ConfigError(`--resume continues the run as configured; ${shown} cannot change it`);
  }
}
