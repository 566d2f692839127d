/**
 * What every node tells its region every telemetry interval: what it is
 * (facts, which rarely change) and how it is doing (a sample). One message
 * carries both, so a node that hears one message knows everything about the
 * sender; the facts are small enough that this costs less than a second
 * message kind and a request path for missing facts would.
 *
 * `null` always means unknown (not measured, probe failed or timed out),
 * never zero. The wire format, its precision and its limits: codec.ts.
 */
export const CLOUD_PROVIDERS = ['aws', 'gcp', 'azure'] as const
export type CloudProvider = typeof CLOUD_PROVIDERS[number]

export const NODE_PROVIDERS = ['aws', 'gcp', 'azure', 'onprem', 'edge'] as const
export type NodeProvider = typeof NODE_PROVIDERS[number]

export interface GpuFacts {
  model: string
  memoryTotalMiB: number | null
}

export interface NodeFacts {
  region: string
  zone: string
  geography: string
  provider: NodeProvider
  labels: Record<string, string>
  /** USD per hour. */
  pricePerHour: number
  spot: boolean
  /** Election rank (higher first), -1000..1000. */
  priority: number
  /** hyperion version of the sender. */
  version: string
  /** `process.arch` naming: x64, arm64. */
  arch: string
  cpuModel: string | null
  cores: number | null
  memoryTotalBytes: number | null
  diskTotalBytes: number | null
  gpus: GpuFacts[]
  jetson: { model: string | null, l4t: string | null } | null
  cloud: { provider: CloudProvider, instanceType: string | null, lifecycle: 'spot' | 'on-demand' | null } | null
}

export interface GpuSample {
  utilizationPercent: number | null
  memoryUsedMiB: number | null
  temperatureC: number | null
  powerW: number | null
}

export interface NodeSample {
  /** Busy share of all cores, 0-100. */
  cpuLoadPercent: number | null
  memoryAvailableBytes: number | null
  diskAvailableBytes: number | null
  /** Hottest sensor, °C. */
  temperatureC: number | null
  battery: { percent: number, charging: boolean } | null
  /** In the order of `NodeFacts.gpus`. */
  gpus: GpuSample[]
  /** A pending spot/preemption notice: the node is about to be reclaimed. */
  interruption: { action: string, deadline: number | null } | null
}

export interface Telemetry {
  /** Per-sender sequence number; a receiver keeps only the highest it has seen. */
  seq: number
  /** Sender wall clock when the sample was taken, ms since the epoch. */
  at: number
  /** When the sender's daemon started, ms since the epoch (a restart resets seq). */
  startedAt: number
  facts: NodeFacts
  sample: NodeSample
}
