import { definePlugin, type FreezingScorer, type PluginDefinition } from "@aflora/core";
import { z } from "zod";
import { AFLORA_DECODER_SCORER_DEFAULTS, AfloraDecoderScorer } from "./aflora-decoder-scorer.js";

const d = AFLORA_DECODER_SCORER_DEFAULTS;

/** The decoder variant's scorer by name ("aflora-decoder"); register with `registry.register(def)`. */
export const afloraDecoderScorerDefinition = definePlugin({
  kind: "scorer",
  name: "aflora-decoder",
  description:
    "AFLoRA's score as the authors' LLaMA (gsm8k) code computes it: windowed |sign(θ)·∇θ|, EMAs β1/β2, per-matrix guard against NaN/Inf gradients.",
  package: "@aflora/scorer",
  options: z
    .object({
      beta1: z
        .number()
        .min(0)
        .lt(1)
        .default(d.beta1)
        .describe("EMA factor of the smoothed sensitivity Ī (authors: 0.85)"),
      beta2: z
        .number()
        .refine(Number.isFinite, "expected a finite number")
        .default(d.beta2)
        .describe(
          "uncertainty factor: (0,1) EMA (authors: 0.95); 1 Ī alone; 2 running variance, Ī·√Ū; other: Ī·|ipt − Ī|",
        ),
      deltaT: z.number().int().min(1).default(d.deltaT).describe("window length ΔT in optimizer steps (authors: 10)"),
    })
    .strict(),
  create: (o): FreezingScorer => new AfloraDecoderScorer(o),
});

/** Every decoder-variant scorer definition, for the package's `register(registry)`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of definitions with different options types
export const decoderScorerDefinitions: readonly PluginDefinition<FreezingScorer, any>[] = [
  afloraDecoderScorerDefinition,
];
