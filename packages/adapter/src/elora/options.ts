import { z } from "zod";
import { sharedOptionsShape } from "../base/options-schema.js";
import { MAX_ELORA_RANK } from "./config.js";

export const eloraOptions = z
  .object({
    r: z
      .number()
      .int()
      .positive()
      .max(MAX_ELORA_RANK)
      .default(1024)
      .describe("rank of the frozen random projections (the paper's ELoRA*: 1024)"),
    dInit: z.number().finite().default(0.1).describe("initial value of λd"),
    bInit: z.number().finite().default(0).describe("initial value of λb"),
    sharedProjection: z
      .boolean()
      .default(false)
      .describe(
        "one A/B pair for all modules, sliced per module as PEFT's VeRA (false: a pair per module, as the paper)",
      ),
    ...sharedOptionsShape,
  })
  .strict();
