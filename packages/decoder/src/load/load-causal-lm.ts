import { resolve } from "node:path";
import { resolveModelSource, type ResolveModelSourceOptions } from "@aflora/encoder";
import type { LlamaConfig } from "../config/llama-config.js";
import type { LlamaForCausalLM } from "../model/llama-for-causal-lm.js";
import { loadLlamaTokenizer } from "../tokenizer/load-llama-tokenizer.js";
import type { LlamaTokenizer } from "../tokenizer/llama-tokenizer.js";
import { loadLlama, type LoadLlamaOptions } from "./load-llama.js";

export interface LoadCausalLMOptions extends LoadLlamaOptions {
  /** Tokenizer folder when it is not the model folder. */
  tokenizer?: string;
  /** Hub revision of a hub id; the other hub options as @aflora/encoder's resolveModelSource. */
  revision?: string;
  hub?: Omit<ResolveModelSourceOptions, "revision">;
}

export interface LoadedCausalLM {
  model: LlamaForCausalLM;
  tokenizer: LlamaTokenizer;
  config: LlamaConfig;
  /** The local folder the weights came from. */
  folder: string;
}

/**
 * One call from a folder or Hub id to a ready model: `loadCausalLM("path/to/llama-7b")`
 * gives `{ model, tokenizer, config }`. A Hub id is fetched into the Hugging Face cache first.
 */
export async function loadCausalLM(folderOrHubId: string, options: LoadCausalLMOptions = {}): Promise<LoadedCausalLM> {
  const source = await resolveModelSource(folderOrHubId, {
    ...options.hub,
    ...(options.revision ? { revision: options.revision } : {}),
  });
  const model = await loadLlama(source.folder, options);
  try {
    const tokenizer = loadLlamaTokenizer(options.tokenizer ? resolve(options.tokenizer) : source.folder, {
      maxLength: model.config.maxPositionEmbeddings,
    });
    return { model, tokenizer, config: model.config, folder: source.folder };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
