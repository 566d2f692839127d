import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import type { Clock } from '../../protocol/clock.ts'
import { claimBeats, compareRank, decodeClaim, encodeClaim, type Claim, type Ranked } from '../../protocol/election.ts'
import { TIMING_DEFAULTS, type Timing } from '../../protocol/timing.ts'
import type { EventLog } from '../events.ts'
import type { FailureDetector } from '../failure/detector.ts'
import { writeFileAtomic } from '../fsutil.ts'
import type { GossipBus } from '../peer/gossip.ts'

export interface ElectionComponents {
  gossip: GossipBus
  detector: FailureDetector
  events: EventLog
  clock: Clock
  logger: Logger
  self: string
  region: string
  priority: number
  /** The priority other members of the region announced (from their telemetry). */
  priorityOf: (peerId: string) => number | undefined
}

export interface ElectionInit {
  topic: string
  /** Where the highest epoch seen is kept, so epochs only grow across restarts. */
  statePath: string
  timing?: Partial<Timing>
}

/**
 * One coordinator per region (per connected part of it). The coordinator
 * gossips a claim (region, epoch, itself, priority) every claim interval;
 * every node accepts the claim with the higher (epoch, rank). When the
 * coordinator dies, leaves or hands over, the best-ranked live member claims
 * with epoch + 1. A healthy coordinator is kept when a better-ranked node
 * joins (that node hears the claim while it settles), so there is no
 * flapping; when a partition heals the two claims meet and the lower
 * (epoch, rank) steps down.
 */
export class Election {
  private readonly c: ElectionComponents
  private readonly init: ElectionInit
  private readonly t: Timing
  private current?: Claim
  private maxEpoch: number
  /** When the set of live members last grew: claims wait until it has been quiet for `settleMs`. */
  private quietSince: number
  private timer?: unknown
  private running = false
  private readonly onChange = (evt: CustomEvent<{ peerId: string, status: { state: string } }>): void => {
    // A member appeared (or came back): give its coordinator's claim time to reach us before claiming ourselves.
    if (evt.detail.status.state === 'alive') this.quietSince = this.c.clock.now()
    if (this.current?.coordinator === evt.detail.peerId && evt.detail.status.state === 'dead') this.vacate('coordinator declared dead')
  }

  constructor (components: ElectionComponents, init: ElectionInit) {
    this.c = components
    this.init = init
    this.t = { ...TIMING_DEFAULTS, ...init.timing }
    this.maxEpoch = this.loadEpoch()
    this.quietSince = components.clock.now()
  }

  start (): void {
    this.running = true
    this.c.gossip.register<Claim>({
      topic: this.init.topic,
      decode: decodeClaim,
      check: async (claim, from) => claim.coordinator !== from.toString() ? 'coordinator: a claim must be made by its coordinator' : claim.region !== this.c.region ? `region: claim for ${claim.region} on the topic of ${this.c.region}` : undefined,
      onMessage: (claim) => { this.receive(claim) }
    })
    this.c.detector.addEventListener('change', this.onChange)
    this.schedule()
  }

  /** Hands over at once if we coordinate: the next member claims without waiting for a timeout. */
  async stop (): Promise<void> {
    this.running = false
    if (this.timer != null) this.c.clock.clearTimeout(this.timer)
    this.c.detector.removeEventListener('change', this.onChange)
    if (this.isCoordinator) await this.publish(true)
  }

  get isCoordinator (): boolean {
    return this.current?.coordinator === this.c.self
  }

  view (): { coordinator: string | null, epoch: number | null, role: 'coordinator' | 'member' } {
    return { coordinator: this.current?.coordinator ?? null, epoch: this.current?.epoch ?? null, role: this.isCoordinator ? 'coordinator' : 'member' }
  }

  /** Our claim's rank, for the fabric leader choice. */
  get claim (): Claim | undefined {
    return this.current
  }

  private schedule (): void {
    if (!this.running) return
    this.timer = this.c.clock.setTimeout(() => {
      this.tick()
      this.schedule()
    }, this.t.claimIntervalMs)
  }

  private tick (): void {
    if (this.isCoordinator) {
      void this.publish(false)
      return
    }
    if (this.current != null) return
    // No coordinator known: once membership has been quiet for a while, the best-ranked live member claims.
    if (this.c.clock.now() - this.quietSince < this.t.settleMs) return
    if (this.best() === this.c.self) this.claimNow()
  }

  private best (exclude?: string): string | undefined {
    const ranked: Ranked[] = this.c.detector.alive()
      .filter(id => id !== exclude)
      .map(id => ({ peerId: id, priority: id === this.c.self ? this.c.priority : (this.c.priorityOf(id) ?? 0) }))
    ranked.sort((a, b) => compareRank(b, a))
    return ranked[0]?.peerId
  }

  private claimNow (): void {
    const claim: Claim = { region: this.c.region, epoch: this.maxEpoch + 1, coordinator: this.c.self, priority: this.c.priority, handover: false }
    this.accept(claim)
    void this.publish(false)
  }

  private vacate (why: string, exclude?: string): void {
    const gone = this.current?.coordinator
    this.current = undefined
    this.c.logger.info({ why, gone }, 'region has no coordinator')
    if (this.best(exclude ?? gone) === this.c.self) this.claimNow()
  }

  private receive (claim: Claim): void {
    if (claim.handover) {
      if (this.current?.coordinator === claim.coordinator) this.vacate('coordinator handed over', claim.coordinator)
      this.bump(claim.epoch)
      return
    }
    if (this.current != null && this.current.coordinator === claim.coordinator && this.current.epoch === claim.epoch) return
    if (this.current == null || claimBeats(claim, this.current)) {
      if (this.isCoordinator) this.c.logger.info({ winner: claim.coordinator, epoch: claim.epoch }, 'stepping down: a better claim')
      this.accept(claim)
    } else {
      this.bump(claim.epoch)
    }
  }

  private accept (claim: Claim): void {
    const changed = this.current?.coordinator !== claim.coordinator || this.current.epoch !== claim.epoch
    this.current = claim
    this.bump(claim.epoch)
    if (changed) {
      this.c.events.emit('coordinator.elected', `${claim.coordinator} coordinates ${claim.region} at epoch ${claim.epoch}`, { ...claim })
      this.c.logger.info({ coordinator: claim.coordinator, epoch: claim.epoch }, 'coordinator elected')
    }
  }

  private bump (epoch: number): void {
    if (epoch <= this.maxEpoch) return
    this.maxEpoch = epoch
    writeFileAtomic(this.init.statePath, JSON.stringify({ region: this.c.region, maxEpoch: epoch }) + '\n')
  }

  private async publish (handover: boolean): Promise<void> {
    const c = this.current
    if (c == null) return
    await this.c.gossip.publish(this.init.topic, encodeClaim({ ...c, handover })).catch(() => {})
  }

  private loadEpoch (): number {
    try {
      const raw = JSON.parse(readFileSync(this.init.statePath, 'utf8')) as { region?: string, maxEpoch?: number }
      return raw.region === this.c.region && Number.isSafeInteger(raw.maxEpoch) ? raw.maxEpoch as number : 0
    } catch {
      return 0
    }
  }
}
