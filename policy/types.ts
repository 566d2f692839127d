/**
 * The placement layer's own view of the world. The daemon maps its state
 * (FabricView, manifests) onto these; the simulator builds them from a
 * scenario. Quantities are already parsed: cpu in millicores, memory in bytes.
 */

export type Goal = 'cost' | 'latency' | 'default'
export type NodeState = 'alive' | 'suspect' | 'dead'
/** How a replica is run: `container` needs a container runtime, `exec` runs a process. */
export type Driver = 'exec' | 'container'

export interface Resources {
  cpuMillis: number
  memoryBytes: number
  gpus: number
}

export interface UserShare {
  region: string
  weight: number
}

/** Hard constraints: a placement that breaks one is a bug (invariant 6). */
export interface Constraints {
  geographies?: string[]
  /** Providers (`aws`, `gcp`, `edge`, …); the manifest calls them clouds. */
  providers?: string[]
  regions?: string[]
  nodeSelector?: Record<string, string>
}

/** One replica to place. */
export interface PlacementRequest {
  workload: string
  replica: number
  resources: Resources
  driver: Driver
  goal: Goal
  constraints: Constraints
  /** Soft: favour spot capacity. */
  preferSpot: boolean
  /** Where latency is measured from; empty for batch work. */
  users: UserShare[]
  /** Soft data-locality hint, as `provider:region` or a bare region. */
  dataLocality?: string
  sloLatencyMs?: number
  /** Nodes this replica must not go to (the node it is being moved off, a node under notice). */
  excludeNodes?: string[]
}

export interface NodeSnapshot {
  id: string
  region: string
  geography: string
  provider: string
  /** `amd64` or `arm64`; also matchable through nodeSelector as `arch`. */
  arch: string
  labels: Record<string, string>
  drivers: Driver[]
  state: NodeState
  cordoned: boolean
  capacity: Resources
  allocated: Resources
  /** Replicas on the node now; drives the queueing term of latency. */
  replicas: number
  pricePerHour: number
  spot: boolean
  /** Expected spot interruptions per day (0 for on-demand). */
  interruptionsPerDay: number
  failuresPerDay: number
}

export interface FabricSnapshot {
  nodes: NodeSnapshot[]
  /** Round-trip ms between regions; looked up in both directions, 0 within a region unless given. */
  latencyMs: Record<string, Record<string, number>>
}

/** Why a node was filtered out: stable constants, shown in `describe`. */
export type FilterReason =
  | 'node not alive'
  | 'node cordoned'
  | 'node excluded'
  | 'insufficient cpu'
  | 'insufficient memory'
  | 'insufficient gpu'
  | 'driver not supported'
  | 'geography not allowed'
  | 'provider not allowed'
  | 'region not allowed'
  | 'node selector mismatch'

export interface Filtered {
  node: string
  reason: FilterReason
}

export interface ScoredCandidate {
  node: string
  /** Named, normalised per-scorer values in [0, 1], higher is better. */
  scores: Record<string, number>
  total: number
}

export interface Decision {
  workload: string
  replica: number
  /** The chosen node, or undefined when no node is feasible. */
  node?: string
  policy: string
  considered: number
  filtered: Filtered[]
  /** Feasible candidates, best first (the top few are kept for explanation). */
  ranked: ScoredCandidate[]
  /** Set when only a sample of the feasible nodes was scored (large fabrics). */
  sampled?: { scored: number, feasible: number }
  /** Set when the requested policy could not run and another stood in. */
  fallback?: { from: string, to: string, reason: string }
  warnings: string[]
}
