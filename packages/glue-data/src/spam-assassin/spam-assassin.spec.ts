import { describe, expect, it } from "vitest";
import { WhitespaceTokenizer } from "../testing/whitespace-tokenizer.js";
import { emailText } from "./email-text.js";
import { spamAssassinSplits, spamAssassinTask } from "./spam-assassin-task.js";

describe("emailText", () => {
  it("keeps subject (with folded lines) and body, drops routing headers and HTML", () => {
    const raw = [
      "From someone@example.com  Thu Aug 22 13:17:22 2002",
      "Received: from localhost by lab.example",
      "Subject: Cheap watches",
      "\tand more",
      "To: zzzz@localhost",
      "",
      "<html><style>p{}</style><p>Buy&nbsp;now &amp; save</p></html>",
      "",
      "Bye",
    ].join("\r\n");
    expect(emailText(raw)).toBe("Cheap watches and more\nBuy now & save Bye");
    expect(emailText(raw, "body")).toBe("Buy now & save Bye");
  });
});

describe("SpamAssassin corpus", () => {
  it("has the package's 6046 messages: 4150 ham and 1896 spam", () => {
    const { train, dev } = spamAssassinSplits({ maxChars: 20 });
    const all = [...train, ...dev];
    expect(all).toHaveLength(6046);
    expect(all.filter((r) => r.label === "spam")).toHaveLength(1896);
    expect(dev).toHaveLength(1209);
    expect(new Set(all.map((r) => r.id)).size).toBe(6046);
  });

  it("splits a seeded subset reproducibly and truncates text", () => {
    const a = spamAssassinSplits({ seed: 7, maxExamples: 200, devFraction: 0.25, maxChars: 300 });
    const b = spamAssassinSplits({ seed: 7, maxExamples: 200, devFraction: 0.25, maxChars: 300 });
    const c = spamAssassinSplits({ seed: 8, maxExamples: 200, devFraction: 0.25, maxChars: 300 });
    expect(a).toEqual(b);
    expect(a.dev.map((r) => r.id)).not.toEqual(c.dev.map((r) => r.id));
    expect([a.train.length, a.dev.length]).toEqual([150, 50]);
    const devIds = new Set(a.dev.map((r) => r.id));
    expect(a.train.some((r) => devIds.has(r.id))).toBe(false);
    expect(Math.max(...a.train.map((r) => r.text.length))).toBeLessThanOrEqual(300);
    expect(new Set(a.train.map((r) => r.label))).toEqual(new Set(["ham", "spam"]));
    expect(a.train.every((r) => r.label === (r.id.startsWith("spam") ? "spam" : "ham"))).toBe(true);
    expect(() => spamAssassinSplits({ devFraction: 1 })).toThrow("devFraction: expected a number in (0, 1)");
  });

  it("loads through the custom-task path with F1 of spam as the selection metric", async () => {
    const task = spamAssassinTask({ maxExamples: 60, maxChars: 400 });
    expect(task.info).toMatchObject({
      name: "spam-assassin",
      labels: ["ham", "spam"],
      numLabels: 2,
      metrics: { selectionMetric: "f1" },
    });
    const loaded = await task.load({ tokenizer: new WhitespaceTokenizer(), batchSize: 16, seed: 42, maxSeqLength: 64 });
    expect(loaded.train.data.size).toBe(48);
    expect(loaded.evaluator.splits[0]!.data.size).toBe(12);
    expect(loaded.readStats.map((s) => s.skipped)).toEqual([0, 0]);
    expect([...loaded.train.epoch(0)].every((b) => b.seqLength <= 64)).toBe(true);
  });
});
