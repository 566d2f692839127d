/**
 * A Clock whose time moves only when a test says so. advance() fires due timers
 * in time order and lets the promise chains they start settle in between, so a
 * loop's "sample, then schedule the next" runs as it would in real time.
 */
import type { Clock, TimerHandle } from '../../protocol/clock.ts'

export class FakeClock implements Clock {
  private t: number
  private seq = 0
  private readonly timers = new Map<number, { at: number, fn: () => void }>()

  constructor (start = 1_796_316_000_000) {
    this.t = start
  }

  now (): number {
    return this.t
  }

  setTimeout (fn: () => void, ms: number): TimerHandle {
    const id = ++this.seq
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn })
    return id
  }

  clearTimeout (handle: TimerHandle): void {
    this.timers.delete(handle as number)
  }

  /** Timers set and neither fired nor cleared: a stopped component must leave none. */
  get pending (): number {
    return this.timers.size
  }

  async advance (ms: number): Promise<void> {
    const target = this.t + ms
    for (;;) {
      await settle()
      let nextId: number | undefined
      let next: { at: number, fn: () => void } | undefined
      for (const [id, timer] of this.timers) {
        if (timer.at <= target && (next === undefined || timer.at < next.at)) { nextId = id; next = timer }
      }
      if (next === undefined || nextId === undefined) break
      this.timers.delete(nextId)
      this.t = next.at
      next.fn()
    }
    this.t = target
    await settle()
  }
}

/** Lets every pending promise chain run: setImmediate fires after the microtask queue drains. */
export async function settle (): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>(resolve => setImmediate(resolve))
}
