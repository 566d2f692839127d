/**
 * Keeps `tegrastats --interval N` running and remembers its latest line, so the
 * Jetson probe answers from memory instead of starting a process every sample.
 * If tegrastats exits, it is started again after a delay; meanwhile the reading
 * goes stale and the field turns unknown rather than repeating an old value.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Clock, TimerHandle } from '../../protocol/clock.ts'
import { ProbeStaleError } from '../errors.ts'
import type { Probe } from '../probe.ts'
import { parseTegrastatsLine } from './tegrastats-parse.ts'
import type { TegrastatsSample } from './tegrastats-parse.ts'

export interface TegrastatsRunnerComponents {
  clock: Clock
}

export interface TegrastatsRunnerInit {
  /**
   * The binary, a name looked up on PATH or an absolute path.
   * @default 'tegrastats'
   */
  binary?: string
  /**
   * tegrastats' own period, passed as `--interval` (ms).
   * @default 1000
   */
  intervalMs?: number
  /**
   * Age past which the latest line no longer counts as the current reading.
   * @default 3 × intervalMs (two missed lines are tolerated, a third is not)
   */
  maxAgeMs?: number
  /**
   * Wait before starting tegrastats again after it exited.
   * @default 5000
   */
  restartDelayMs?: number
  /** Told about lines that fail to parse and about exits, for logs. */
  onError?: (err: unknown) => void
}

export class TegrastatsRunner {
  private readonly clock: Clock
  private readonly binary: string
  private readonly intervalMs: number
  private readonly maxAgeMs: number
  private readonly restartDelayMs: number
  private readonly onError: ((err: unknown) => void) | undefined
  private child: ChildProcess | undefined
  private restartTimer: TimerHandle | undefined
  private running = false
  private latest: { at: number, sample: TegrastatsSample } | undefined
  private startedAt = 0
  private readonly firstLine = Promise.withResolvers<void>()
  private exited: Promise<void> | undefined
  /** Lines that did not parse since start, for metrics. */
  rejectedLines = 0

  constructor (components: TegrastatsRunnerComponents, init: TegrastatsRunnerInit = {}) {
    this.clock = components.clock
    this.binary = init.binary ?? 'tegrastats'
    this.intervalMs = init.intervalMs ?? 1000
    this.maxAgeMs = init.maxAgeMs ?? 3 * this.intervalMs
    this.restartDelayMs = init.restartDelayMs ?? 5000
    this.onError = init.onError
  }

  start (): void {
    if (this.running) return
    this.running = true
    this.startedAt = this.clock.now()
    this.spawn()
  }

  /** Stops tegrastats and resolves once it has exited. */
  async stop (): Promise<void> {
    this.running = false
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer)
    this.restartTimer = undefined
    this.child?.kill('SIGTERM')
    await this.exited
  }

  /** The latest reading if it is fresh; throws PROBE_STALE otherwise. */
  current (): TegrastatsSample {
    const age = this.latest === undefined ? Infinity : this.clock.now() - this.latest.at
    if (this.latest === undefined || age > this.maxAgeMs) throw new ProbeStaleError('jetson', age, this.maxAgeMs)
    return this.latest.sample
  }

  /**
   * The Jetson probe. Right after start, tegrastats has not printed yet: the
   * probe then waits for its first line (within the probe's deadline) rather
   * than call the first sample stale.
   */
  probe (): Probe<never, TegrastatsSample> {
    return {
      name: 'jetson',
      sample: async signal => {
        if (this.latest === undefined && this.clock.now() - this.startedAt <= this.maxAgeMs) await this.untilFirstLine(signal)
        return this.current()
      }
    }
  }

  private async untilFirstLine (signal: AbortSignal): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => { reject(signal.reason) }
      signal.addEventListener('abort', onAbort, { once: true })
      void this.firstLine.promise.then(() => {
        signal.removeEventListener('abort', onAbort)
        resolve()
      })
    })
  }

  private spawn (): void {
    const child = spawn(this.binary, ['--interval', String(this.intervalMs)], { stdio: ['ignore', 'pipe', 'ignore'] })
    this.child = child
    // A binary that cannot be started emits 'error' and may never emit 'close'.
    this.exited = new Promise(resolve => {
      child.once('close', () => resolve())
      child.once('error', () => resolve())
    })
    child.once('error', err => { this.onError?.(err) })
    createInterface({ input: child.stdout! }).on('line', line => {
      try {
        this.latest = { at: this.clock.now(), sample: parseTegrastatsLine(line) }
        this.firstLine.resolve()
      } catch (err) {
        this.rejectedLines++
        this.onError?.(err)
      }
    })
    child.once('close', code => {
      if (this.child === child) this.child = undefined
      if (!this.running) return
      this.onError?.(new Error(`${this.binary} exited with code ${code}; restarting in ${this.restartDelayMs} ms`))
      this.restartTimer = this.clock.setTimeout(() => {
        this.restartTimer = undefined
        if (this.running) this.spawn()
      }, this.restartDelayMs)
    })
  }
}
