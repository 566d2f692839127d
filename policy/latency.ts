/**
 * The latency model shared by the scorers and the simulator, so the greedy
 * heuristic and the learned policy are judged by the same physics they rank by.
 */
import type { FabricSnapshot, UserShare } from './types.ts'

/** RTT within one region when the matrix does not say: AWS reports 0.25–3.4 ms between zones. */
export const INTRA_REGION_RTT_MS = 2
/** RTT assumed for a region pair the matrix lacks; pessimistic so an unknown path never looks attractive. */
export const UNKNOWN_RTT_MS = 300
/** Mean service time of one request on an idle node; scales the queueing term. */
export const SERVICE_MS = 2
/** Keeps the queueing term finite at full allocation (M/M/1 would diverge at utilisation 1). */
const HEADROOM = 0.1

/** Round trip between two regions, looked up in both directions; undefined when unknown. */
export function lookupRtt (latencyMs: FabricSnapshot['latencyMs'], a: string, b: string): number | undefined {
  const ab = latencyMs[a]?.[b]
  if (ab !== undefined) return ab
  const ba = latencyMs[b]?.[a]
  if (ba !== undefined) return ba
  return a === b ? INTRA_REGION_RTT_MS : undefined
}

export function rtt (latencyMs: FabricSnapshot['latencyMs'], a: string, b: string): number {
  return lookupRtt(latencyMs, a, b) ?? UNKNOWN_RTT_MS
}

/**
 * Queueing delay on a node whose cpu is `utilisation` allocated: an M/M/1
 * shape, so crowding a node costs latency and the cost grows sharply near full.
 */
export function queueMs (utilisation: number): number {
  const rho = Math.min(Math.max(utilisation, 0), 1)
  return SERVICE_MS * rho / (1 + HEADROOM - rho)
}

/** Weighted mean user latency of a replica in `region` on a node at `utilisation`. */
export function userLatencyMs (latencyMs: FabricSnapshot['latencyMs'], users: UserShare[], region: string, utilisation: number): number {
  if (users.length === 0) return 0
  let sum = 0
  let weights = 0
  for (const u of users) {
    sum += u.weight * rtt(latencyMs, u.region, region)
    weights += u.weight
  }
  return (weights > 0 ? sum / weights : 0) + queueMs(utilisation)
}

/** The worst user region's latency: what a p99 sees. */
export function worstUserLatencyMs (latencyMs: FabricSnapshot['latencyMs'], users: UserShare[], region: string, utilisation: number): number {
  let worst = 0
  for (const u of users) {
    if (u.weight <= 0) continue
    worst = Math.max(worst, rtt(latencyMs, u.region, region))
  }
  return users.length === 0 ? 0 : worst + queueMs(utilisation)
}
