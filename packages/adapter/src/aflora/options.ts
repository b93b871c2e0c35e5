import { z } from "zod";
import { sharedOptionsShape } from "../base/options-schema.js";
import { MAX_ELORA_RANK } from "../elora/config.js";
import { TRAINABLE_PM } from "./config.js";

export const afloraOptions = z
  .object({
    r: z.number().int().positive().max(MAX_ELORA_RANK).default(4).describe("rank of the projection matrices A and B"),
    dInit: z.number().finite().default(0.1).describe("initial value of the feature-transform vector λd"),
    bInit: z.number().finite().default(0).describe("initial value of the feature-transform vector λb"),
    scaling: z
      .number()
      .finite()
      .default(1)
      .describe("factor on the path (the authors' GLUE code: 1; decoders: alpha / r)"),
    trainablePm: z
      .enum(TRAINABLE_PM)
      .default("ffn")
      .describe("projection matrices trainable at the start: ffn (the authors'), attention, all or none"),
    ...sharedOptionsShape,
  })
  .strict();
