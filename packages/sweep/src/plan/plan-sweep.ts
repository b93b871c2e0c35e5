import { dirname, resolve } from "node:path";
import { SweepError } from "../errors.js";
import { resolveBase } from "./base-config.js";
import { expandDataShorthand, mergeConfig, setPath } from "./merge.js";
import { readSweepFile } from "./read-sweep-file.js";
import type { SweepFile } from "./sweep-file.js";
import { trialId } from "./trial-id.js";

type Obj = Record<string, unknown>;

export interface TrialPlan {
  id: string;
  /** The sweep's choices for this trial (dotted path → value), e.g. `{ "training.seed": 1 }`. */
  overrides: Obj;
  /** The full run config the trial trains with (`aflora train --config`). */
  config: Obj;
}

export interface SweepPlan {
  name: string;
  description?: string;
  /** Absolute path of the sweep file. */
  file: string;
  /** `<output>/<name>`: run folders and sweep.json. */
  dir: string;
  /** Working directory of every trial (the sweep file's folder: relative data paths resolve there). */
  cwd: string;
  trials: TrialPlan[];
  settings: Pick<SweepFile, "parallel" | "threadsPerTrial" | "retries" | "plots">;
}

export interface PlanOptions {
  /** Parent folder of the sweep folder; default: the file's `output`, else ./sweeps. */
  output?: string;
  /** The CLI's presets folder (packages/cli/presets). */
  presetsDir: string;
}

/** Every combination of the grid's values, in file order (the last key varies fastest). */
export function gridPoints(grid: Record<string, unknown[]> | undefined): Obj[] {
  let points: Obj[] = [{}];
  for (const [path, values] of Object.entries(grid ?? {})) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [path]: v })));
  }
  return points;
}

/** Expands a sweep file into its trials: `trials` × grid points, each merged onto the base like `--set`. */
export function planSweep(path: string, o: PlanOptions): SweepPlan {
  const file = resolve(path);
  const sweep = readSweepFile(file);
  const outputParent = o.output ? resolve(o.output) : resolve(dirname(file), sweep.output ?? "sweeps");
  const dir = resolve(outputParent, sweep.name);
  const basePreset = typeof sweep.base === "object" ? sweep.base.preset : undefined;
  const bases = new Map<string | undefined, Obj>();
  const baseFor = (preset: unknown): Obj => {
    if (preset !== undefined && typeof preset !== "string")
      throw new SweepError(`${file}: preset: expected a preset name`);
    const key = (preset as string | undefined) ?? basePreset;
    if (!bases.has(key))
      bases.set(
        key,
        resolveBase(sweep.base, { sweepFile: file, presetsDir: o.presetsDir, ...(key ? { preset: key } : {}) }),
      );
    return bases.get(key)!;
  };
  const trials: TrialPlan[] = [];
  const seen = new Set<string>();
  for (const extra of sweep.trials ?? [{}]) {
    for (const point of gridPoints(sweep.grid)) {
      const overrides: Obj = { ...extra, ...point };
      const { preset, ...paths } = overrides;
      const layer: Obj = {};
      for (const [p, v] of Object.entries(paths)) setPath(layer, p, p === "data" ? expandDataShorthand(v) : v);
      const config = mergeConfig(baseFor(preset), layer, { output: dir });
      const id = trialId(sweep.name, config);
      config.name = id;
      if (seen.has(id)) continue; // two spellings of one config are one trial
      seen.add(id);
      trials.push({ id, overrides, config });
    }
  }
  return {
    name: sweep.name,
    ...(sweep.description ? { description: sweep.description } : {}),
    file,
    dir,
    cwd: dirname(file),
    trials,
    settings: {
      parallel: sweep.parallel,
      threadsPerTrial: sweep.threadsPerTrial,
      retries: sweep.retries,
      plots: sweep.plots,
    },
  };
}
