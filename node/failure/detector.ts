import { TypedEventEmitter, type Libp2p, type PeerId } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { Clock } from '../../protocol/clock.ts'
import { decodeUpdate, encodeUpdate, supersedes, type NodeState, type Update } from '../../protocol/swim.ts'
import { lifeguardTimeoutMs, suspicionTimeoutMs, TIMING_DEFAULTS, type Timing } from '../../protocol/timing.ts'
import type { EventLog } from '../events.ts'
import type { GossipBus } from '../peer/gossip.ts'
import type { MemberRegistry } from '../peer/members.ts'
import { Prober } from './prober.ts'

export interface MemberStatus {
  state: NodeState
  incarnation: number
  /** Our clock when the state last changed. */
  since: number
}

interface Suspicion { startedAt: number, confirmations: Set<string>, timer?: unknown }

export interface DetectorComponents {
  libp2p: Libp2p
  gossip: GossipBus
  members: MemberRegistry
  events: EventLog
  clock: Clock
  random: () => number
  logger: Logger
  self: string
  region: string
}

export interface DetectorInit {
  probeProtocol: string
  topic: string
  /** Our first incarnation: the start time, so a restarted node always outranks its past. */
  incarnation: number
  timing?: Partial<Timing>
}

export interface DetectorEvents {
  change: CustomEvent<{ peerId: string, status: MemberStatus }>
}

/**
 * SWIM failure detection among the members of this node's region, with
 * Lifeguard's refutation and confirmation-scaled suspicion. Each period it
 * probes one member (round-robin over a shuffled list), falls back to
 * indirect probes through k others, and only then suspects; a suspicion
 * becomes a death after a timeout that grows with the region's size and
 * shrinks as others confirm it. A suspected node refutes by raising its
 * incarnation, whether it hears the suspicion by gossip or from a probe.
 */
