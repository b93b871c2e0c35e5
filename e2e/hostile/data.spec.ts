import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  DataFormatError,
  fetchGlueParquet,
  GLUE_TASKS,
  GlueDownloadError,
  readCustomExamples,
  readParquetExamples,
  type Example,
} from "@aflora/glue-data";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aflora, REPO, scratch } from "../helpers.js";
import { outside, tree } from "./hostile-files.js";

const PARQUET = join(REPO, "fixtures/glue-tiny/parquet/mnli/train-00000-of-00001.parquet");
const pair = { textFields: ["premise", "hypothesis"], labelField: "gold", labels: ["yes", "no"] };

async function collect(it: AsyncIterable<Example>): Promise<Example[]> {
  const out: Example[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("hostile data files and GLUE downloads", () => {
  let server: Server;
  let hubUrl: string;
  const html = "<!DOCTYPE html><html><body>Rate limited</body></html>";

  beforeAll(async () => {
    // A hub (or captive proxy) that answers every file with an HTML page and status 200.
    server = createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(html) });
      res.end(html);
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    hubUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it("aflora train with data.revision=../../.. is refused before anything is written", () => {
    const root = scratch("hostile-revision");
    const model = join(root, "model");
    mkdirSync(model);
    for (const f of ["config.json", "model.safetensors"])
      copyFileSync(join(REPO, "fixtures/hf-parity/bert-tiny-cls3", f), join(model, f));
    for (const f of ["tokenizer.json", "tokenizer_config.json"])
      copyFileSync(join(REPO, "fixtures/tokenizers/bert-wordpiece", f), join(model, f));
    const before = tree(root);
    const r = aflora(
      [
        "train",
        "--model",
        model,
        "--data",
        "glue:rte",
        "--set",
        "data.revision=../../..",
        "--set",
        `data.cacheDir=${join(root, "a", "b", "cache")}`,
        "--max-steps",
        "1",
        "--quiet",
        "--output",
        "runs",
      ],
      {
        cwd: root,
        env: { HOME: join(root, "home"), HF_ENDPOINT: hubUrl },
        timeoutMs: 60_000,
      },
    );
    expect(r.stderr).toContain('data.revision "../../.." is not a branch, tag or commit of nyu-mll/glue');
    expect(r.status).toBe(2);
    expect(outside(root, ["runs", "home", "a/b/cache"], before).filter((p) => p !== "a" && p !== "a/b")).toEqual([]);
  });

  it("a GLUE download that returns an HTML page with status 200 is not cached as .parquet", async () => {
    const root = scratch("hostile-html");
    const err = await fetchGlueParquet(GLUE_TASKS.rte, { cacheDir: root, hubUrl, offline: false }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GlueDownloadError);
    expect((err as Error).message).toMatch(/is an HTML page, not a parquet file .*; not cached/);
    expect(tree(root).filter((p) => p.endsWith(".parquet"))).toEqual([]);
  });

  it("a missing CSV, invalid UTF-8, a 0x1F regression label and a scrambled parquet each name the file (and line)", async () => {
    const root = scratch("hostile-data");
    await expect(collect(readCustomExamples(join(root, "train.csv"), pair))).rejects.toThrow(
      `${join(root, "train.csv")}: no such file`,
    );
    const latin1 = join(root, "latin1.csv");
    writeFileSync(
      latin1,
      Buffer.concat([Buffer.from("premise,hypothesis,gold\n"), Buffer.from("caf\xe9,x,yes\n", "latin1")]),
    );
    await expect(collect(readCustomExamples(latin1, pair))).rejects.toThrow(
      `${latin1}:line 2: invalid UTF-8 (byte 0xe9)`,
    );
    const reg = join(root, "reg.csv");
    writeFileSync(reg, "text,score\na,0x1F\n");
    await expect(
      collect(readCustomExamples(reg, { textFields: ["text"], labelField: "score", regression: true })),
    ).rejects.toThrow(`${reg}:line 2: score: regression label "0x1F" is not a decimal number`);
    const scrambled = join(root, "scrambled.parquet");
    const bytes = readFileSync(PARQUET);
    for (let i = 4; i < bytes.length - 8; i += 5) bytes[i] = bytes[i]! ^ 0x5a;
    writeFileSync(scrambled, bytes);
    const cols = { textA: "premise", textB: "hypothesis", label: "label" };
    const e = await collect(readParquetExamples(scrambled, cols, GLUE_TASKS.mnli.labels)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DataFormatError);
    expect((e as Error).message.startsWith(`${scrambled}`)).toBe(true);
  });

  it("a 50 MB line is read in linear time", async () => {
    const root = scratch("hostile-long");
    mkdirSync(root, { recursive: true });
    const file = join(root, "long.jsonl");
    const big = "x".repeat(50 * 1024 * 1024);
    writeFileSync(file, `{"premise":"${big}","hypothesis":"h","gold":"yes"}\n`);
    const started = performance.now();
    const [ex] = await collect(readCustomExamples(file, pair));
    expect(ex!.textA.length).toBe(big.length);
    expect(performance.now() - started).toBeLessThan(10_000); // was 50 s and 3.2 GB
  });
});
