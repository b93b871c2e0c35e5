import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveUnder } from "./safe-path.js";

const base = realpathSync(mkdtempSync(join(tmpdir(), "dash-safe-")));
const root = join(base, "runs");
mkdirSync(join(root, "run1", "plots"), { recursive: true });
writeFileSync(join(root, "run1", "report.md"), "# report");
writeFileSync(join(base, "secret.txt"), "secret");
symlinkSync(join(base, "secret.txt"), join(root, "run1", "out-link"));
symlinkSync(base, join(root, "run1", "out-dir"));
symlinkSync(join(root, "run1", "report.md"), join(root, "run1", "in-link"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("resolveUnder", () => {
  it("resolves files and folders inside the root", () => {
    expect(resolveUnder(root, "run1/report.md")).toBe(join(root, "run1", "report.md"));
    expect(resolveUnder(root, "run1%2Freport.md")).toBe(join(root, "run1", "report.md"));
    expect(resolveUnder(root, "run1/plots")).toBe(join(root, "run1", "plots"));
    expect(resolveUnder(root, "")).toBe(root);
    // A symlink that stays inside is followed.
    expect(resolveUnder(root, "run1/in-link")).toBe(join(root, "run1", "report.md"));
  });

  it.each([
    ["..", "../secret.txt"],
    ["encoded ..", "%2e%2e/secret.txt"],
    ["encoded upper-case ..", "%2E%2E%2Fsecret.txt"],
    [".. after a folder", "run1/../../secret.txt"],
    ["encoded slash", "run1%2f..%2f..%2fsecret.txt"],
    ["a dot segment", "run1/./report.md"],
    ["an absolute path", "/etc/passwd"],
    ["an encoded absolute path", "%2fetc%2fpasswd"],
    ["a backslash", "run1\\..\\..\\secret.txt"],
    ["a NUL byte", "run1/report.md%00.png"],
    ["a symlink to a file outside", "run1/out-link"],
    ["a symlink to a folder outside", "run1/out-dir/secret.txt"],
    ["bad percent-encoding", "run1/%zz"],
    ["a missing file", "run1/nope"],
  ])("refuses %s", (_what, path) => {
    expect(resolveUnder(root, path)).toBeNull();
  });
});
