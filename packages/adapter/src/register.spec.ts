import { existsSync, readFileSync, readdirSync } from "node:fs";
import { PluginRegistry, Rng } from "@aflora/core";
import { describe, expect, it } from "vitest";
import { ADAPTER_METHODS } from "./methods.js";
import { registerAdapters, type AdapterFactory } from "./register.js";
import { useCpuBackend } from "../test/backend.js";
import { tinyModel } from "../test/tiny-model.js";

useCpuBackend();

/** Adapters need nothing from the DI container. */
const container = {} as Parameters<PluginRegistry["create"]>[2];

describe("registerAdapters", () => {
  it('registers lora, elora and aflora under kind "adapter"; create returns a validated factory', () => {
    const plugins = registerAdapters(new PluginRegistry());
    expect(plugins.names("adapter")).toEqual(["aflora", "elora", "lora"]);
    const factory = plugins.create<AdapterFactory>("adapter", { name: "aflora", r: 2 }, container);
    expect(factory.config).toMatchObject({ method: "aflora", r: 2, trainablePm: "ffn" });
    const model = tinyModel();
    const adapter = factory.apply(model, { rng: new Rng(0) });
    expect(adapter.modules.size).toBe(12);
    adapter.remove();
    model.dispose();
  });

  it("bad options: one error naming the config field", () => {
    const plugins = registerAdapters(new PluginRegistry());
    expect(() => plugins.create("adapter", { name: "aflora", r: "4" }, container)).toThrow('adapter (adapter "aflora"): r: expected a positive integer, got "4"');
    expect(() => plugins.create("adapter", { name: "lora", trainablePm: "ffn" }, container)).toThrow(/adapter \(adapter "lora"\): trainablePm: unknown option for lora/);
    expect(() => plugins.create("adapter", { name: "dora" }, container)).toThrow('Unknown adapter "dora". Known adapter names: aflora, elora, lora.');
  });

  it("every method has its folder (config.ts, method.ts, a spec) and a README section", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    for (const name of Object.keys(ADAPTER_METHODS)) {
      const dir = new URL(`./${name}/`, import.meta.url);
      expect(existsSync(new URL("config.ts", dir))).toBe(true);
      expect(existsSync(new URL("method.ts", dir))).toBe(true);
      expect(readdirSync(dir).some((f) => f.endsWith(".spec.ts"))).toBe(true);
      expect(readme).toContain(`### \`${name}\``);
    }
  });
});
