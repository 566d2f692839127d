/**
 * What this machine is and how it is doing, for telemetry, placement and
 * `hyperion status`. The daemon makes one monitor, starts it, and reads:
 *
 * ```ts
 * const hw = createHardwareMonitor({ dataDir })
 * hw.on('sample', s => publishTelemetry(s))          // every intervalMs
 * hw.on('interruption', n => drainBefore(n.deadline)) // cloud spot notices
 * await hw.start()                                    // detection + static facts; the first sample follows at once
 * hw.summary()                                        // for `status --json`: {"jetson": null, "gpus": [], "cloud": null, …}
 * await hw.stop()                                     // timers are unref'd: the monitor alone never keeps a process alive
 * ```
 *
 * A sample (`HardwareSample`) looks like this (this 2-core VM, plus one GPU
 * as a machine with nvidia-smi would report it):
 *
 * ```json
 * { "at": 1796317059240, "tookMs": 5,
 *   "values": {
 *     "cpu": {"loadPercent": 12.5, "loadAverage": [1.66, 2.2, 1.33]},
 *     "memory": {"availableBytes": 24568061952, "usedBytes": 708009984},
 *     "disk": {"availableBytes": 84953034752, "freeBytes": 246561914880},
 *     "temperature": null, "battery": null,
 *     "gpus": [{"uuid": "GPU-5b3f2e9e-…", "model": "NVIDIA A10G", "utilizationPercent": 37, "memoryUsedMiB": 1024,
 *               "memoryTotalMiB": 23028, "temperatureC": 41, "powerW": 61.25}],
 *     "jetson": null },
 *   "unknown": {} }
 * ```
 *
 * and `summary()` like this:
 *
 * ```json
 * { "cpu": {"model": "Intel Xeon® Processor", "arch": "x64", "cores": 2, "physicalCores": 2, "maxSpeedMHz": null},
 *   "memory": {"totalBytes": 25276071936}, "disk": {"path": "/var/lib/hyperion", "totalBytes": 270553174016},
 *   "os": {"platform": "linux", "distro": "Debian GNU/Linux", "release": "12", "kernel": "6.18.44", "hostname": "vm"},
 *   "network": [{"name": "eth0", "mac": "02:fc:00:00:00:01", "ipv4": "192.0.2.2", "ipv6": "fd00::2",
 *                "internal": false, "speedMbps": null, "isDefault": true}],
 *   "probes": ["cpu", "memory", "disk"], "gpus": [], "jetson": null, "cloud": null,
 *   "battery": false, "interruption": null }
 * ```
 *
 * A field is null either because the machine has no such thing (its probe is
 * not in the set: `summary().probes` lists those that are) or because its
 * probe failed this time, and then `unknown` names the field with the error
 * code. `gpus` is `[]` where no NVIDIA stack is installed.
 */
import type { Clock } from '../protocol/clock.ts'
import { systemClock } from '../protocol/clock.ts'
import type { CloudDetectInit } from './cloud/detect.ts'
import type { CloudIdentity, InterruptionNotice } from './cloud/types.ts'
import { DefaultHardwareMonitor } from './hardware-monitor.ts'
import type { JetsonFacts } from './jetson/detect.ts'
import type { TegrastatsSample } from './jetson/tegrastats-parse.ts'
import type { GpuFacts, GpuSample } from './nvidia/nvidia-smi.ts'
import type { LoopSample } from './probe-loop.ts'
import type { CoreTimes } from './system/cpu-load.ts'
import type {
  BatterySample, CpuFacts, CpuSample, DiskFacts, DiskSample, MemoryFacts, MemorySample,
  NetworkInterfaceFacts, OsFacts, TemperatureSample
} from './system/probes.ts'

export interface HardwareMonitorComponents {
  clock: Clock
  /** The kernel's load averages; injected so tests can fix them. @default os.loadavg */
  loadavg?: () => number[]
  /** Per-core cumulative CPU times. @default () => os.cpus().map(c => c.times) */
  cpuTimes?: () => CoreTimes[]
}

