import type { TrainerEvent } from "@aflora/core";

/** A trainer event as stored in events.jsonl: tensors omitted, errors as message and stack, plus a wall-clock stamp. */
export type EventRecord = Record<string, unknown> & { type: TrainerEvent["type"]; time: number };

/**
 * Serialisable view of one event. `step:gradients` keeps only the names of the
 * variables (its tensors are borrowed and large); `run:error` keeps the message.
 */
export function eventToRecord(event: TrainerEvent, time: number = Date.now()): EventRecord {
  switch (event.type) {
    case "step:gradients":
      return { type: event.type, time, step: event.step, epoch: event.epoch, variables: [...event.gradients.keys()] };
    case "run:error":
      return {
        type: event.type,
        time,
        step: event.step,
        error: { name: event.error.name, message: event.error.message, stack: event.error.stack },
      };
    default:
      return { ...(event as unknown as Record<string, unknown>), type: event.type, time };
  }
}

/** Parses events.jsonl text. A malformed line is an error naming its line number. */
export function parseEventLines(text: string, source = "events.jsonl"): EventRecord[] {
  const out: EventRecord[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      // A run killed mid-write can leave a truncated last line; anything earlier is corruption.
      if (i === lines.length - 1 || lines.slice(i + 1).every((l) => !l.trim())) break;
      throw new Error(`${source}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (!value || typeof value !== "object" || typeof (value as { type?: unknown }).type !== "string") {
      throw new Error(`${source}:${i + 1}: expected an object with a "type" field`);
    }
    out.push(value as EventRecord);
  }
  return out;
}
