import { z } from "zod";
import { createKernelProfiler, type KernelProfiler } from "./backend-kernel-profiler.js";
import { definePlugin, type PluginRegistry } from "./plugin-registry.js";
import type { PluginContext, TrainerPlugin } from "./trainer-plugin.js";

export const kernelProfilerOptions = z
  .object({
    steps: z.number().int().positive().default(5).describe("steps to record after the skipped ones"),
    skip: z.number().int().nonnegative().default(1).describe("first steps to leave out (warm-up)"),
    clock: z.enum(["wall", "cpu"]).default("wall").describe("wall time, or this process's CPU time (all threads)"),
  })
  .strict();

export type KernelProfilerPluginOptions = z.output<typeof kernelProfilerOptions>;

/**
 * `aflora train --profile`: times every kernel over the first steps and writes kernel-profile.md
 * and kernel-profile.json into the run folder (nothing for in-memory runs).
 */
export class KernelProfilerPlugin implements TrainerPlugin {
  readonly name = "kernel-profiler";
  private profiler: KernelProfiler | null = null;

  constructor(private readonly options: KernelProfilerPluginOptions) {}

  attach(ctx: PluginContext): () => void {
    const dir = ctx.run.outputDir;
    if (!dir) return () => undefined;
    this.profiler = createKernelProfiler(this.options);
    const sub = this.profiler.attach(ctx.events, dir);
    return () => sub.unsubscribe();
  }
}

/** Registers the "kernel-profiler" plugin (kind "plugin"). */
export function registerKernelProfiler(registry: PluginRegistry): void {
  registry.register(
    definePlugin({
      kind: "plugin",
      name: "kernel-profiler",
      description: "Per-kernel time of the first training steps, as a table in the run folder",
      package: "@aflora/core",
      options: kernelProfilerOptions,
      create: (o) => new KernelProfilerPlugin(o),
    }),
  );
}
