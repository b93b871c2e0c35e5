import { z } from "zod";

const NAME = /^[A-Za-z0-9._-]+$/;
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const pathKey = z.string().regex(PATH, "a dotted config path such as training.seed");

/** An override set: dotted config path (as `--set` takes it) → value; `preset` swaps the base preset. */
const overrides = z.record(pathKey, z.unknown());

/** The sweep file (YAML or JSON). */
export const sweepFileSchema = z
  .object({
    name: z
      .string()
      .regex(NAME, "letters, digits, '.', '_' or '-' only")
      .describe("the sweep's name: its folder and queue identity"),
    description: z.string().optional().describe("free text, shown in the report"),
    base: z
      .union([z.string().min(1), z.object({ preset: z.string().min(1).optional() }).loose()])
      .describe("the base run config: a config file path (relative to the sweep file), { preset: name }, or inline"),
    grid: z
      .record(pathKey, z.array(z.unknown()).min(1, "at least one value"))
      .optional()
      .describe("every combination of these values is a trial"),
    trials: z.array(overrides).min(1).optional().describe("explicit trials, each combined with every grid point"),
    output: z.string().min(1).optional().describe("parent folder of the sweep folder (default ./sweeps)"),
    parallel: z.number().int().positive().optional().describe("embedded mode: trials at a time"),
    threadsPerTrial: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe("CPU threads one trial uses (parallel = cores / this)"),
    retries: z.number().int().min(0).default(1).describe("extra attempts after a crashed trial"),
    plots: z.boolean().default(true).describe("per-run SVG/PNG plots (aflora train --no-plots when false)"),
  })
  .strict();

export type SweepFile = z.infer<typeof sweepFileSchema>;
