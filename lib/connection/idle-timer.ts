/**
 * Closes an idle connection: fires `onIdle` once no activity was seen for `timeoutMs` on the
 * scheduler. Activity only records a timestamp — one timer per idle period, not one per packet,
 * so busy connections pay nothing for it.
 *
 * @example
 * ```ts
 * const idle = new IdleTimer(asyncScheduler, 60_000, () => connection.destroy());
 * idle.start();
 * idle.touch(); // on every authentic packet
 * ```
 */
import type { SchedulerLike, Subscription } from 'rxjs';

/** A restartable inactivity timer driven by a scheduler. */
export class IdleTimer {
  private lastActivity = 0;
  private timer: Subscription | undefined;
  private stopped = false;

  constructor(
    private readonly scheduler: SchedulerLike,
    /** Milliseconds of silence before `onIdle`; 0 disables the timer. */
    private readonly timeoutMs: number,
    private readonly onIdle: () => void,
  ) {}

  /** Starts counting from now. */
  start(): void {
    if (this.timeoutMs <= 0 || this.stopped || this.timer) return;
    this.lastActivity = this.scheduler.now();
    this.arm(this.timeoutMs);
  }

  /** Records activity. */
  touch(): void {
    this.lastActivity = this.scheduler.now();
  }

  /** Cancels the timer for good. */
  stop(): void {
    this.stopped = true;
    this.timer?.unsubscribe();
    this.timer = undefined;
  }

  private arm(delay: number): void {
    this.timer = this.scheduler.schedule(() => {
      this.timer = undefined;
      if (this.stopped) return;
      const silentFor = this.scheduler.now() - this.lastActivity;
      if (silentFor >= this.timeoutMs) this.onIdle();
      else this.arm(this.timeoutMs - silentFor);
    }, delay);
  }
}
