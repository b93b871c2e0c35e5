import { join } from "node:path";
import { definePlugin, type AdapterFactory } from "@aflora/core";
import { fullOptions } from "./options.js";

/** The run folder's subfolder a fully fine-tuned model is saved to (a Hugging Face model folder). */
export const MODEL_DIR = "model";

/** Full fine-tuning: every base parameter trains; the result is a whole Hugging Face model folder. */
export const fullPlugin = definePlugin({
  kind: "adapter",
  name: "full",
  description:
    "Full fine-tuning: every pre-trained parameter trains (no adapter); saved as a Hugging Face model folder",
  package: "@aflora/adapter",
  options: fullOptions,
  create: (): AdapterFactory => ({
    freezing: false,
    apply(model, ctx) {
      const base = model.params.names({ group: "base" });
      model.params.unfreeze(base);
      return {
        save: async (runDir) => ctx.loaded.save(join(runDir, MODEL_DIR)),
        dispose: () => void model.params.freeze(base, "full fine-tuning undone"),
      };
    },
  }),
});
