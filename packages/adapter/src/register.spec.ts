import { existsSync, readFileSync, readdirSync } from "node:fs";
import { PluginRegistry, Rng, type AdapterFactory, type LoadedModel } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { adapterPlugins, register } from "./register.js";
import { useCpuBackend } from "../test/backend.js";
import { tinyModel } from "../test/tiny-model.js";

useCpuBackend();

/** Adapters need nothing from the DI container. */
const container = {} as Parameters<PluginRegistry["create"]>[2];

const loaded = { nameOrPath: null, taskType: "SEQ_CLS" } as unknown as LoadedModel;

describe("register", () => {
  it('registers lora, elora, aflora and full under kind "adapter"; create returns a validated factory', () => {
    const plugins = register(new PluginRegistry());
    expect(plugins.names("adapter")).toEqual(["aflora", "elora", "full", "lora"]);
    const factory = plugins.create<AdapterFactory>("adapter", { name: "aflora", r: 2 }, container);
    expect(factory.freezing).toBe(true);
    expect(plugins.create<AdapterFactory>("adapter", { name: "lora" }, container).freezing).toBe(false);
    const model = tinyModel();
    const before = model.params.names().length;
    const adapter = factory.apply(model as never, { rng: new Rng(0), loaded });
    // 12 adapted Linears × (A, B, λd, λb)
    expect(model.params.names().length - before).toBe(48);
    adapter.dispose();
    expect(model.params.names().length).toBe(before);
    model.dispose();
  });

  it("bad options: one error naming the config field", () => {
    const plugins = register(new PluginRegistry());
    expect(() => plugins.create("adapter", { name: "aflora", r: "4" }, container)).toThrow(
      /^adapter \(adapter "aflora"\): r: Invalid input: expected number, received string, got "4"$/,
    );
    expect(() => plugins.create("adapter", { name: "lora", trainablePm: "ffn" }, container)).toThrow(
      'adapter (adapter "lora"): trainablePm: unknown option',
    );
    expect(() => plugins.create("adapter", { name: "dora" }, container)).toThrow(
      'Unknown adapter "dora". Known adapter names: aflora, elora, full, lora.',
    );
  });

  it("every method has its folder (config.ts, method.ts, a spec) and a README section", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const name of Object.keys(adapterPlugins)) {
      const dir = new URL(`./${name}/`, import.meta.url);
      expect(existsSync(new URL("options.ts", dir))).toBe(true);
      expect(existsSync(new URL("plugin.ts", dir))).toBe(true);
      expect(readdirSync(dir).some((f) => f.endsWith(".spec.ts"))).toBe(true);
      expect(readme).toContain(`### \`${name}\``);
    }
  });
});
