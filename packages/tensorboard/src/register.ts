import { definePlugin, type PluginRegistry } from "@aflora/core";
import { z } from "zod";
import { TensorBoardReporter } from "./tensorboard-reporter.js";

export const tensorboardReporterPlugin = definePlugin({
  kind: "reporter",
  name: "tensorboard",
  description: "TensorBoard event files (<run>/runs/events.out.tfevents.*) with Hugging Face Trainer tag names",
  package: "@aflora/tensorboard",
  options: z
    .object({
      logDir: z.string().min(1).default("runs").describe("folder of the event files, relative to the run folder"),
      heatmap: z.boolean().default(true).describe("write the freezing heatmap as an image at each evaluation"),
    })
    .strict(),
  create: (options) => new TensorBoardReporter(options),
});

/** Registers the `tensorboard` reporter (`report_to: ["tensorboard"]`). */
export function register(registry: PluginRegistry): void {
  registry.register(tensorboardReporterPlugin);
}
