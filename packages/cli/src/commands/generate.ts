import { selectBackend } from "@aflora/core";
import { runGenerate } from "@aflora/decoder";
import { ConfigError } from "../config/config-error.js";

export interface GenerateFlags {
  model: string;
  adapter?: string;
  prompt?: string[];
  maxNewTokens?: string;
  cache?: boolean;
}

/** `aflora generate`: greedy decoding of a causal LM (with a run's adapter), one batch, KV cache, stop at EOS. */
export async function generateCommand(flags: GenerateFlags): Promise<void> {
  const maxNewTokens = flags.maxNewTokens === undefined ? 128 : Number(flags.maxNewTokens);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1)
    throw new ConfigError(`--max-new-tokens: expected a positive integer (got "${flags.maxNewTokens}")`);
  if (!flags.prompt?.length) throw new ConfigError("--prompt: give at least one prompt");
  // As for train: the fastest backend available, or the one AFLORA_BACKEND forces.
  await selectBackend("auto");
  const out = await runGenerate({
    model: flags.model,
    ...(flags.adapter ? { adapter: flags.adapter } : {}),
    prompts: flags.prompt,
    maxNewTokens,
    useCache: flags.cache !== false,
  });
  for (const g of out) process.stdout.write(`${JSON.stringify(g)}\n`);
}
