import { existsSync, readFileSync } from "node:fs";
import { PluginRegistry, Tokens, type FreezingScorer } from "@aflora/core";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";
import { AfloraScorer } from "./aflora-scorer.js";
import { RandomScorer } from "./random-scorer.js";
import { registerScorers, scorerDefinitions } from "./register.js";

const registry = registerScorers(new PluginRegistry());
const create = (section: { name: string } & Record<string, unknown>) =>
  registry.create<FreezingScorer>("scorer", section, container.createChildContainer(), "freezing.scorer");

describe("registerScorers", () => {
  it("registers every scorer under kind scorer, selectable by name with validated options", () => {
    expect(registry.names("scorer")).toEqual([
      "aflora",
      "aflora-decoder",
      "grad-norm",
      "magnitude",
      "random",
      "sensitivity",
    ]);
    const a = create({ name: "aflora", beta1: 0.8, beta2: 0.9, deltaT: 5 });
    expect(a).toBeInstanceOf(AfloraScorer);
    expect(a.deltaT).toBe(5);
    expect(create({ name: "aflora", window: 4 }).deltaT).toBe(4);
    expect(create({ name: "aflora" }).deltaT).toBe(10);
  });

  it("refuses beta2 = 2 when the config is read, naming the field", () => {
    expect(() => create({ name: "aflora", beta2: 2 })).toThrow(
      /^freezing\.scorer \(scorer "aflora"\): beta2: 2 selects the authors' running-variance uncertainty/,
    );
    expect(() => create({ name: "sensitivity", beta2: 2 })).toThrow(/beta2/);
    expect((create({ name: "aflora", beta2: 1 }) as AfloraScorer).mode).toBe("none");
    expect((create({ name: "aflora", beta2: 1.5 }) as AfloraScorer).mode).toBe("window-deviation");
  });

  it("gives one clear error per bad option", () => {
    expect(() => create({ name: "aflora", beta1: 1 })).toThrow(
      'freezing.scorer (scorer "aflora"): beta1: Too big: expected number to be <1, got 1',
    );
    expect(() => create({ name: "aflora", deltaT: 2.5 })).toThrow(
      'freezing.scorer (scorer "aflora"): deltaT: Invalid input: expected int, received number, got 2.5',
    );
    expect(() => create({ name: "aflora", deltaT: 5, window: 6 })).toThrow(/given as 5 and as its alias window = 6/);
    expect(() => create({ name: "aflora", beta: 0.5 })).toThrow(
      "beta: unknown option (known options: beta1, beta2, deltaT, window)",
    );
    expect(() => create({ name: "magnitude", beta1: 0.5 })).toThrow("beta1: unknown option (known options: none)");
    expect(() => create({ name: "random", seed: -1 })).toThrow(/seed: Too small: expected number to be >=0, got -1/);
    expect(() => create({ name: "platon" })).toThrow(
      'Unknown scorer "platon". Known scorer names: aflora, aflora-decoder, grad-norm, magnitude, random, sensitivity.',
    );
  });

  it("seeds the random scorer from the run when no seed is given", () => {
    const c = container.createChildContainer();
    c.register(Tokens.RunInfo, {
      useValue: { runId: "r", totalSteps: 1, stepsPerEpoch: 1, epochs: 1, seed: 42, outputDir: null },
    });
    const s = registry.create<RandomScorer>("scorer", { name: "random" }, c);
    expect(s.seed).toBe(42);
  });

  // typescript-eslint style: every registered scorer has its own tests and a README entry.
  describe.each(Object.keys(scorerDefinitions))("scorer %s", (name) => {
    it("has a spec file and a README section", () => {
      expect(existsSync(new URL(`./${name}-scorer.spec.ts`, import.meta.url)), `src/${name}-scorer.spec.ts`).toBe(true);
      const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
      expect(readme).toContain(`### \`${name}\``);
      expect(scorerDefinitions[name as keyof typeof scorerDefinitions].description.length).toBeGreaterThan(20);
    });
  });
});
