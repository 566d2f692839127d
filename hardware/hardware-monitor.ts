/**
 * The hardware layer assembled: detection picks the probes, a ProbeLoop runs
 * them, tegrastats and the cloud interruption watcher run beside it where the
 * machine has them. See index.ts for the public shape.
 */
import { cpus, loadavg as osLoadavg } from 'node:os'
import type { Clock } from '../protocol/clock.ts'
import { cloudSources } from './cloud/detect.ts'
import { InterruptionWatcher } from './cloud/interruption-watcher.ts'
import { detectHardware } from './detect.ts'
import { HardwareNotStartedError } from './errors.ts'
import type { Detected } from './detect.ts'
import type {
  HardwareEvents, HardwareFacts, HardwareMonitor, HardwareMonitorComponents, HardwareMonitorInit,
  HardwareSample, HardwareSummary, HardwareValues
} from './index.ts'
import { TegrastatsRunner } from './jetson/tegrastats-runner.ts'
import { nvidiaSmiProbe } from './nvidia/nvidia-smi.ts'
import type { Probe } from './probe.ts'
import type { CoreTimes } from './system/cpu-load.ts'
import { ProbeLoop, probeLoopDefaults } from './probe-loop.ts'
import type { LoopSample } from './probe-loop.ts'
import {
  batteryProbe, cpuProbe, diskProbe, memoryProbe, networkProbe, osProbe, temperatureProbe
} from './system/probes.ts'

const VALUE_FIELDS: ReadonlyArray<keyof HardwareValues> = ['cpu', 'memory', 'disk', 'temperature', 'battery', 'gpus', 'jetson']

type Listeners = { [K in keyof HardwareEvents]: Set<(e: HardwareEvents[K]) => void> }

export class DefaultHardwareMonitor implements HardwareMonitor {
  private readonly clock: Clock
  private readonly loadavg: () => number[]
  private readonly cpuTimes: () => CoreTimes[]
  private readonly init: HardwareMonitorInit
  private readonly listeners: Listeners = { sample: new Set(), interruption: new Set() }
  private detected: Detected | undefined
  private facts: HardwareFacts = { cpu: null, memory: null, disk: null, os: null, network: null }
  private loop: ProbeLoop<HardwareFacts, HardwareValues> | undefined
  private tegrastats: TegrastatsRunner | undefined
  private watcher: InterruptionWatcher | undefined
  private last: HardwareSample | undefined
  /** Names of what runs after start: the sampled probes, then 'interruption' where a cloud is polled. */
  private running: string[] = []
  private started = false

