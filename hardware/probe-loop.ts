/**
 * Runs a set of probes: their static parts once, their dynamic parts every
 * interval. All probes of a pass run concurrently, each under its own deadline,
 * so one slow or failing probe costs only its own field of that sample. The next
 * pass is scheduled when the current one ends (never overlapping it), at the
 * interval's cadence where the pass was shorter than the interval.
 */
import type { Clock, TimerHandle } from '../protocol/clock.ts'
import { withDeadline } from './deadline.ts'
import { codeOf, InvalidHardwareOptionError } from './errors.ts'
import type { Probe, Readings } from './probe.ts'

export interface ProbeLoopComponents {
  clock: Clock
}

export interface ProbeLoopInit<V> {
  probes: readonly Probe[]
  /**
   * Time between the starts of two samples.
   * @default 2000
   */
  intervalMs?: number
  /**
   * Deadline of one probe's dynamic reading; past it, the field is unknown for that sample.
   * @default 1000
   */
  probeTimeoutMs?: number
  /**
   * Deadline of one probe's static reading, which may spawn a process or walk /sys once.
   * @default 5000
   */
  staticTimeoutMs?: number
  /** Called with each finished sample. */
  onSample?: (sample: LoopSample<V>) => void
  /** Called for each probe error, for logs; the sample records only its code. */
  onProbeError?: (probe: string, err: unknown) => void
}

export interface LoopSample<V> extends Readings<V> {
  /** When the pass started, ms since the epoch. */
  at: number
  /** How long the whole pass took. */
  tookMs: number
}

export const probeLoopDefaults = {
  intervalMs: 2000, // the SPEC's telemetry period
  probeTimeoutMs: 1000, // half the interval: a stuck probe still leaves time for the rest of the pass
  staticTimeoutMs: 5000 // once per start; nvidia-smi's first call can take seconds while the driver loads
} as const

export class ProbeLoop<S, V> {
  private readonly clock: Clock
  private readonly probes: readonly Probe[]
  private readonly intervalMs: number
  private readonly probeTimeoutMs: number
  private readonly staticTimeoutMs: number
  private readonly onSample: ((sample: LoopSample<V>) => void) | undefined
  private readonly onProbeError: ((probe: string, err: unknown) => void) | undefined
  private timer: TimerHandle | undefined
  private running = false
  private inFlight: Promise<void> | undefined
  private stopController: AbortController | undefined

  constructor (components: ProbeLoopComponents, init: ProbeLoopInit<V>) {
    this.clock = components.clock
    this.probes = init.probes
    this.intervalMs = positive('intervalMs', init.intervalMs ?? probeLoopDefaults.intervalMs)
    this.probeTimeoutMs = positive('probeTimeoutMs', init.probeTimeoutMs ?? probeLoopDefaults.probeTimeoutMs)
    this.staticTimeoutMs = positive('staticTimeoutMs', init.staticTimeoutMs ?? probeLoopDefaults.staticTimeoutMs)
    this.onSample = init.onSample
    this.onProbeError = init.onProbeError
    const names = new Set<string>()
    for (const p of this.probes) {
      if (names.has(p.name)) throw new InvalidHardwareOptionError(`probes: names must be unique: '${p.name}' appears twice`)
      names.add(p.name)
    }
  }

  /** Reads every probe's static part once. */
  async readStatic (): Promise<Readings<S>> {
    return await this.pass(p => p.readStatic, this.staticTimeoutMs) as Readings<S>
  }

  /** Takes one dynamic sample now, outside the schedule (status commands, benchmarks). */
  async sampleOnce (): Promise<LoopSample<V>> {
    const at = this.clock.now()
    const readings = await this.pass(p => p.sample, this.probeTimeoutMs) as Readings<V>
    return { at, tookMs: this.clock.now() - at, ...readings }
  }

  get isRunning (): boolean {
    return this.running
  }

  /** Starts sampling: the first sample is taken at once, then every interval. */
  start (): void {
    if (this.running) return
    this.running = true
    this.stopController = new AbortController()
    this.schedule(0)
  }

  /** Stops sampling; resolves once a pass in flight has ended (its probes are aborted). */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.stopController?.abort(new Error('probe loop stopped'))
    await this.inFlight
  }

  private schedule (delayMs: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      this.inFlight = this.tick()
    }, delayMs)
  }

  private async tick (): Promise<void> {
    const at = this.clock.now()
    const signal = this.stopController?.signal
    const readings = await this.pass(p => p.sample, this.probeTimeoutMs, signal) as Readings<V>
    if (!this.running) return
    const tookMs = this.clock.now() - at
    try {
      this.onSample?.({ at, tookMs, ...readings })
    } catch (err) {
      // A listener's bug must not end sampling for everyone else.
      this.onProbeError?.('onSample', err)
    }
    if (this.running) this.schedule(Math.max(0, this.intervalMs - tookMs))
  }

  private async pass (
    part: (p: Probe) => ((signal: AbortSignal) => Promise<unknown>) | undefined,
    timeoutMs: number,
    signal?: AbortSignal
  ): Promise<Readings<Record<string, unknown>>> {
    const values: Record<string, unknown> = {}
    const unknown: Record<string, string> = {}
    await Promise.all(this.probes.map(async probe => {
      const read = part(probe)
      if (read === undefined) return
      try {
        values[probe.name] = await withDeadline(this.clock, probe.name, timeoutMs, s => read.call(probe, s), signal)
      } catch (err) {
        values[probe.name] = null
        unknown[probe.name] = codeOf(err)
        this.onProbeError?.(probe.name, err)
      }
    }))
    return { values, unknown }
  }
}

function positive (name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InvalidHardwareOptionError(`${name}: must be a finite number > 0: current value is ${value}`)
  }
  return value
}
