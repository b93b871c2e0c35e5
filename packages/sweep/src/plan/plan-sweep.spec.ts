import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { CLI_PRESETS, FAKE_PRESETS, scratch, writeFile } from "../../test/helpers.js";
import { gridPoints, planSweep } from "./plan-sweep.js";
import { canonicalJson, trialId } from "./trial-id.js";

const ISSUE_YAML = `name: demo-seeds
base: { preset: demo }
grid:
  training.seed: [1, 2, 3]
  training.maxSteps: [8]
`;

describe("planSweep", () => {
  it("expands the issue's sweep file over the demo preset into 3 trials, one per seed", () => {
    const dir = scratch();
    const plan = planSweep(writeFile(dir, "demo.yaml", ISSUE_YAML), { presetsDir: CLI_PRESETS });
    expect(plan.name).toBe("demo-seeds");
    expect(plan.dir).toBe(join(dir, "sweeps", "demo-seeds"));
    expect(plan.trials.map((t) => t.overrides)).toEqual([
      { "training.seed": 1, "training.maxSteps": 8 },
      { "training.seed": 2, "training.maxSteps": 8 },
      { "training.seed": 3, "training.maxSteps": 8 },
    ]);
    const c = plan.trials[1]!.config as {
      training: Record<string, unknown>;
      model: string;
      output: string;
      name: string;
    };
    // The demo preset with the two fields set, written into the sweep folder under the trial's id.
    expect(c.model).toBe("demo");
    expect(c.training.seed).toBe(2);
    expect(c.training.maxSteps).toBe(8);
    expect(c.training.batchSize).toBe(32);
    expect(c.output).toBe(plan.dir);
    expect(c.name).toBe(plan.trials[1]!.id);
    expect("$comment" in c).toBe(false);
    expect(new Set(plan.trials.map((t) => t.id)).size).toBe(3);
    expect(plan.trials.every((t) => /^[a-p][0-9a-f]{11}$/.test(t.id))).toBe(true);
  });

  it("gives the same ids on every run, whatever the key order, and other ids for other configs", () => {
    const dir = scratch();
    const a = planSweep(writeFile(dir, "a.yaml", ISSUE_YAML), { presetsDir: CLI_PRESETS });
    const b = planSweep(
      writeFile(
        dir,
        "b.json",
        JSON.stringify({
          grid: { "training.maxSteps": [8], "training.seed": [3, 2, 1] },
          base: { preset: "demo" },
          name: "demo-seeds",
        }),
      ),
      { presetsDir: CLI_PRESETS, output: join(dir, "elsewhere") },
    );
    expect(b.trials.map((t) => t.id).sort()).toEqual(a.trials.map((t) => t.id).sort());
    const c = planSweep(writeFile(dir, "c.yaml", ISSUE_YAML.replace("[8]", "[9]")), { presetsDir: CLI_PRESETS });
    expect(c.trials.some((t) => a.trials.some((x) => x.id === t.id))).toBe(false);
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(trialId("s", { x: 1, output: "/a" })).toBe(trialId("s", { x: 1, output: "/b" }));
    expect(trialId("s", { x: 1 })).not.toBe(trialId("t", { x: 1 }));
  });

  it("applies overrides as --set does: a renamed plugin section is replaced, data shorthands expand", () => {
    const dir = scratch();
    const file = writeFile(
      dir,
      "s.yaml",
      `name: ablation
base: { preset: tiny, training: { lr: 0.02 } }
trials:
  - { scorer.name: magnitude }
  - { data.maxTrainExamples: 10 }
grid:
  training.seed: [1, 2]
`,
    );
    const plan = planSweep(file, { presetsDir: FAKE_PRESETS });
    expect(plan.trials).toHaveLength(4);
    const first = plan.trials[0]!.config as Record<string, any>;
    expect(first.scorer).toEqual({ name: "magnitude" });
    expect(first.training.lr).toBe(0.02);
    const third = plan.trials[2]!.config as Record<string, any>;
    expect(third.data).toEqual({ name: "glue/rte", maxTrainExamples: 10 });
    expect(third.scorer).toEqual({ name: "aflora", beta1: 0.85 });
  });

  it("reads a base config file relative to the sweep file, with its own preset, and a preset per trial", () => {
    const dir = scratch();
    writeFile(dir, "base.yaml", "preset: tiny\nimports: [./plugin.js]\ntraining:\n  lr: 0.05\n");
    const plan = planSweep(
      writeFile(dir, "s.yaml", "name: p\nbase: base.yaml\ngrid:\n  preset: [tiny]\n  adapter.name: [lora]\n"),
      { presetsDir: FAKE_PRESETS },
    );
    const c = plan.trials[0]!.config as Record<string, any>;
    expect(c.training.lr).toBe(0.05);
    expect(c.adapter).toEqual({ name: "lora" });
    expect(c.imports).toEqual([join(dir, "plugin.js")]);
  });

  it("crosses grid values in file order", () => {
    expect(gridPoints({ a: [1, 2], b: ["x", "y"] })).toEqual([
      { a: 1, b: "x" },
      { a: 1, b: "y" },
      { a: 2, b: "x" },
      { a: 2, b: "y" },
    ]);
  });

  it("names the file, line and field of a bad sweep file", () => {
    const dir = scratch();
    const bad = (name: string, text: string) => () =>
      planSweep(writeFile(dir, name, text), { presetsDir: FAKE_PRESETS });
    expect(bad("1.yaml", "name: x\nbase: { preset: tiny }\ngrid:\n  training.seed: 3\n")).toThrow(
      /1\.yaml:4: grid\.training\.seed: .*array/,
    );
    expect(bad("2.yaml", "name: x y\nbase: tiny.yaml\ngrid: { a: [1] }\n")).toThrow(/2\.yaml:1: name: letters, digits/);
    expect(bad("3.yaml", "name: x\nbase: { preset: tiny }\n")).toThrow(/3\.yaml: give a grid and\/or a trials list/);
    expect(bad("4.yaml", "name: x\nbase: { preset: nope }\ngrid: { a: [1] }\n")).toThrow(
      /4\.yaml: base: preset "nope" not found/,
    );
    expect(bad("5.yaml", "name: x\nbase: { preset: tiny }\ngird: { a: [1] }\n")).toThrow(
      /5\.yaml:1: \(top level\): .*gird/,
    );
    expect(bad("6.yaml", "name: x\nbase: [\n")).toThrow(/6\.yaml:\d+: /);
    expect(bad("7.yaml", "name: x\nbase: { preset: tiny }\ngrid: { 'training..seed': [1] }\n")).toThrow(
      /7\.yaml:3: grid\.training\.\.seed: invalid key, expected a dotted config path/,
    );
    expect(() => planSweep(join(dir, "missing.yaml"), { presetsDir: FAKE_PRESETS })).toThrow(
      /missing\.yaml: sweep file not found/,
    );
  });
});
