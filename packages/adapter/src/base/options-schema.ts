import { z } from "zod";

/** Options every method shares (camelCase forms of PEFT's LoraConfig fields), as a zod shape. */
export const sharedOptionsShape = {
  targetModules: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional()
    .describe(
      'PEFT target_modules: a full-match regex, a list of module names or suffixes, or "all-linear" (default: the architecture\'s six projections)',
    ),
  modulesToSave: z
    .array(z.string().min(1))
    .optional()
    .describe("modules trained in full next to the adapter (PEFT modules_to_save; default: the head)"),
  dropout: z.number().min(0).lt(1).default(0).describe("dropout on the adapter path's input (PEFT lora_dropout)"),
};
