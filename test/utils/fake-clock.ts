import type { Clock } from '../../node/clock.ts'

/** A clock that only moves when told to, running due timers in order. */
export class FakeClock implements Clock {
  private t: number
  private seq = 0
  private readonly timers = new Map<number, { at: number, fn: () => void }>()

  constructor (start = 1_800_000_000_000) {
    this.t = start
  }

  now (): number {
    return this.t
  }

  setTimeout (fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.timers.set(id, { at: this.t + ms, fn })
    return id
  }

  clearTimeout (handle: unknown): void {
    this.timers.delete(handle as number)
  }

  advance (ms: number): void {
    const end = this.t + ms
    for (;;) {
      const next = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0]
      if (next == null) break
      this.timers.delete(next[0])
      this.t = next[1].at
      next[1].fn()
    }
    this.t = end
  }

  get pending (): number {
    return this.timers.size
  }
}
