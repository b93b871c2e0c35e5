/**
 * Which block a projection belongs to, by its Hugging Face name. The authors' code uses a
 * shape test instead (square = attention), which holds for DeBERTa but misassigns any model
 * whose FFN is square or whose attention is not (grouped-query attention, `attention_head_size`
 * overrides); the name says what the module is, whatever its shape.
 */
export type ModuleKind = "attention" | "ffn" | "other";

const ATTENTION_LEAVES = [
  "query",
  "key",
  "value",
  "query_proj",
  "key_proj",
  "value_proj",
  "pos_query_proj",
  "pos_key_proj",
  "q_proj",
  "k_proj",
  "v_proj",
  "o_proj",
  "out_proj",
];
const FFN_LEAVES = ["gate_proj", "up_proj", "down_proj", "fc1", "fc2"];

export function moduleKind(name: string): ModuleKind {
  const parts = name.split(".");
  const leaf = parts[parts.length - 1]!;
  const underAttention = parts.slice(0, -1).some((p) => p === "attention" || p === "self_attn" || p === "attn");
  if (underAttention) return "attention";
  // `output.dense` not under attention (checked above) is the FFN's second linear.
  if (name === "intermediate.dense" || name.endsWith(".intermediate.dense")) return "ffn";
  if (name === "output.dense" || name.endsWith(".output.dense")) return "ffn";
  if (FFN_LEAVES.includes(leaf)) return "ffn";
  if (ATTENTION_LEAVES.includes(leaf) && !parts.includes("classifier")) return "attention";
  return "other";
}
