/** The last lines a server printed: kept quiet while it runs, shown when it fails to start. */
export class RecentOutput {
  private readonly lines: string[] = [];

  constructor(private readonly maxLines = 20) {}

  add(chunk: unknown): void {
    this.lines.push(...String(chunk).split('\n').filter((line) => line.trim() !== ''));
    this.lines.splice(0, Math.max(0, this.lines.length - this.maxLines));
  }

  toString(): string {
    return this.lines.join('\n');
  }
}
