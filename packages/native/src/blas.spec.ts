import { describe, expect, it } from "vitest";
import { loadAddon } from "./addon.js";
import { BLAS_ENV, NO_BLAS_HINT, blasCandidates, loadBlas } from "./blas.js";
import { requireNative } from "../test/require-native.js";

describe("blasCandidates", () => {
  it("tries OpenBLAS (libopenblas0-pthread first), then BLIS, then MKL on Linux; Accelerate last on macOS", () => {
    const linux = blasCandidates("linux", {});
    expect(linux[0]).toMatch(/openblas-pthread\/libopenblas\.so\.0$/);
    const at = (re: RegExp) => linux.findIndex((c) => re.test(c));
    expect(at(/openblas/)).toBeLessThan(at(/blis/));
    expect(at(/blis/)).toBeLessThan(at(/mkl_rt/));
    expect(blasCandidates("darwin", {}).at(-1)).toBe("/System/Library/Frameworks/Accelerate.framework/Accelerate");
    expect(blasCandidates("linux", { [BLAS_ENV]: "/opt/x/libcblas.so" })[0]).toBe("/opt/x/libcblas.so");
  });
});

describe("loading a CBLAS", () => {
  it("reports every candidate that failed, and keeps the library already loaded", () => {
    requireNative();
    const before = loadBlas();
    const r = loadAddon().load(["libdoes-not-exist.so.9", "libc.so.6"]);
    expect(r.path).toBeUndefined();
    expect(r.failures).toHaveLength(2);
    expect(r.failures![0]).toMatch(/^libdoes-not-exist\.so\.9: /);
    expect(r.failures![1]).toBe("libc.so.6: no cblas_sgemm");
    expect(loadBlas().path).toBe(before.path);
    expect(NO_BLAS_HINT).toMatch(/^install libopenblas0-pthread for the native path/);
  });

  it("finds OpenBLAS here and reports its threads", () => {
    const b = loadBlas();
    expect(b.vendor).toBe("openblas");
    expect(b.config).toMatch(/^OpenBLAS /);
    expect(b.threads).toBeGreaterThanOrEqual(1);
  });
});
