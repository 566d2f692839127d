/**
 * Polls a cloud's metadata service for a notice that the instance will be
 * reclaimed, and reports each notice once. AWS gives 2 minutes and GCP/Azure
 * about 30 s, so the default 5 s poll leaves the daemon most of the notice to
 * drain its replicas.
 */
import type { Clock, TimerHandle } from '../../protocol/clock.ts'
import { withDeadline } from '../deadline.ts'
import { InvalidHardwareOptionError } from '../errors.ts'
import type { CloudMetadataSource, InterruptionNotice } from './types.ts'

export interface InterruptionWatcherInit {
  source: CloudMetadataSource
  /**
   * Time between two polls.
   * @default 5000
   */
  intervalMs?: number
  /**
   * Deadline of one poll.
   * @default 2000
   */
  timeoutMs?: number
  onInterruption: (notice: InterruptionNotice) => void
  /** Told about failed polls, for logs; the next poll tries again. */
  onError?: (err: unknown) => void
}

export const interruptionWatcherDefaults = {
  intervalMs: 5000, // AWS's recommendation; 1/24 of its 2-minute notice, 1/6 of GCP's and Azure's 30 s
  timeoutMs: 2000 // metadata is link-local: a poll this slow is failing, and must not delay the next one
} as const

export class InterruptionWatcher {
  private readonly clock: Clock
  private readonly init: InterruptionWatcherInit
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private timer: TimerHandle | undefined
  private running = false
  private inFlight: Promise<void> | undefined
  private stopController: AbortController | undefined
  /** The notice last reported, so a notice that stays up is reported once. */
  private lastKey: string | undefined
  /** The latest notice still standing, for status. */
  current: InterruptionNotice | null = null

  constructor (components: { clock: Clock }, init: InterruptionWatcherInit) {
    this.clock = components.clock
    this.init = init
    this.intervalMs = init.intervalMs ?? interruptionWatcherDefaults.intervalMs
    this.timeoutMs = init.timeoutMs ?? interruptionWatcherDefaults.timeoutMs
    if (!(this.intervalMs > 0)) throw new InvalidHardwareOptionError(`intervalMs: must be > 0: current value is ${this.intervalMs}`)
    if (!(this.timeoutMs > 0)) throw new InvalidHardwareOptionError(`timeoutMs: must be > 0: current value is ${this.timeoutMs}`)
  }

  /** Polls at once, then every interval. */
  start (): void {
    if (this.running) return
    this.running = true
    this.stopController = new AbortController()
    this.schedule(0)
  }

  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.stopController?.abort(new Error('interruption watcher stopped'))
    await this.inFlight
  }

  /** One poll; reports a notice not reported before. */
  async poll (signal?: AbortSignal): Promise<InterruptionNotice | null> {
    const notice = await withDeadline(this.clock, `interruption:${this.init.source.provider}`, this.timeoutMs,
      s => this.init.source.interruption(s), signal)
    this.current = notice
    if (notice === null) {
      // A cancelled notice re-arms: a later one is news again.
      this.lastKey = undefined
      return null
    }
    const key = `${notice.action}|${notice.deadline ?? ''}`
    if (key !== this.lastKey) {
      this.lastKey = key
      this.init.onInterruption(notice)
    }
    return notice
  }

  private schedule (delayMs: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.inFlight = this.tick()
    }, delayMs)
  }

  private async tick (): Promise<void> {
    const started = this.clock.now()
    try {
      await this.poll(this.stopController?.signal)
    } catch (err) {
      if (this.running) this.init.onError?.(err)
    }
    if (this.running) this.schedule(Math.max(0, this.intervalMs - (this.clock.now() - started)))
  }
}
