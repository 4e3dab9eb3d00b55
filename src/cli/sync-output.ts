import type { SyncEvent, SyncReport } from '../operations/sync/sync.js';
import type { ProgressSnapshot, SyncProgress } from '../operations/sync/sync-progress.js';

/**
 * What `storage sync` prints: on a terminal, a progress bar and readable lines; otherwise (CI, a
 * Kubernetes Job's log) one JSON object per line, progress included, for machines to read.
 */
export interface SyncOutput {
  event(event: SyncEvent): void;
  /** Shows progress until the returned function is called. */
  watch(progress: SyncProgress, label: string): () => void;
  summary(report: SyncReport, seconds: number): void;
  note(message: string, fields?: Record<string, unknown>): void;
}

export async function syncOutput(tty: boolean, progressEveryMs: number): Promise<SyncOutput> {
  return tty ? textOutput() : jsonOutput(progressEveryMs);
}

async function textOutput(): Promise<SyncOutput> {
  // The progress bar module is loaded only for a terminal: a Job's log (JSON lines) does not pay for it.
  const { default: cliProgress } = await import('cli-progress');
  const line = (text: string) => process.stdout.write(`${printable(text)}\n`);
  return {
    event: (e) => line(`${e.type.padEnd(12)} ${e.key} (${e.detail})`),
    watch(progress, label) {
      const bar = new cliProgress.SingleBar(
        { format: `${label} {bar} {percentage}% | {objects}/{totalObjects} objects | {done_text}/{total_text} | {rate}/s | ETA {eta_text}`, hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      const payload = (s: ProgressSnapshot) => ({ objects: s.objects, totalObjects: s.totalObjects, done_text: bytes(s.bytes), total_text: bytes(s.totalBytes), rate: bytes(s.bytesPerSecond), eta_text: duration(s.etaSeconds) });
      const first = progress.snapshot();
      bar.start(Math.max(first.totalBytes, 1), first.bytes, payload(first));
      const timer = setInterval(() => {
        const s = progress.snapshot();
        bar.update(s.bytes, payload(s));
      }, 250);
      return () => {
        clearInterval(timer);
        const s = progress.snapshot();
        bar.update(s.bytes, payload(s));
        bar.stop();
      };
    },
    summary(r, seconds) {
      const verb = r.dryRun ? 'would copy' : 'copied';
      const deleted = r.dryRun ? 'would delete' : 'deleted';
      line(`${r.source} -> ${r.destination}: ${verb} ${r.copied} (${bytes(r.copiedBytes)}), skipped ${r.skipped} identical, ${deleted} ${r.deleted}, failed ${r.failed.length}${r.interrupted ? ', INTERRUPTED' : ''} in ${seconds.toFixed(1)} s`);
      for (const f of r.failed) line(`  failed ${f.key}: ${f.reason}`);
    },
    note: (message) => line(message),
  };
}

/**
 * A line as a terminal may show it: object keys come from the source store, and a control character in
 * one (an escape sequence) could retitle the window or rewrite the screen. Shown as \uXXXX instead.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function jsonOutput(everyMs: number): SyncOutput {
  const line = (event: string, fields: object) => process.stdout.write(`${JSON.stringify({ event, ...fields })}\n`);
  return {
    event: (e) => line(e.type, { key: e.key, detail: e.detail }),
    watch(progress, label) {
      const timer = setInterval(() => line('progress', { bucket: label, ...progress.snapshot() }), everyMs);
      return () => {
        clearInterval(timer);
        line('progress', { bucket: label, ...progress.snapshot() });
      };
    },
    summary: (report, seconds) => line('summary', { ...jsonSummary(report), seconds: Number(seconds.toFixed(3)) }),
    note: (message, fields = {}) => line('note', { message, ...fields }),
  };
}

/** A dry run copies and deletes nothing: its counts are labelled wouldCopy, wouldCopyBytes and wouldDelete instead. */
function jsonSummary(report: SyncReport): object {
  if (!report.dryRun) return report;
  const { copied, copiedBytes, deleted, ...rest } = report;
  return { ...rest, wouldCopy: copied, wouldCopyBytes: copiedBytes, wouldDelete: deleted };
}

function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function duration(seconds: number | null): string {
  if (seconds === null) return '?';
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}
