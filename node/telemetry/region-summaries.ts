import type { PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { Clock } from '../../protocol/clock.ts'
import { decodeRegionSummary, encodeRegionSummary, type RegionSummary } from '../../protocol/telemetry/summary.ts'
import type { NodeConfig } from '../config/node-config.ts'
import type { HyperionMetrics } from '../metrics.ts'
import type { GossipBus } from '../peer/gossip.ts'
import type { MemberRegistry } from '../peer/members.ts'
import type { FabricView, NodeView } from './fabric-view.ts'

export interface SummaryComponents {
  /** This region's elected coordinator and epoch, once there is one: it summarises. */
  coordinator: () => { coordinator: string | null, epoch: number | null }
  gossip: GossipBus
  members: MemberRegistry
  view: FabricView
  metrics: HyperionMetrics
  clock: Clock
  logger: Logger
  config: NodeConfig
  self: string
}

export interface SummaryInit {
  topic: string
  /** @default 5_000 */
  intervalMs?: number
  /** Nodes whose telemetry is older than this are left out. @default 6_000 (3 telemetry periods) */
  freshMs?: number
}

/** The node that summarises a region: the best (priority, peer id) among its nodes with fresh telemetry. */
export function summariser (nodes: NodeView[]): string | undefined {
  let best: NodeView | undefined
  for (const n of nodes) {
    if (best == null || n.facts.priority > best.facts.priority || (n.facts.priority === best.facts.priority && n.peerId > best.peerId)) best = n
  }
  return best?.peerId
}

/** Adds up a region's fresh nodes. */
export function summarise (region: string, geography: string, nodes: NodeView[], at: number, seq: number, leader: { epoch: number, priority: number } = { epoch: 0, priority: 0 }): RegionSummary {
  const loads = nodes.map(n => n.sample.cpuLoadPercent).filter((x): x is number => x != null)
  const prices = nodes.map(n => n.facts.pricePerHour)
  return {
    region,
    geography,
    at,
    seq,
    nodes: nodes.length,
    spotNodes: nodes.filter(n => n.facts.spot).length,
    cores: nodes.reduce((a, n) => a + (n.facts.cores ?? 0), 0),
    memoryTotalBytes: nodes.reduce((a, n) => a + (n.facts.memoryTotalBytes ?? 0), 0),
    memoryAvailableBytes: nodes.reduce((a, n) => a + Math.min(n.sample.memoryAvailableBytes ?? 0, n.facts.memoryTotalBytes ?? 0), 0),
    gpus: nodes.reduce((a, n) => a + n.facts.gpus.length, 0),
    minPricePerHour: prices.length === 0 ? null : Math.min(...prices),
    cpuLoadPercent: loads.length === 0 ? null : loads.reduce((a, b) => a + b, 0) / loads.length,
    interrupted: nodes.filter(n => n.sample.interruption != null).length,
    epoch: leader.epoch,
    priority: leader.priority
  }
}

/**
 * The fabric-wide half of telemetry. Every node computes, from its own view,
 * who summarises its region (a deterministic choice every node of the region
 * makes alike; the elected coordinator takes this over once election exists)
 * and, if that is itself, publishes the region's summary every `intervalMs`.
 * Every node keeps the newest summary of every other region.
 */
export class RegionSummaries {
  private readonly c: SummaryComponents
  private readonly topic: string
  private readonly intervalMs: number
  private readonly freshMs: number
  private readonly regions = new Map<string, { summary: RegionSummary, from: string, receivedAt: number }>()
  private timer?: unknown
  private seq = 0

  constructor (components: SummaryComponents, init: SummaryInit) {
    this.c = components
    this.topic = init.topic
    this.intervalMs = init.intervalMs ?? 5_000
    this.freshMs = init.freshMs ?? 6_000
  }

  start (): void {
    this.c.gossip.register<RegionSummary>({
      topic: this.topic,
      decode: decodeRegionSummary,
      check: async (s, from) => this.check(s, from),
      onMessage: (s, from) => { this.receive(s, from) },
      onReject: (reason) => { this.c.metrics.rejected.inc({ kind: 'summary', reason: reason.split(':')[0] }) }
    })
    this.schedule()
  }

  stop (): void {
    if (this.timer != null) this.c.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  /** Newest summary of every region but ours, fresh within 3 intervals. */
  list (): Array<RegionSummary & { from: string, ageMs: number }> {
    const now = this.c.clock.now()
    return [...this.regions.values()]
      .filter(r => now - r.receivedAt <= 3 * this.intervalMs)
      .map(r => ({ ...r.summary, from: r.from, ageMs: now - r.receivedAt }))
      .sort((a, b) => a.region.localeCompare(b.region))
  }

  private schedule (): void {
    this.timer = this.c.clock.setTimeout(() => {
      void this.tick().finally(() => { if (this.timer != null) this.schedule() })
    }, this.intervalMs)
  }

  private async tick (): Promise<void> {
    const now = this.c.clock.now()
    const region = this.c.config.region
    // Summaries are for other regions: in a fabric (or a part of one) that
    // is all one region, nobody needs them, so none are signed or sent.
    if (!this.c.members.list().some(m => m.region !== region && m.certificateExpiresAt > now)) return
    const fresh = this.c.view.list(now).filter(n => n.facts.region === region && now - n.receivedAt <= this.freshMs)
    const elected = this.c.coordinator()
    if ((elected.coordinator ?? summariser(fresh)) !== this.c.self) return
    const summary = summarise(region, this.c.config.geography, fresh, now, ++this.seq, { epoch: elected.epoch ?? 0, priority: this.c.config.priority })
    await this.c.gossip.publish(this.topic, encodeRegionSummary(summary)).catch(err => {
      this.c.logger.debug({ err: (err as Error).message }, 'region summary not published')
    })
  }

  private async check (s: RegionSummary, from: PeerId): Promise<string | undefined> {
    const member = this.c.members.get(from.toString())
    if (member != null && member.region !== '' && member.region !== s.region) return `region: a member of ${member.region} summarised ${s.region}`
    return undefined
  }

  private receive (s: RegionSummary, from: PeerId): void {
    if (s.region === this.c.config.region) return
    const prev = this.regions.get(s.region)
    // Two summarisers for a moment (views differ during a join): keep the newest by sender time.
    if (prev != null && prev.summary.at >= s.at) return
    this.regions.set(s.region, { summary: s, from: from.toString(), receivedAt: this.c.clock.now() })
  }
}
