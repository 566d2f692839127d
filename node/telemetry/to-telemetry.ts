import type { HardwareSample, HardwareSummary } from '../../hardware/index.ts'
import type { NodeFacts, NodeSample, Telemetry } from '../../protocol/telemetry/index.ts'
import type { NodeConfig } from '../config/node-config.ts'

/**
 * What this node says about itself, from its config (where it is, what it
 * costs) and its hardware monitor (what it has, how it is doing). Pure, so
 * the mapping is tested without a machine.
 */
export function nodeFacts (config: NodeConfig, hw: HardwareSummary, version: string): NodeFacts {
  return {
    region: config.region,
    zone: config.zone,
    geography: config.geography,
    provider: config.provider as NodeFacts['provider'],
    labels: config.labels,
    pricePerHour: config.pricePerHour,
    spot: config.spot,
    priority: config.priority,
    version,
    arch: hw.cpu?.arch ?? process.arch,
    cpuModel: hw.cpu?.model ?? null,
    cores: hw.cpu?.cores ?? null,
    memoryTotalBytes: hw.memory?.totalBytes ?? null,
    diskTotalBytes: hw.disk?.totalBytes ?? null,
    gpus: (hw.gpus ?? []).map(g => ({ model: g.model, memoryTotalMiB: g.memoryTotalMiB })),
    jetson: hw.jetson == null ? null : { model: hw.jetson.model, l4t: hw.jetson.l4t },
    cloud: hw.cloud == null ? null : { provider: hw.cloud.provider, instanceType: hw.cloud.instanceType, lifecycle: hw.cloud.lifecycle }
  }
}

export function nodeSample (s: HardwareSample | undefined, hw: HardwareSummary): NodeSample {
  const v = s?.values
  const gpuFacts = hw.gpus ?? []
  return {
    cpuLoadPercent: v?.cpu?.loadPercent ?? null,
    memoryAvailableBytes: v?.memory?.availableBytes ?? null,
    diskAvailableBytes: v?.disk?.availableBytes ?? null,
    temperatureC: v?.temperature?.maxC ?? null,
    battery: v?.battery == null ? null : { percent: v.battery.percent, charging: v.battery.charging },
    // Keep the facts' GPU order: a receiver pairs them by position.
    gpus: gpuFacts.map(f => {
      const g = v?.gpus?.find(x => x.uuid === f.uuid)
      return { utilizationPercent: g?.utilizationPercent ?? null, memoryUsedMiB: g?.memoryUsedMiB ?? null, temperatureC: g?.temperatureC ?? null, powerW: g?.powerW ?? null }
    }),
    interruption: hw.interruption == null ? null : interruption(hw.interruption.action, hw.interruption.deadline)
  }
}

export function telemetry (seq: number, at: number, startedAt: number, facts: NodeFacts, sample: NodeSample): Telemetry {
  return { seq, at, startedAt, facts, sample }
}

/** A provider's notice as the wire takes it: its word cut to 32 bytes, a deadline we cannot parse is unknown. */
function interruption (action: string, deadline: string | null): NodeSample['interruption'] {
  const at = deadline == null ? Number.NaN : Date.parse(deadline)
  const bytes = new TextEncoder().encode(action)
  const word = bytes.length <= 32 ? action : new TextDecoder().decode(bytes.subarray(0, 32)).replace(/\uFFFD+$/, '')
  return { action: word, deadline: Number.isFinite(at) ? at : null }
}
