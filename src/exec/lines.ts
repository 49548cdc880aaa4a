/** Line splitting for streamed output, and a bounded tail of the last lines. */

export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer | string): void {
    const text = this.rest + chunk.toString();
    const parts = text.split(/\r?\n|\r/);
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.onLine(p);
  }
  end(): void {
    if (this.rest) this.onLine(this.rest);
    this.rest = '';
  }
}

export class Tail {
  private readonly buf: string[] = [];
  constructor(private readonly size: number) {}
  push(line: string): void {
    this.buf.push(line);
    if (this.buf.length > this.size) this.buf.shift();
  }
  lines(): string[] { return [...this.buf]; }
}
