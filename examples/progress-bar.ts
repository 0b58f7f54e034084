/**
 * A terminal progress line for the demo: a bar with sent, delivered, rate and packets/s, redrawn
 * in place on a TTY and printed as plain lines elsewhere (CI logs).
 *
 * @example
 * ```ts
 * const bar = new ProgressBar(process.stdout, 1_000_000n);
 * bar.render({ sent: 500_000n, delivered: 250_000n, packets: 500, elapsedMs: 120 });
 * ```
 */

/** One snapshot of a payment in progress. */
export interface ProgressSnapshot {
  readonly sent: bigint;
  readonly delivered: bigint;
  readonly packets: number;
  readonly elapsedMs: number;
}

const WIDTH = 30;

/** Draws payment progress on a writable stream. */
export class ProgressBar {
  private lastLineAt = -Infinity;
  private lastProgress = '';

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly total: bigint,
  ) {}

  /** Draws the snapshot (throttled to a line per second when not on a TTY). */
  render(snapshot: ProgressSnapshot, force = false): void {
    const line = formatProgress(snapshot, this.total);
    // The same amounts again (e.g. the final forced draw after the last throttled one) add nothing.
    const progress = `${snapshot.sent}/${snapshot.delivered}`;
    if (progress === this.lastProgress) return;
    if (this.out.isTTY) {
      this.lastProgress = progress;
      this.out.write(`\r${line}`);
    } else if (force || snapshot.elapsedMs - this.lastLineAt >= 1000) {
      this.lastProgress = progress;
      this.lastLineAt = snapshot.elapsedMs;
      this.out.write(`${line}\n`);
    }
  }

  /** Ends the in-place line. */
  finish(): void {
    if (this.out.isTTY) this.out.write('\n');
  }
}

/**
 * The text of one progress line.
 *
 * @example
 * ```ts
 * formatProgress({ sent: 1n, delivered: 1n, packets: 1, elapsedMs: 1 }, 2n)
 * ```
 */
export function formatProgress(snapshot: ProgressSnapshot, total: bigint): string {
  const filled = total === 0n ? WIDTH : Number((snapshot.sent * BigInt(WIDTH)) / total);
  const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
  const percent = total === 0n ? 100 : Number((snapshot.sent * 1000n) / total) / 10;
  const rate = snapshot.sent === 0n ? '-' : (Number(snapshot.delivered) / Number(snapshot.sent)).toFixed(4);
  const pps = snapshot.elapsedMs === 0 ? 0 : Math.round((snapshot.packets * 1000) / snapshot.elapsedMs);
  return `${bar} ${percent.toFixed(1).padStart(5)}%  sent ${snapshot.sent}  delivered ${snapshot.delivered}  rate ${rate}  ${pps} packets/s`;
}