  constructor (components: HardwareMonitorComponents, init: HardwareMonitorInit) {
    this.clock = components.clock
    this.loadavg = components.loadavg ?? osLoadavg
    this.cpuTimes = components.cpuTimes ?? (() => cpus().map(c => c.times))
    this.init = init
  }

  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    try {
      await this.assemble()
    } catch (err) {
      await this.stop()
      throw err
    }
  }

  /**
   * Builds every part before starting any, so a bad option fails start() with
   * nothing left running; re-checks `started` after each wait, so a stop()
   * that lands mid-start is not undone.
   */
  private async assemble (): Promise<void> {
    const init = this.init
    const staticTimeoutMs = init.staticTimeoutMs ?? probeLoopDefaults.staticTimeoutMs
    // This machine's own facts do not depend on what detection finds: read both
    // at once, so start costs the slower of the two rather than their sum.
    const system: Probe[] = [cpuProbe({ loadavg: this.loadavg, cpuTimes: this.cpuTimes }), memoryProbe(), diskProbe(init.dataDir), networkProbe(), osProbe()]
    const [detected, facts] = await Promise.all([
      detectHardware({ clock: this.clock }, {
        nvidiaSmi: init.nvidiaSmi ?? {},
        jetson: init.jetson === false ? false : { root: init.jetson?.root },
        cloud: init.cloud ?? {},
        sysfsRoot: init.sysfsRoot,
        timeoutMs: staticTimeoutMs,
        onError: init.onError
      }),
      new ProbeLoop<HardwareFacts, never>({ clock: this.clock }, {
        probes: system,
        staticTimeoutMs,
        onProbeError: (name, err) => init.onError?.(name, err)
      }).readStatic()
    ])
    if (!this.started) return
    this.detected = detected
    this.facts = {
      cpu: facts.values.cpu ?? null,
      memory: facts.values.memory ?? null,
      disk: facts.values.disk ?? null,
      os: facts.values.os ?? null,
      network: facts.values.network ?? null
    }

    const probes: Probe[] = [...system]
    if (detected.temperature) probes.push(temperatureProbe(init.sysfsRoot))
    if (detected.battery) probes.push(batteryProbe())
    if (detected.gpus !== null && init.nvidiaSmi !== false) probes.push(nvidiaSmiProbe(init.nvidiaSmi ?? {}))
    const tegrastats = detected.jetson === null || init.jetson === false
      ? undefined
      : new TegrastatsRunner({ clock: this.clock }, {
        binary: init.jetson?.tegrastatsBinary,
        intervalMs: init.jetson?.tegrastatsIntervalMs,
        onError: err => init.onError?.('tegrastats', err)
      })
    if (tegrastats !== undefined) probes.push(tegrastats.probe())
    const loop = new ProbeLoop<HardwareFacts, HardwareValues>({ clock: this.clock }, {
      probes,
      intervalMs: init.intervalMs,
      probeTimeoutMs: init.probeTimeoutMs,
      staticTimeoutMs,
      onSample: s => { this.publish(s) },
      onProbeError: (name, err) => init.onError?.(name, err)
    })
    const watcher = detected.cloud === null || init.cloud === false
      ? undefined
      : new InterruptionWatcher({ clock: this.clock }, {
        source: detected.cloud.source,
        intervalMs: init.cloud?.pollIntervalMs,
        timeoutMs: init.cloud?.pollTimeoutMs,
        onInterruption: n => { this.emit('interruption', n) },
        onError: err => init.onError?.('interruption', err)
      })
    this.loop = loop
    this.tegrastats = tegrastats
    this.watcher = watcher

    tegrastats?.start()
    this.running = [...probes.filter(p => p.sample !== undefined).map(p => p.name), ...(watcher === undefined ? [] : ['interruption'])]
    watcher?.start()
    loop.start()
  }

  async stop (): Promise<void> {
    if (!this.started) return
    this.started = false
    await Promise.all([this.loop?.stop(), this.tegrastats?.stop(), this.watcher?.stop()])
  }

  summary (): HardwareSummary {
    const d = this.detected
    return {
      ...this.facts,
      probes: [...this.running],
      gpus: d === undefined ? null : (d.gpus ?? []),
      jetson: d?.jetson ?? null,
      cloud: d?.cloud?.identity ?? null,
      battery: d?.battery ?? false,
      interruption: this.watcher?.current ?? null
    }
  }

  latest (): HardwareSample | undefined {
    return this.last
  }

  async sampleNow (): Promise<HardwareSample> {
    if (this.loop === undefined) throw new HardwareNotStartedError('sampleNow()')
    return this.complete(await this.loop.sampleOnce())
  }

  on<K extends keyof HardwareEvents>(type: K, listener: (event: HardwareEvents[K]) => void): () => void {
    const set = this.listeners[type] as Set<(e: HardwareEvents[K]) => void>
    set.add(listener)
    return () => { set.delete(listener) }
  }

  /** Fills the fields of absent probes: null, except gpus, which is [] where no NVIDIA stack is. */
  private complete (s: LoopSample<HardwareValues>): HardwareSample {
    const values = { ...s.values } as Record<string, unknown>
    for (const f of VALUE_FIELDS) if (!(f in values)) values[f] = null
    if (this.detected?.gpus === null && !('gpus' in s.values)) values.gpus = []
    return { at: s.at, tookMs: s.tookMs, values: values as HardwareSample['values'], unknown: s.unknown }
  }

  private publish (s: LoopSample<HardwareValues>): void {
    this.last = this.complete(s)
    this.emit('sample', this.last)
  }

  private emit<K extends keyof HardwareEvents>(type: K, event: HardwareEvents[K]): void {
    for (const l of this.listeners[type] as Set<(e: HardwareEvents[K]) => void>) {
      try {
        l(event)
      } catch (err) {
        this.init.onError?.(`listener:${type}`, err)
      }
    }
  }
}
