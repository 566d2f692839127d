/**
 * Scorers: each turns one property of a feasible (replica, node) pair into a
 * named value in [0, 1], higher is better, normalised against the best
 * candidate so weights mean the same thing on any fabric (Nomad's rank.go).
 */
import { queueMs, rtt, userLatencyMs, worstUserLatencyMs } from './latency.ts'
import type { FabricSnapshot, NodeSnapshot, PlacementRequest } from './types.ts'

export const SCORE_NAMES = ['cost', 'latency', 'slo', 'spot', 'locality', 'packing', 'risk', 'gpu'] as const
export type ScoreName = typeof SCORE_NAMES[number]

/** A feasible node with the raw quantities the scorers and the learned policy read. */
export interface Candidate {
  node: NodeSnapshot
  /** Fraction of the node the replica takes, by its dominant resource. */
  share: number
  utilBefore: number
  utilAfter: number
  /** What the replica adds to the bill: a whole node when it opens an idle one, else its share. */
  costPerHour: number
  /** Mean user latency after placement (RTT plus queueing), 0 without users. */
  latencyMs: number
  worstLatencyMs: number
  /** RTT from the data's region, undefined without a locality hint. */
  localityRttMs: number | undefined
  /** Expected disruptions per day (spot interruptions plus failures). */
  riskPerDay: number
  scores: Record<ScoreName, number>
}

/** Keeps ratios finite when the cheapest node is free (owned edge hardware). */
const COST_EPSILON = 0.01
/** Latency ratios within a few ms of each other should score about the same. */
const LATENCY_EPSILON_MS = 5
/** RTT at which the locality score halves: beyond one metro area. */
const LOCALITY_HALF_MS = 20
/** Score of CPU-only work on a node with a free GPU: allowed, but a last resort. */
const GPU_STRAND_SCORE = 0.2
/** Disruptions per day at which the risk score falls to 1/e. */
const RISK_SCALE_PER_DAY = 1

function localityRegion (hint: string): string {
  const colon = hint.indexOf(':')
  return colon < 0 ? hint : hint.slice(colon + 1)
}

interface RegionLatency {
  region: string
  mean: number
  worst: number
  locality: number | undefined
}

/**
 * Per-region RTTs (users' mean and worst, data locality), computed once per
 * request: regions are few, nodes many. Nodes usually come grouped by region,
 * so the last hit is checked before the map.
 */
function regionLatencies (req: PlacementRequest, fabric: FabricSnapshot, dataRegion: string | undefined): (region: string) => RegionLatency {
  const cache = new Map<string, RegionLatency>()
  let last: RegionLatency | undefined
  return region => {
    if (last !== undefined && last.region === region) return last
    let v = cache.get(region)
    if (v === undefined) {
      v = {
        region,
        mean: userLatencyMs(fabric.latencyMs, req.users, region, 0),
        worst: worstUserLatencyMs(fabric.latencyMs, req.users, region, 0),
        locality: dataRegion === undefined ? undefined : rtt(fabric.latencyMs, dataRegion, region)
      }
      cache.set(region, v)
    }
    last = v
    return v
  }
}

