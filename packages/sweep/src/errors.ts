/**
 * An error whose message is the whole story for the user (file, field, URL…): commands print
 * it as one line, without a stack.
 */
export class SweepError extends Error {
  override readonly name = "SweepError";
}
