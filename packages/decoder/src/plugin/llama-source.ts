import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadedModel, ModelLoadContext, ModelSource } from "@aflora/core";
import { saveModelFolder } from "@aflora/encoder";
import type { CausalLMBatch } from "../model/causal-lm-batch.js";
import { loadCausalLM } from "../load/load-causal-lm.js";

export interface LlamaSourceOptions {
  /** A Hugging Face LlamaForCausalLM folder or hub id. */
  path: string;
  tokenizer?: string | undefined;
  revision?: string | undefined;
  recompute?: boolean | "auto";
}

/** `path: "demo"`: the tiny random LLaMA shipped in assets/ (the decoder demo's model). */
export const DEMO_LLAMA_DIR = fileURLToPath(new URL("../../assets/llama-tiny-demo/", import.meta.url));

/** The "llama" model plugin's source: loads the folder once the run starts. */
export class LlamaSource implements ModelSource<CausalLMBatch> {
  readonly nameOrPath: string | null;

  constructor(private readonly o: LlamaSourceOptions) {
    this.nameOrPath = o.path === "demo" ? null : o.path;
  }

  async load(ctx: ModelLoadContext): Promise<LoadedModel<CausalLMBatch>> {
    let loaded;
    try {
      loaded = await loadCausalLM(this.o.path === "demo" ? DEMO_LLAMA_DIR : this.o.path, {
        warn: (message) => ctx.warn(message),
        recompute: this.o.recompute ?? "auto",
        ...(this.o.tokenizer ? { tokenizer: this.o.tokenizer } : {}),
        ...(this.o.revision ? { revision: this.o.revision } : {}),
      });
    } catch (e) {
      throw new Error(`model.path: ${(e as Error).message}`);
    }
    const { model, tokenizer, folder } = loaded;
    const raw = JSON.parse(readFileSync(join(folder, "config.json"), "utf8")) as Record<string, unknown>;
    return {
      model,
      tokenizer,
      modelConfig: raw,
      origin: folder,
      randomInit: this.o.path === "demo",
      nameOrPath: this.nameOrPath,
      taskType: "CAUSAL_LM",
      save: (dir) => saveModelFolder(model.params, raw, dir),
    };
  }
}
