import { MalformedMessageError, Reader, Writer } from '../codec/index.ts'

/**
 * What one region tells the rest of the fabric, in place of its nodes'
 * telemetry: counts and totals, enough for placement to decide which region
 * to look at, published every few seconds by one node of the region. A node
 * processes its own region's telemetry plus one summary per region, never
 * the telemetry of the whole fabric.
 */
export interface RegionSummary {
  region: string
  geography: string
  /** Sender wall clock, ms since the epoch. */
  at: number
  /** Per-sender sequence (a new summariser starts its own). */
  seq: number
  nodes: number
  spotNodes: number
  cores: number
  memoryTotalBytes: number
  memoryAvailableBytes: number
  gpus: number
  /** Cheapest node's price, micro-USD per hour; null with no node. */
  minPricePerHour: number | null
  /** Average CPU load of the region's nodes, percent. */
  cpuLoadPercent: number | null
  /** Nodes with a pending spot/preemption notice. */
  interrupted: number
  /** The sender's coordinator epoch (0 before an election), and its priority: who leads the fabric. */
  epoch: number
  priority: number
}

export const SUMMARY_VERSION = 1
export const MAX_SUMMARY_BYTES = 512
const MAX_COUNT = 1_000_000
const MAX_BYTES = 2 ** 53 - 1

export function encodeRegionSummary (s: RegionSummary): Uint8Array {
  return new Writer(128).u8(SUMMARY_VERSION)
    .string(s.region).string(s.geography).varint(s.at).varint(s.seq)
    .varint(s.nodes).varint(s.spotNodes).varint(s.cores)
    .varint(s.memoryTotalBytes).varint(s.memoryAvailableBytes).varint(s.gpus)
    .varint(s.minPricePerHour == null ? 0 : Math.round(s.minPricePerHour * 1e6) + 1)
    .varint(s.cpuLoadPercent == null ? 0 : Math.round(s.cpuLoadPercent * 10) + 1)
    .varint(s.interrupted)
    .varint(s.epoch).varint(s.priority + 1000)
    .finish()
}

export function decodeRegionSummary (bytes: Uint8Array): RegionSummary {
  if (bytes.length > MAX_SUMMARY_BYTES) throw new MalformedMessageError(`region summary: ${bytes.length} bytes exceeds the maximum ${MAX_SUMMARY_BYTES}`)
  const r = new Reader(bytes, 'region summary')
  const version = r.u8('version')
  if (version !== SUMMARY_VERSION) throw new MalformedMessageError(`region summary: version: unsupported version ${version} (this node reads ${SUMMARY_VERSION})`)
  const region = r.string('region', 63)
  const geography = r.string('geography', 16)
  const at = r.varint('at', 32_503_680_000_000)
  const seq = r.varint('seq')
  const nodes = r.varint('nodes', MAX_COUNT)
  const spotNodes = r.varint('spotNodes', nodes)
  const cores = r.varint('cores', MAX_COUNT * 4096)
  const memoryTotalBytes = r.varint('memoryTotalBytes', MAX_BYTES)
  const memoryAvailableBytes = r.varint('memoryAvailableBytes', memoryTotalBytes)
  const gpus = r.varint('gpus', MAX_COUNT * 16)
  const price = r.varint('minPricePerHour', 10_000 * 1e6 + 1)
  const load = r.varint('cpuLoadPercent', 1001)
  const interrupted = r.varint('interrupted', nodes)
  const epoch = r.varint('epoch')
  const priority = r.varint('priority', 2000) - 1000
  r.end()
  return {
    region, geography, at, seq, nodes, spotNodes, cores, memoryTotalBytes, memoryAvailableBytes, gpus,
    minPricePerHour: price === 0 ? null : (price - 1) / 1e6,
    cpuLoadPercent: load === 0 ? null : (load - 1) / 10,
    interrupted,
    epoch,
    priority
  }
}
