/**
 * Probes of this machine, one per field, so that a slow source only costs its
 * own field. Static parts (capacity, identity) come from `systeminformation`;
 * dynamic parts are read in-process or asynchronously, never by a synchronous
 * child process that would stall the daemon every interval (see cpu-load.ts,
 * thermal.ts).
 */
import { statfs } from 'node:fs/promises'
import si from 'systeminformation'
import type { Probe } from '../probe.ts'
import { CpuLoadMeter } from './cpu-load.ts'
import type { CoreTimes } from './cpu-load.ts'
import { readSysfsTemperatures } from './thermal.ts'
import type { TemperatureReading } from './thermal.ts'

export interface CpuFacts {
  /** `${manufacturer} ${brand}` as the kernel reports it, e.g. "Intel Xeon® Processor". */
  model: string
  /** Node's `process.arch` naming: `x64`, `arm64`, … */
  arch: string
  /** Logical cores, as `os.cpus().length`. */
  cores: number
  physicalCores: number
  /** Nominal maximum clock, null where the kernel reports none (many VMs). */
  maxSpeedMHz: number | null
}

export interface CpuSample {
  /** Busy share of all cores since the previous reading, 0–100; null on the rare reading with no counter progress. */
  loadPercent: number | null
  /** The kernel's 1/5/15-minute load averages. */
  loadAverage: [number, number, number]
}

export interface MemoryFacts {
  totalBytes: number
}

export interface MemorySample {
  /** What a new process can get without swapping (MemAvailable on Linux). */
  availableBytes: number
  usedBytes: number
}

export interface DiskFacts {
  /** The path whose filesystem is measured (the data dir). */
  path: string
  totalBytes: number
}

export interface DiskSample {
  /** Free to an unprivileged user (statfs f_bavail), what the daemon can write. */
  availableBytes: number
  freeBytes: number
}

export interface NetworkInterfaceFacts {
  name: string
  mac: string | null
  ipv4: string | null
  ipv6: string | null
  internal: boolean
  /** Link speed in Mbit/s, null where the driver does not say (virtual NICs). */
  speedMbps: number | null
  /** Whether the default route leaves through it. */
  isDefault: boolean
}

/** The temperature field of a sample. */
export type TemperatureSample = TemperatureReading

export interface BatterySample {
  percent: number
  charging: boolean
  /** Power source: mains when connected, else the battery. */
  source: 'ac' | 'battery'
  /** Minutes left at the current draw, null while charging or when unknown. */
  minutesRemaining: number | null
}

export interface OsFacts {
  platform: string
  distro: string
  release: string
  kernel: string
  hostname: string
}

export interface CpuProbeComponents {
  /** The kernel's 1/5/15-minute load averages (os.loadavg). */
  loadavg: () => number[]
  /** Per-core cumulative times (os.cpus().map(c => c.times)). */
  cpuTimes: () => CoreTimes[]
}

export function cpuProbe (components: CpuProbeComponents): Probe<CpuFacts, CpuSample> {
  const meter = new CpuLoadMeter(components.cpuTimes)
  return {
    name: 'cpu',
    readStatic: async () => {
      const c = await si.cpu()
      return {
        model: [c.manufacturer, c.brand].filter(s => s !== '').join(' '),
        arch: process.arch,
        cores: c.cores,
        physicalCores: c.physicalCores,
        maxSpeedMHz: c.speedMax > 0 ? Math.round(c.speedMax * 1000) : null
      }
    },
    sample: async () => {
      const [a = 0, b = 0, c = 0] = components.loadavg()
      return { loadPercent: meter.percent(), loadAverage: [a, b, c] }
    }
  }
}

export function memoryProbe (): Probe<MemoryFacts, MemorySample> {
  return {
    name: 'memory',
    readStatic: async () => ({ totalBytes: (await si.mem()).total }),
    sample: async () => {
      const m = await si.mem()
      return { availableBytes: m.available, usedBytes: m.total - m.available }
    }
  }
}

/**
 * statfs of the path itself rather than matching si.fsSize() mount points by
 * prefix: bind mounts, overlays and symlinks make prefix matching pick the wrong
 * filesystem, and statfs is one syscall instead of a `df` for every mount.
 */
export function diskProbe (path: string): Probe<DiskFacts, DiskSample> {
  return {
    name: 'disk',
    readStatic: async () => {
      const s = await statfs(path)
      return { path, totalBytes: s.blocks * s.bsize }
    },
    sample: async () => {
      const s = await statfs(path)
      return { availableBytes: s.bavail * s.bsize, freeBytes: s.bfree * s.bsize }
    }
  }
}

export function networkProbe (): Probe<NetworkInterfaceFacts[], never> {
  return {
    name: 'network',
    readStatic: async () => {
      const list = await si.networkInterfaces()
      const ifaces = Array.isArray(list) ? list : [list]
      return ifaces.map(i => ({
        name: i.iface,
        mac: i.mac === '' ? null : i.mac,
        ipv4: i.ip4 === '' ? null : i.ip4,
        ipv6: i.ip6 === '' ? null : i.ip6,
        internal: i.internal,
        speedMbps: typeof i.speed === 'number' && i.speed > 0 ? i.speed : null,
        isDefault: i.default
      }))
    }
  }
}

export function osProbe (): Probe<OsFacts, never> {
  return {
    name: 'os',
    readStatic: async () => {
      const o = await si.osInfo()
      return { platform: o.platform, distro: o.distro, release: o.release, kernel: o.kernel, hostname: o.hostname }
    }
  }
}

/** Reads sensors once; the probe is in the set only where the machine reports a temperature. */
export async function readTemperature (sysfsRoot?: string): Promise<TemperatureSample | null> {
  return await readSysfsTemperatures(sysfsRoot)
}

export function temperatureProbe (sysfsRoot?: string): Probe<never, TemperatureSample> {
  return {
    name: 'temperature',
    sample: async () => {
      const t = await readTemperature(sysfsRoot)
      // Sensors that answered at detection and not now are unknown, not absent.
      if (t === null) throw new Error('no sensor answered')
      return t
    }
  }
}

/** Reads the battery once; null where the machine has none. */
export async function readBattery (): Promise<BatterySample | null> {
  const b = await si.battery()
  if (!b.hasBattery) return null
  return {
    percent: b.percent,
    charging: b.isCharging,
    source: b.acConnected ? 'ac' : 'battery',
    minutesRemaining: typeof b.timeRemaining === 'number' && b.timeRemaining >= 0 && !b.isCharging ? b.timeRemaining : null
  }
}

export function batteryProbe (): Probe<never, BatterySample> {
  return {
    name: 'battery',
    sample: async () => {
      const b = await readBattery()
      if (b === null) throw new Error('battery no longer reported')
      return b
    }
  }
}
