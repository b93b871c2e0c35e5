/**
 * The module a projection matrix belongs to, for pair granularity: its name with the
 * `lora_A` / `lora_B` component replaced, so `…intermediate.dense.lora_A.weight` and
 * `…intermediate.dense.lora_B.weight` share one key (PEFT naming).
 */
export function defaultPairKey(name: string): string {
  return name
    .split(".")
    .map((c) => (c === "lora_A" || c === "lora_B" ? "lora_AB" : c))
    .join(".");
}
