/**
 * The human-readable part of a raw RFC 822 message: its Subject header and body, with HTML
 * tags removed and whitespace collapsed. Routing headers are dropped on purpose: they leak
 * the corpus' collection addresses, which would make spam detection trivial.
 */
export function emailText(raw: string, mode: "subject+body" | "body" = "subject+body"): string {
  const normalized = raw.replace(/\r\n/g, "\n");
  const split = normalized.indexOf("\n\n");
  const headers = split >= 0 ? normalized.slice(0, split) : normalized;
  const body = split >= 0 ? normalized.slice(split + 2) : "";
  const cleanBody = body
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, " ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&nbsp;/gi, " ")
    .replace(/&amp;/gi, "&")
    .replace(/&lt;/gi, "<")
    .replace(/&gt;/gi, ">")
    .replace(/\s+/g, " ")
    .trim();
  if (mode === "body") return cleanBody;
  return `${subjectOf(headers)}\n${cleanBody}`.trim();
}

function subjectOf(headers: string): string {
  const m = /^subject:[ \t]*(.*(?:\n[ \t].*)*)/im.exec(headers);
  return m ? m[1]!.replace(/\s+/g, " ").trim() : "";
}
