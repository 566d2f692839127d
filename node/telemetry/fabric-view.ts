import type { NodeFacts, NodeSample, Telemetry } from '../../protocol/telemetry/index.ts'

export interface NodeView {
  peerId: string
  facts: NodeFacts
  sample: NodeSample
  /** Sender's clock when sampled. */
  sampledAt: number
  /** Our clock when it arrived: ages are measured from here, so skewed clocks don't distort them. */
  receivedAt: number
  seq: number
  startedAt: number
}

export interface FabricViewInit {
  /**
   * Forget a node whose telemetry is older than this (it left, or its region
   * is out of sight). @default 600_000
   */
  forgetAfterMs?: number
}

/**
 * Every node this node has heard telemetry from, with the newest sample of
 * each: the placement policy's picture of the fabric. Out-of-order and
 * replayed messages are dropped by (startedAt, seq), so a restarted sender
 * (seq from 0 again) is still taken.
 */
export class FabricView {
  private readonly nodes = new Map<string, NodeView>()
  private readonly forgetAfterMs: number

  constructor (init: FabricViewInit = {}) {
    this.forgetAfterMs = init.forgetAfterMs ?? 600_000
  }

  /** Returns false when `t` is not newer than what we hold for `peerId`. */
  update (peerId: string, t: Telemetry, now: number): boolean {
    const prev = this.nodes.get(peerId)
    if (prev != null && (t.startedAt < prev.startedAt || (t.startedAt === prev.startedAt && t.seq <= prev.seq))) return false
    this.nodes.set(peerId, { peerId, facts: t.facts, sample: t.sample, sampledAt: t.at, receivedAt: now, seq: t.seq, startedAt: t.startedAt })
    return true
  }

  get (peerId: string): NodeView | undefined {
    return this.nodes.get(peerId)
  }

  list (now: number): NodeView[] {
    for (const [id, n] of this.nodes) if (now - n.receivedAt > this.forgetAfterMs) this.nodes.delete(id)
    return [...this.nodes.values()].sort((a, b) => a.facts.region.localeCompare(b.facts.region) || a.peerId.localeCompare(b.peerId))
  }

  get size (): number {
    return this.nodes.size
  }
}