export class FailureDetector extends TypedEventEmitter<DetectorEvents> {
  private readonly c: DetectorComponents
  private readonly init: DetectorInit
  private readonly t: Timing
  private readonly prober: Prober
  private readonly status = new Map<string, MemberStatus>()
  private readonly suspicions = new Map<string, Suspicion>()
  private incarnation: number
  private order: string[] = []
  private timer?: unknown
  private running = false
  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    const id = evt.detail.toString()
    // A member we had given up on is back: look at once rather than at the next dead-sweep.
    if (this.status.get(id)?.state === 'dead') void this.probe(id)
  }

  constructor (components: DetectorComponents, init: DetectorInit) {
    super()
    this.c = components
    this.init = init
    this.t = { ...TIMING_DEFAULTS, ...init.timing }
    this.incarnation = init.incarnation
    this.prober = new Prober({
      libp2p: components.libp2p,
      isMember: (id) => this.c.members.isMember(id, this.c.clock.now()),
      answerPing: (believed) => { this.refuteIf(believed); return this.incarnation }
    }, { protocol: init.probeProtocol })
  }

  async start (): Promise<void> {
    this.running = true
    await this.prober.start()
    this.c.gossip.register<Update>({
      topic: this.init.topic,
      decode: decodeUpdate,
      onMessage: (u, from) => { this.receive(u, from.toString()) }
    })
    this.c.libp2p.addEventListener('peer:connect', this.onConnect)
    this.schedule()
    void this.announce('alive')
  }

  /** Tells the region we are leaving, so nobody waits for a timeout. */
  async stop (): Promise<void> {
    if (!this.running) return
    this.running = false
    if (this.timer != null) this.c.clock.clearTimeout(this.timer)
    for (const s of this.suspicions.values()) if (s.timer != null) this.c.clock.clearTimeout(s.timer)
    this.c.libp2p.removeEventListener('peer:connect', this.onConnect)
    await this.announce('dead')
    await this.prober.stop().catch(() => {})
  }

  get ownIncarnation (): number {
    return this.incarnation
  }

  /** Every region member this node tracks, with its state. */
  known (): Array<[string, MemberStatus]> {
    return [...this.status]
  }

  statusOf (peerId: string): MemberStatus | undefined {
    return this.status.get(peerId)
  }

  /** Region members this node believes alive (suspects count: they are not dead yet), self included. */
  alive (): string[] {
    return [this.c.self, ...[...this.status].filter(([, s]) => s.state !== 'dead').map(([id]) => id)]
  }

  /** The members of our region other than us, as the certificates we verified say. */
  private regionMembers (): string[] {
    const now = this.c.clock.now()
    return this.c.members.list().filter(m => m.region === this.c.region && m.peerId !== this.c.self && m.certificateExpiresAt > now).map(m => m.peerId)
  }

  private schedule (): void {
    if (!this.running) return
    this.timer = this.c.clock.setTimeout(() => {
      void this.tick().finally(() => { this.schedule() })
    }, this.t.probeIntervalMs)
  }

  private async tick (): Promise<void> {
    for (const id of this.regionMembers()) {
      if (!this.status.has(id)) this.set(id, { state: 'alive', incarnation: 0, since: this.c.clock.now() })
    }
    if (this.order.length === 0) {
      this.order = [...this.status.keys()].sort(() => this.c.random() - 0.5)
    }
    const target = this.order.shift()
    if (target == null) return
    const st = this.status.get(target)
    // The dead are looked at rarely (1 in 10 rounds) until they come back.
    if (st?.state === 'dead' && this.c.random() > 0.1) return
    await this.probe(target)
  }

  private async probe (target: string): Promise<void> {
    const believed = this.status.get(target) ?? { state: 'alive' as const, incarnation: 0 }
    let inc = await this.prober.ping(target, believed, this.t.probeTimeoutMs)
    if (inc == null) {
      const helpers = this.alive().filter(id => id !== this.c.self && id !== target && this.status.get(id)?.state === 'alive')
        .sort(() => this.c.random() - 0.5).slice(0, this.t.indirectProbes)
      const budget = Math.max(this.t.probeTimeoutMs, this.t.probeIntervalMs - this.t.probeTimeoutMs)
      const answers = await Promise.all(helpers.map(async h => await this.prober.pingVia(h, target, budget)))
      inc = answers.find(a => a != null)
    }
    if (!this.running) return
    if (inc != null) {
      this.observe({ node: target, state: 'alive', incarnation: inc }, this.c.self)
      return
    }
    if (believed.state === 'alive') this.observe({ node: target, state: 'suspect', incarnation: believed.incarnation }, this.c.self)
  }

  private async announce (state: NodeState): Promise<void> {
    await this.c.gossip.publish(this.init.topic, encodeUpdate({ node: this.c.self, state, incarnation: this.incarnation })).catch(() => {})
  }

  /** Someone believes we are suspect or dead: out-rank that belief. */
  private refuteIf (believed: { state: NodeState, incarnation: number }): void {
    if (believed.state === 'alive' || believed.incarnation < this.incarnation || !this.running) return
    this.incarnation = believed.incarnation + 1
    this.c.logger.info({ incarnation: this.incarnation, believed: believed.state }, 'refuting suspicion')
    void this.announce('alive')
  }

  private receive (u: Update, from: string): void {
    if (u.node === this.c.self) {
      this.refuteIf(u)
      return
    }
    // A node's own 'dead' about itself is a graceful leave; anyone's update is evidence.
    this.observe(u, from)
  }

  /** Applies an update (ours or gossiped) if it supersedes what we hold; gossips what we conclude ourselves. */
  private observe (u: Update, from: string): void {
    const prev = this.status.get(u.node)
    if (prev != null && u.state === 'suspect' && prev.state === 'suspect' && prev.incarnation === u.incarnation) {
      this.confirm(u.node, from)
      return
    }
    if (prev != null && !supersedes(u, prev)) return
    this.set(u.node, { state: u.state, incarnation: u.incarnation, since: this.c.clock.now() })
    if (u.state === 'suspect') this.suspect(u.node, from)
    else this.clearSuspicion(u.node)
    if (from === this.c.self) void this.c.gossip.publish(this.init.topic, encodeUpdate(u)).catch(() => {})
  }

  private suspect (node: string, from: string): void {
    const s: Suspicion = { startedAt: this.c.clock.now(), confirmations: new Set(from === this.c.self ? [] : [from]) }
    this.suspicions.set(node, s)
    this.armSuspicion(node, s)
  }

  private confirm (node: string, from: string): void {
    const s = this.suspicions.get(node)
    if (s == null || from === this.c.self || s.confirmations.has(from)) return
    s.confirmations.add(from)
    this.armSuspicion(node, s)
  }

  private armSuspicion (node: string, s: Suspicion): void {
    if (s.timer != null) this.c.clock.clearTimeout(s.timer)
    const n = this.regionMembers().length + 1
    const min = suspicionTimeoutMs(n, this.t)
    const expected = Math.min(this.t.indirectProbes, Math.max(0, n - 2))
    const timeout = lifeguardTimeoutMs(min, min * this.t.maxSuspicionFactor, s.confirmations.size, expected)
    const left = Math.max(0, s.startedAt + timeout - this.c.clock.now())
    s.timer = this.c.clock.setTimeout(() => {
      const st = this.status.get(node)
      if (st?.state !== 'suspect') return
      this.observe({ node, state: 'dead', incarnation: st.incarnation }, this.c.self)
    }, left)
  }

  private clearSuspicion (node: string): void {
    const s = this.suspicions.get(node)
    if (s?.timer != null) this.c.clock.clearTimeout(s.timer)
    this.suspicions.delete(node)
  }

  private set (node: string, status: MemberStatus): void {
    const prev = this.status.get(node)
    this.status.set(node, status)
    if (prev?.state === status.state) return
    if (prev != null || status.state !== 'alive') {
      this.c.events.emit(`node.${status.state}`, `node ${node} is ${status.state} (incarnation ${status.incarnation})`, { peerId: node, incarnation: status.incarnation })
      this.c.logger.info({ node, state: status.state, incarnation: status.incarnation }, 'member state')
    }
    this.safeDispatchEvent('change', { detail: { peerId: node, status } })
  }
}
