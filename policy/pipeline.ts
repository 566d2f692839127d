/**
 * place(): filters, then scorers, then a policy's ranking, then the hard
 * constraints once more. The order is the point: filters make infeasible
 * nodes unreachable for any ranking, and the final re-check (against every
 * filter, not only those the request needed) means neither a broken or
 * learned ranker nor a snapshot that changed while an async ranker ran can
 * break invariant 6.
 */
import { ConstraintViolationError } from './errors.ts'
import { filtersFor, firstRejection } from './filters.ts'
import { scoreCandidates, type Candidate } from './scorers.ts'
import { validateRequest } from './snapshot.ts'
import type { Decision, FabricSnapshot, Filtered, NodeSnapshot, PlacementRequest, ScoredCandidate } from './types.ts'

/** Ranks feasible candidates: one total per candidate, higher is better. */
export interface PlacementPolicy {
  readonly name: string
  /** Set when this policy stands in for one that could not be loaded. */
  readonly fallback?: { from: string, to: string, reason: string }
  rank: (req: PlacementRequest, candidates: Candidate[], fabric: FabricSnapshot) => Float64Array | Promise<Float64Array>
}

/**
 * Above this many feasible nodes only a spread-out sample of this size is
 * scored, as Kubernetes' percentageOfNodesToScore does: filtering stays
 * exhaustive (so hard constraints and filter reasons are exact), only the
 * ranking is approximate. 1,000 keeps a 10,000-node fabric above 500
 * decisions/s on one core; smaller fabrics are scored in full.
 */
export const DEFAULT_MAX_CANDIDATES = 1000

export interface PlaceOptions {
  /** How many of the best candidates the decision keeps for explanation. @default 3 */
  keepRanked?: number
  /** Most feasible nodes to score; Infinity scores all. @default DEFAULT_MAX_CANDIDATES */
  maxCandidates?: number
}

/** A deterministic, evenly strided sample, offset by the replica's identity so replicas spread over the fabric. */
function strideSample (nodes: NodeSnapshot[], k: number, req: PlacementRequest): NodeSnapshot[] {
  let h = req.replica
  for (let i = 0; i < req.workload.length; i++) h = (Math.imul(h, 31) + req.workload.charCodeAt(i)) >>> 0
  const stride = nodes.length / k
  const offset = (h % 1000) / 1000 * stride
  const out: NodeSnapshot[] = new Array(k)
  for (let i = 0; i < k; i++) out[i] = nodes[Math.floor(offset + i * stride)] as NodeSnapshot
  return out
}

/** Feasible nodes and the filtered ones with their reasons. */
export function feasibleNodes (req: PlacementRequest, fabric: FabricSnapshot): { feasible: NodeSnapshot[], filtered: Filtered[] } {
  const feasible: NodeSnapshot[] = []
  const filtered: Filtered[] = []
  const filters = filtersFor(req)
  for (const node of fabric.nodes) {
    const reason = firstRejection(req, node, filters)
    if (reason === undefined) feasible.push(node)
    else filtered.push({ node: node.id, reason })
  }
  return { feasible, filtered }
}

/** Indices of the `k` largest finite totals, best first, without sorting all candidates. */
function topK (totals: Float64Array, k: number): number[] {
  const best: number[] = []
  for (let i = 0; i < totals.length; i++) {
    const t = totals[i] as number
    if (!Number.isFinite(t)) continue
    if (best.length === k && t <= (totals[best[k - 1] as number] as number)) continue
    let j = best.length < k ? best.length : k - 1
    best[j] = i
    while (j > 0 && (totals[best[j - 1] as number] as number) < t) {
      best[j] = best[j - 1] as number
      best[j - 1] = i
      j--
    }
  }
  return best
}

/** Places one replica: the chosen node (or none) with every filtered node's reason and the best candidates' named scores. */
export async function place (req: PlacementRequest, fabric: FabricSnapshot, policy: PlacementPolicy, options: PlaceOptions = {}): Promise<Decision> {
  const keep = Math.max(1, options.keepRanked ?? 3)
  validateRequest(req)
  const { feasible, filtered } = feasibleNodes(req, fabric)
  const decision: Decision = {
    workload: req.workload,
    replica: req.replica,
    policy: policy.name,
    considered: fabric.nodes.length,
    filtered,
    ranked: [],
    warnings: []
  }
  if (policy.fallback !== undefined) {
    decision.fallback = policy.fallback
    decision.warnings.push(`policy ${policy.fallback.from} unavailable, using ${policy.fallback.to}: ${policy.fallback.reason}`)
  }
  if (feasible.length === 0) return decision
  const max = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES
  let scored = feasible
  if (feasible.length > max) {
    scored = strideSample(feasible, max, req)
    decision.sampled = { scored: max, feasible: feasible.length }
  }
  const candidates = scoreCandidates(req, scored, fabric)
  const totals = await policy.rank(req, candidates, fabric)
  if (totals.length !== candidates.length) {
    throw new ConstraintViolationError(`policy ${policy.name} returned ${totals.length} scores for ${candidates.length} candidates`)
  }
  // Keep more than shown, so a candidate failing the re-check still leaves a choice.
  const order = topK(totals, keep + 2)
  for (const i of order) {
    const c = candidates[i] as Candidate
    const ranked: ScoredCandidate = { node: c.node.id, scores: { ...c.scores }, total: totals[i] as number }
    if (decision.node === undefined) {
      const broken = firstRejection(req, c.node)
      if (broken !== undefined) {
        decision.warnings.push(`policy ${policy.name} ranked ${c.node.id} first although ${broken}; skipped`)
        continue
      }
      decision.node = c.node.id
    }
    if (decision.ranked.length < keep) decision.ranked.push(ranked)
  }
  if (decision.node === undefined && order.length === 0) {
    decision.warnings.push(`policy ${policy.name} gave no finite score to any of ${candidates.length} feasible nodes`)
  }
  return decision
}