/** Raw quantities of every feasible node, then scores normalised across them. */
export function scoreCandidates (req: PlacementRequest, nodes: NodeSnapshot[], fabric: FabricSnapshot): Candidate[] {
  const out: Candidate[] = new Array(nodes.length)
  const dataRegion = req.dataLocality === undefined ? undefined : localityRegion(req.dataLocality)
  const latencyOf = regionLatencies(req, fabric, dataRegion)
  const hasUsers = req.users.length > 0
  let minCost = Infinity
  let minLatency = Infinity
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as NodeSnapshot
    // Fractions of the node, each computed once: this loop runs for every candidate of every decision.
    const cap = node.capacity
    const used = node.allocated
    const cpuR = req.resources.cpuMillis / cap.cpuMillis
    const memR = req.resources.memoryBytes / cap.memoryBytes
    const gpuR = cap.gpus > 0 ? req.resources.gpus / cap.gpus : 0
    const cpuA = used.cpuMillis / cap.cpuMillis
    const memA = used.memoryBytes / cap.memoryBytes
    const gpuA = cap.gpus > 0 ? used.gpus / cap.gpus : 0
    const share = Math.max(cpuR, memR, gpuR)
    const costPerHour = node.pricePerHour * (node.replicas === 0 ? 1 : share)
    const q = hasUsers ? queueMs(cpuA + cpuR) : 0
    const rttOf = latencyOf(node.region)
    const c: Candidate = {
      node,
      share,
      utilBefore: Math.max(cpuA, memA, gpuA),
      utilAfter: Math.max(cpuA + cpuR, memA + memR, gpuA + gpuR),
      costPerHour,
      latencyMs: hasUsers ? rttOf.mean + q : 0,
      worstLatencyMs: hasUsers ? rttOf.worst + q : 0,
      localityRttMs: rttOf.locality,
      riskPerDay: node.interruptionsPerDay + node.failuresPerDay,
      scores: { cost: 0, latency: 0, slo: 0, spot: 0, locality: 0, packing: 0, risk: 0, gpu: 0 }
    }
    if (costPerHour < minCost) minCost = costPerHour
    if (c.latencyMs < minLatency) minLatency = c.latencyMs
    out[i] = c
  }
  const slo = req.sloLatencyMs
  for (let i = 0; i < out.length; i++) {
    const c = out[i] as Candidate
    const s = c.scores
    s.cost = (minCost + COST_EPSILON) / (c.costPerHour + COST_EPSILON)
    s.latency = hasUsers ? (minLatency + LATENCY_EPSILON_MS) / (c.latencyMs + LATENCY_EPSILON_MS) : 1
    s.slo = slo === undefined || c.worstLatencyMs <= slo ? 1 : slo / c.worstLatencyMs
    s.spot = req.preferSpot ? (c.node.spot ? 1 : 0) : 1
    s.locality = c.localityRttMs === undefined ? 1 : LOCALITY_HALF_MS / (LOCALITY_HALF_MS + c.localityRttMs)
    s.packing = c.utilAfter < 1 ? c.utilAfter : 1
    s.risk = c.riskPerDay === 0 ? 1 : Math.exp(-c.riskPerDay / RISK_SCALE_PER_DAY)
    // CPU work on a GPU node can strand its GPU (the node's cpu or memory fills up first).
    s.gpu = req.resources.gpus === 0 && c.node.capacity.gpus > c.node.allocated.gpus ? GPU_STRAND_SCORE : 1
  }
  return out
}

export type Weights = Record<ScoreName, number>

/**
 * Goal weights of the greedy heuristic. `slo` is heavy under every goal because
 * missing an SLO is what users notice; `packing` keeps idle cloud nodes
 * releasable, which is most of the cost win when nodes are billed while busy.
 */
export const GOAL_WEIGHTS: Record<'cost' | 'latency' | 'default', Weights> = {
  cost: { cost: 0.5, latency: 0.05, slo: 0.1, spot: 0.1, locality: 0.05, packing: 0.15, risk: 0.05, gpu: 0.1 },
  latency: { cost: 0.1, latency: 0.4, slo: 0.3, spot: 0.02, locality: 0.03, packing: 0.05, risk: 0.1, gpu: 0.1 },
  default: { cost: 0.3, latency: 0.25, slo: 0.15, spot: 0.05, locality: 0.05, packing: 0.1, risk: 0.1, gpu: 0.1 }
}

/** Written out rather than looped over SCORE_NAMES: this runs once per candidate per decision. */
export function weightedTotal (s: Record<ScoreName, number>, w: Weights): number {
  return s.cost * w.cost + s.latency * w.latency + s.slo * w.slo + s.spot * w.spot +
    s.locality * w.locality + s.packing * w.packing + s.risk * w.risk + s.gpu * w.gpu
}
