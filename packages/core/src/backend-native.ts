/** The package behind the "native" backend; core loads it by dynamic import, never as a dependency. */
export const NATIVE_PACKAGE = "@aflora/native";

/** The one line a run prints when the native path is unavailable for lack of a BLAS. */
export const NATIVE_HINT = "install libopenblas0-pthread for the native path (apt-get install libopenblas0-pthread)";

/** What core needs of @aflora/native (its `registerNativeBackend`). */
export interface NativeModule {
  registerNativeBackend(options?: { threads?: number }): {
    backend: string;
    blas: { path: string; vendor: string };
    threads: number;
  };
}

export function isNativeModule(m: unknown): m is NativeModule {
  return typeof (m as Partial<NativeModule> | null)?.registerNativeBackend === "function";
}
