import { readFileSync } from "node:fs";
import { PluginRegistry } from "@aflora/core";
import { decoderScorerDefinitions } from "@aflora/scorer";
import { decoderScheduleDefinitions } from "@aflora/scheduler";
import { describe, expect, it } from "vitest";
import { register } from "./register.js";

const MY_SECTIONS = [
  "Instruction data",
  "Evaluation",
  "Freezing on decoders",
  "Mapping to the authors' gsm8k/ scripts",
];
const doc = readFileSync(new URL("../../../docs/decoders.md", import.meta.url), "utf8");

/** The ```json blocks of the sections this package maintains. */
function jsonBlocks(): { section: string; json: Record<string, unknown> }[] {
  const out: { section: string; json: Record<string, unknown> }[] = [];
  for (const part of doc.split(/^## /m).slice(1)) {
    const title = part.slice(0, part.indexOf("\n"));
    if (!MY_SECTIONS.some((s) => title.startsWith(s))) continue;
    for (const m of part.matchAll(/```json\n([\s\S]*?)```/g)) out.push({ section: title, json: JSON.parse(m[1]!) });
  }
  return out;
}

const registry = register(new PluginRegistry());
for (const d of [...decoderScorerDefinitions, ...decoderScheduleDefinitions]) registry.register(d);

function check(kind: "task" | "scorer" | "schedule" | "plugin", section: Record<string, unknown>): void {
  const { name, ...options } = section as { name: string };
  const r = registry.get(kind, name).options!.safeParse(options);
  expect(r.success, `${kind} "${name}": ${r.success ? "" : r.error.message}`).toBe(true);
}

describe("docs/decoders.md (this package's sections)", () => {
  it("has its four sections", () => {
    for (const s of MY_SECTIONS) expect(doc).toContain(`## ${s}`);
  });

  it("every config block is a valid plugin section", () => {
    const blocks = jsonBlocks();
    expect(blocks.length).toBe(3);
    for (const { json } of blocks) {
      const name = json["name"] as string;
      if (name === "adaptive-freezing-decoder") {
        check("plugin", json);
        check("scorer", json["scorer"] as Record<string, unknown>);
        check("schedule", json["schedule"] as Record<string, unknown>);
      } else {
        check("task", json);
      }
    }
  });
});
