import type { AppliedAdapter } from "./applied-adapter.js";

/** Detaches an adapter and restores the model exactly (see `AppliedAdapter.remove`). */
export function removeAdapter(adapter: AppliedAdapter): void {
  adapter.remove();
}
