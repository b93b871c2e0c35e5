import { readFileSync } from "node:fs";
import { register as registerAdapters } from "@aflora/adapter";
import { PluginRegistry } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { useBackend } from "../test/backend.js";
import { runGenerate } from "./generate/generate-command.js";
import { llamaWeightBytes } from "./load/load-llama.js";
import { readLlamaConfig } from "./config/llama-config.js";
import { LLAMA_7B_CONFIG, llamaParamsReport } from "./params/llama-params.js";
import { llamaModel } from "./plugin/register.js";

const repo = new URL("../../../", import.meta.url);
const doc = readFileSync(new URL("docs/decoders.md", repo), "utf8");
/** This package's sections of docs/decoders.md (the others are checked by their own packages). */
const ours = doc.slice(doc.indexOf("## Model"), doc.indexOf("## Instruction data"));
const blocks = (lang: string) =>
  [...ours.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!.trim());

/** Splits a shell line into words as bash does for plain and double-quoted words (no escapes are expanded). */
function words(line: string): string[] {
  return [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1] : m[2]!));
}

describe("docs/decoders.md (the @aflora/decoder sections)", () => {
  useBackend("wasm");

  it("has its sections before the instruction-data ones", () => {
    expect(ours).toMatch(/^## Model[\s\S]*## Loading[\s\S]*## Memory for LLaMA-7B[\s\S]*## Generation[\s\S]*## Parity/);
  });

  it("shows an adapter config and a model config that the plugins' schemas accept", () => {
    const [adapter, model] = blocks("json").map((b) => JSON.parse(b) as Record<string, unknown>);
    const plugins = registerAdapters(new PluginRegistry());
    const { name, ...options } = adapter as { name: string };
    expect(plugins.get("adapter", name).options!.safeParse(options).success).toBe(true);
    const { name: modelName, ...modelOptions } = (model as { model: { name: string } }).model;
    expect(modelName).toBe(llamaModel.name);
    expect(llamaModel.options!.safeParse(modelOptions).success).toBe(true);
  });

  it("states LLaMA-7B's parameter counts and memory as computed", () => {
    const lora = llamaParamsReport({ ...LLAMA_7B_CONFIG }, { method: "lora" });
    const aflora = llamaParamsReport({ ...LLAMA_7B_CONFIG }, { method: "aflora" });
    const fmt = (n: number) => n.toLocaleString("en-US");
    expect(ours).toContain(`| LLaMA-7B base | ${fmt(lora.base)} |`);
    expect(ours).toContain(`| LoRA r = 32 (A and B) | ${fmt(lora.adapter.total)} |`);
    expect(ours).toContain(
      `| AFLoRA r = 32 (A, B, λd, λb) | ${fmt(aflora.adapter.total)}, of which ${fmt(aflora.adapter.trainableAfterFreezing)} are λ vectors`,
    );
    const bytes = llamaWeightBytes(readLlamaConfig({ ...LLAMA_7B_CONFIG }));
    expect(ours).toContain(
      `| ${(bytes / 1e9).toFixed(2)} GB (${(bytes / 1024 ** 3).toFixed(1)} GiB) | ${(bytes / 2e9).toFixed(2)} GB (${(bytes / 2 / 1024 ** 3).toFixed(1)} GiB) |`,
    );
    // Adapter weights, AdamW's two moments and the gradients, float32.
    expect(ours).toContain(`| ${((aflora.adapter.total * 4 * 4) / 1e9).toFixed(2)} GB | same |`);
  });

  it("runs the aflora generate line it shows", async () => {
    const line = blocks("sh").find((b) => b.startsWith("aflora generate"))!;
    const argv = words(line).slice(2);
    const flag = (name: string) => argv[argv.indexOf(name) + 1]!;
    const out = await runGenerate({
      model: new URL(flag("--model"), repo).pathname,
      prompts: [flag("--prompt")],
      maxNewTokens: Number(flag("--max-new-tokens")),
    });
    expect(out).toHaveLength(1);
    expect(out[0]!.tokens.length).toBeGreaterThan(0);
    expect(out[0]!.tokens.length).toBeLessThanOrEqual(8);
  });

  it("names the package's repro target that the suite runs", () => {
    expect(blocks("sh")).toContain("npx nx run @aflora/decoder:repro");
    const pkg = JSON.parse(readFileSync(new URL("packages/decoder/package.json", repo), "utf8"));
    expect(pkg.scripts.repro).toMatch(/^node dist\/repro\/main\.js /);
    expect(pkg.nx.targets.repro.dependsOn).toContain("build");
  });
});
