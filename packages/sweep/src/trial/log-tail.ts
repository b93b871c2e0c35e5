/** The last `size` lines of a stream of text chunks (a trial's log tail for its failure record). */
export class LogTail {
  private lines: string[] = [];
  private partial = "";

  constructor(private readonly size = 40) {}

  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? "";
    const complete = parts.filter((l) => l.trim() !== "");
    this.lines.push(...complete);
    if (this.lines.length > this.size) this.lines = this.lines.slice(-this.size);
    return complete;
  }

  get tail(): string[] {
    return this.partial ? [...this.lines, this.partial].slice(-this.size) : [...this.lines];
  }
}
