import { join } from "node:path";
import type { AdapterApplyContext, AdapterFactory, RunAdapter, TrainableModel } from "@aflora/core";
import type { AdaptableModel } from "../base/adaptable-model.js";
import { applyAdapter } from "../apply/apply.js";
import type { AdapterConfig } from "../methods.js";
import { saveAdapter } from "../peft/save.js";

/** The run folder's subfolder an adapter is saved to (PEFT layout). */
export const ADAPTER_DIR = "adapter";

/**
 * DeBERTa-v2/v3 checkpoints ship no `pooler.dense` (Transformers draws it at random on load, and
 * it stays frozen under PEFT), so the adapter folder must carry it or a reloaded model has
 * another pooler. BERT's pooler is in its checkpoint (`bert.pooler.*`) and needs no copy.
 */
export function modulesToCarry(model: AdaptableModel): string[] {
  return model.params.has("pooler.dense.weight") ? ["pooler"] : [];
}

/** A low-rank method (LoRA, ELoRA, AFLoRA) as a run's adapter: applied to the model's Linears, saved in PEFT layout. */
export function lowRankFactory(config: AdapterConfig, freezing: boolean): AdapterFactory {
  return {
    freezing,
    apply(model: TrainableModel<unknown>, ctx: AdapterApplyContext): RunAdapter {
      const adaptable = model as unknown as AdaptableModel;
      const applied = applyAdapter(adaptable, config, { rng: ctx.rng });
      return {
        save: (runDir) =>
          saveAdapter(applied, join(runDir, ADAPTER_DIR), {
            baseModelNameOrPath: ctx.loaded.nameOrPath,
            taskType: ctx.loaded.taskType,
            alsoSave: modulesToCarry(adaptable),
          }),
        dispose: () => applied.remove(),
      };
    },
  };
}
