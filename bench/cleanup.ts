/**
 * What the benchmark set up, undone newest first. Filled while setting up, so that Ctrl-C at any
 * point undoes exactly what exists; a second run (Ctrl-C during teardown) finds nothing left to do.
 */
export class Cleanup {
  private readonly steps: (() => Promise<unknown>)[] = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      await step().catch((error: unknown) => console.error(`bench: cleanup step failed: ${String(error)}`));
    }
  }
}
