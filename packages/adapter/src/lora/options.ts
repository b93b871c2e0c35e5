import { z } from "zod";
import { sharedOptionsShape } from "../base/options-schema.js";

export const loraOptions = z
  .object({
    r: z.number().int().positive().default(8).describe("rank of A (r × in) and B (out × r)"),
    alpha: z
      .number()
      .finite()
      .default(8)
      .describe("scaling numerator: the path is scaled by alpha / r (PEFT lora_alpha)"),
    ...sharedOptionsShape,
  })
  .strict();
