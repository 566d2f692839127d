/**
 * Feasibility filters: each a tiny predicate with a stable reason constant
 * (Nomad's feasible.go). Order is cheap and decisive first: node state, then
 * hard constraints that remove whole regions, then resources.
 */
import type { FilterReason, NodeSnapshot, PlacementRequest } from './types.ts'

export interface Filter {
  reason: FilterReason
  /** True when the node may host the replica. */
  feasible: (req: PlacementRequest, node: NodeSnapshot) => boolean
  /** False when the request has no such constraint, so the check can be skipped for every node. */
  applies?: (req: PlacementRequest) => boolean
}

const nonEmpty = (list: unknown[] | undefined): boolean => list !== undefined && list.length > 0

function allowed (list: string[] | undefined, value: string): boolean {
  return list === undefined || list.length === 0 || list.includes(value)
}

/** `arch` in a nodeSelector matches the node's architecture as well as a label of that name. */
function selectorMatches (selector: Record<string, string> | undefined, node: NodeSnapshot): boolean {
  if (selector === undefined) return true
  for (const key in selector) {
    const want = selector[key]
    const have = key === 'arch' ? (node.labels[key] ?? node.arch) : node.labels[key]
    if (have !== want) return false
  }
  return true
}

export const FILTERS: readonly Filter[] = [
  { reason: 'node not alive', feasible: (_r, n) => n.state === 'alive' },
  { reason: 'node cordoned', feasible: (_r, n) => !n.cordoned },
  { reason: 'node excluded', feasible: (r, n) => r.excludeNodes === undefined || !r.excludeNodes.includes(n.id), applies: r => nonEmpty(r.excludeNodes) },
  { reason: 'geography not allowed', feasible: (r, n) => allowed(r.constraints.geographies, n.geography), applies: r => nonEmpty(r.constraints.geographies) },
  { reason: 'provider not allowed', feasible: (r, n) => allowed(r.constraints.providers, n.provider), applies: r => nonEmpty(r.constraints.providers) },
  { reason: 'region not allowed', feasible: (r, n) => allowed(r.constraints.regions, n.region), applies: r => nonEmpty(r.constraints.regions) },
  { reason: 'node selector mismatch', feasible: (r, n) => selectorMatches(r.constraints.nodeSelector, n), applies: r => r.constraints.nodeSelector !== undefined },
  { reason: 'driver not supported', feasible: (r, n) => n.drivers.includes(r.driver) },
  { reason: 'insufficient gpu', feasible: (r, n) => n.allocated.gpus + r.resources.gpus <= n.capacity.gpus, applies: r => r.resources.gpus > 0 },
  { reason: 'insufficient cpu', feasible: (r, n) => n.allocated.cpuMillis + r.resources.cpuMillis <= n.capacity.cpuMillis },
  { reason: 'insufficient memory', feasible: (r, n) => n.allocated.memoryBytes + r.resources.memoryBytes <= n.capacity.memoryBytes }
]

/** The filters a request needs: checks of constraints it does not have are skipped once, not once per node. */
export function filtersFor (req: PlacementRequest): Filter[] {
  return FILTERS.filter(f => f.applies === undefined || f.applies(req))
}

/** The first filter that rejects the node, or undefined when it is feasible. */
export function firstRejection (req: PlacementRequest, node: NodeSnapshot, filters: readonly Filter[] = FILTERS): FilterReason | undefined {
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i] as Filter
    if (!f.feasible(req, node)) return f.reason
  }
  return undefined
}
