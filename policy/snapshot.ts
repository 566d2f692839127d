/**
 * Checks a fabric snapshot and a placement request before they reach the
 * pipeline, so bad telemetry or a bad mapping fails loudly with the field
 * named instead of producing NaN scores. The daemon validates a snapshot
 * once when it builds it; place() validates each request (cheap).
 */
import { InvalidSnapshotError } from './errors.ts'
import type { FabricSnapshot, PlacementRequest } from './types.ts'

function finiteAtLeast (field: string, v: unknown, min: number, strict = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (strict && v === min)) {
    throw new InvalidSnapshotError(`${field}: must be a finite number ${strict ? '>' : '>='} ${min}, got ${String(v)}`)
  }
}

export function validateSnapshot (fabric: FabricSnapshot): void {
  if (!Array.isArray(fabric.nodes) || fabric.nodes.length === 0) {
    throw new InvalidSnapshotError(`snapshot.nodes: must list at least one node, got ${Array.isArray(fabric.nodes) ? 'none' : String(fabric.nodes)}`)
  }
  const regions = new Set<string>()
  const ids = new Set<string>()
  fabric.nodes.forEach((n, i) => {
    const at = `snapshot.nodes[${i}]`
    if (typeof n.id !== 'string' || n.id === '') throw new InvalidSnapshotError(`${at}.id: must be a non-empty string, got ${JSON.stringify(n.id)}`)
    if (ids.has(n.id)) throw new InvalidSnapshotError(`${at}.id: duplicate node id ${JSON.stringify(n.id)}`)
    ids.add(n.id)
    finiteAtLeast(`${at}.pricePerHour`, n.pricePerHour, 0)
    finiteAtLeast(`${at}.capacity.cpuMillis`, n.capacity.cpuMillis, 0, true)
    finiteAtLeast(`${at}.capacity.memoryBytes`, n.capacity.memoryBytes, 0, true)
    finiteAtLeast(`${at}.capacity.gpus`, n.capacity.gpus, 0)
    finiteAtLeast(`${at}.allocated.cpuMillis`, n.allocated.cpuMillis, 0)
    finiteAtLeast(`${at}.allocated.memoryBytes`, n.allocated.memoryBytes, 0)
    finiteAtLeast(`${at}.allocated.gpus`, n.allocated.gpus, 0)
    finiteAtLeast(`${at}.interruptionsPerDay`, n.interruptionsPerDay, 0)
    finiteAtLeast(`${at}.failuresPerDay`, n.failuresPerDay, 0)
    regions.add(n.region)
  })
  for (const [a, row] of Object.entries(fabric.latencyMs)) {
    for (const [b, ms] of Object.entries(row)) {
      finiteAtLeast(`snapshot.latencyMs.${a}.${b}`, ms, 0)
    }
  }
  const list = [...regions]
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i] as string
      const b = list[j] as string
      if (fabric.latencyMs[a]?.[b] === undefined && fabric.latencyMs[b]?.[a] === undefined) {
        throw new InvalidSnapshotError(`snapshot.latencyMs: no latency between regions ${JSON.stringify(a)} and ${JSON.stringify(b)}`)
      }
    }
  }
}

export function validateRequest (req: PlacementRequest): void {
  const r = req.resources
  // Fast path: place() calls this for every decision.
  if (Number.isFinite(r.cpuMillis) && r.cpuMillis >= 0 && Number.isFinite(r.memoryBytes) && r.memoryBytes >= 0 &&
    Number.isInteger(r.gpus) && r.gpus >= 0 && (req.goal === 'cost' || req.goal === 'latency' || req.goal === 'default') &&
    req.users.every(u => Number.isFinite(u.weight) && u.weight >= 0) &&
    (req.sloLatencyMs === undefined || (Number.isFinite(req.sloLatencyMs) && req.sloLatencyMs > 0))) return
  const at = `request(${req.workload}[${req.replica}])`
  finiteAtLeast(`${at}.resources.cpuMillis`, req.resources.cpuMillis, 0)
  finiteAtLeast(`${at}.resources.memoryBytes`, req.resources.memoryBytes, 0)
  if (!Number.isInteger(req.resources.gpus) || req.resources.gpus < 0) {
    throw new InvalidSnapshotError(`${at}.resources.gpus: must be an integer >= 0, got ${String(req.resources.gpus)}`)
  }
  if (!['cost', 'latency', 'default'].includes(req.goal)) {
    throw new InvalidSnapshotError(`${at}.goal: must be cost, latency or default, got ${JSON.stringify(req.goal)}`)
  }
  req.users.forEach((u, i) => finiteAtLeast(`${at}.users[${i}].weight`, u.weight, 0))
  if (req.sloLatencyMs !== undefined) finiteAtLeast(`${at}.sloLatencyMs`, req.sloLatencyMs, 0, true)
}