export interface HardwareMonitorInit {
  /** The data dir: its filesystem is the one whose size and free space are reported. */
  dataDir: string
  /**
   * Where sysfs classes are (hwmon, thermal), for temperatures; tests point it at a recorded tree.
   * @default '/sys/class'
   */
  sysfsRoot?: string
  /**
   * Time between the starts of two samples.
   * @default 2000
   */
  intervalMs?: number
  /**
   * Deadline of one probe's reading; past it, that field is unknown for that sample.
   * @default 1000
   */
  probeTimeoutMs?: number
  /**
   * Deadline of each question at start (static facts, nvidia-smi, files, sensors).
   * @default 5000
   */
  staticTimeoutMs?: number
  /**
   * nvidia-smi: `false` never looks for it.
   * @default { binary: 'nvidia-smi' }
   */
  nvidiaSmi?: { binary?: string } | false
  /**
   * Jetson detection and tegrastats: `false` never looks.
   * @default { root: '/', tegrastatsBinary: 'tegrastats', tegrastatsIntervalMs: 1000 }
   */
  jetson?: { root?: string, tegrastatsBinary?: string, tegrastatsIntervalMs?: number } | false
  /**
   * Cloud metadata: `false` never asks (an on-prem or edge node that knows it is not in a cloud).
   * @default { timeoutMs: 300, pollIntervalMs: 5000, pollTimeoutMs: 2000 } with the providers' own base URLs
   */
  cloud?: (Omit<CloudDetectInit, 'onError'> & { pollIntervalMs?: number, pollTimeoutMs?: number }) | false
  /** Told about every probe error and failed poll, for logs. */
  onError?: (what: string, err: unknown) => void
}

/** Facts read once at start; a field is null when its probe failed then. */
export interface HardwareFacts {
  cpu: CpuFacts | null
  memory: MemoryFacts | null
  disk: DiskFacts | null
  os: OsFacts | null
  network: NetworkInterfaceFacts[] | null
}

/** The fields of a sample. */
export interface HardwareValues {
  cpu: CpuSample
  memory: MemorySample
  disk: DiskSample
  temperature: TemperatureSample
  battery: BatterySample
  gpus: GpuSample[]
  jetson: TegrastatsSample
}

export type HardwareSample = LoopSample<HardwareValues>

/** What `hyperion status --json` shows under `hardware`: plain JSON. */
export interface HardwareSummary extends HardwareFacts {
  /** The probes running each interval. */
  probes: string[]
  /** GPUs nvidia-smi listed at start; [] without nvidia-smi; null if it failed at start. */
  gpus: GpuFacts[] | null
  jetson: JetsonFacts | null
  cloud: CloudIdentity | null
  battery: boolean
  /** A standing notice that the cloud will reclaim this instance. */
  interruption: InterruptionNotice | null
}

export interface HardwareEvents {
  sample: HardwareSample
  interruption: InterruptionNotice
}

export interface HardwareMonitor {
  /** Detects the machine, reads static facts, takes a first sample and starts the loops. */
  start(): Promise<void>
  /** Stops the loops, tegrastats and the interruption watcher; resolves when all have ended. */
  stop(): Promise<void>
  /** Summary for status; before start() it has only nulls. */
  summary(): HardwareSummary
  /** The latest sample, undefined before the first. */
  latest(): HardwareSample | undefined
  /** Takes one sample now, outside the schedule. */
  sampleNow(): Promise<HardwareSample>
  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof HardwareEvents>(type: K, listener: (event: HardwareEvents[K]) => void): () => void
}

export function createHardwareMonitor (
  init: HardwareMonitorInit,
  components: HardwareMonitorComponents = { clock: systemClock }
): HardwareMonitor {
  return new DefaultHardwareMonitor(components, init)
}

export { systemClock } from '../protocol/clock.ts'
export type { Clock, TimerHandle } from '../protocol/clock.ts'
export { HardwareErrorCode } from './errors.ts'
export type { Probe, Readings } from './probe.ts'
export type { LoopSample } from './probe-loop.ts'
export { parseNvidiaSmiCsv } from './nvidia/nvidia-smi.ts'
export { parseTegrastatsLine } from './jetson/tegrastats-parse.ts'
export { parseTegraRelease } from './jetson/detect.ts'
export type { CloudIdentity, CloudProvider, InterruptionNotice } from './cloud/types.ts'
export type { JetsonFacts, TegrastatsSample, GpuFacts, GpuSample }
export type {
  BatterySample, CpuFacts, CpuSample, DiskFacts, DiskSample, MemoryFacts, MemorySample,
  NetworkInterfaceFacts, OsFacts, TemperatureSample
}
