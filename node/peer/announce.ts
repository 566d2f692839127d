import type { Libp2p, PeerId } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import {
  decodeCertificate, decodeMemberAnnounce, encodeCertificate, encodeMemberAnnounce, verifyCertificate,
  type MemberAnnounce
} from '../../protocol/membership/index.ts'
import type { Clock } from '../../protocol/clock.ts'
import type { Membership } from '../config/data-dir.ts'
import type { GossipBus } from './gossip.ts'
import type { MemberRegistry } from './members.ts'

export interface AnnouncerComponents {
  libp2p: Libp2p
  gossip: GossipBus
  members: MemberRegistry
  clock: Clock
  logger: Logger
  membership: () => Membership | undefined
}

export interface AnnouncerInit {
  topic: string
  version: string
  startedAt: number
  /**
   * The members topic is fabric-wide, so every node hears every
   * announcement: at 10,000 nodes, one each 5 min is ~33 messages/s per node.
   * Joins are announced at once; this period only refreshes addresses.
   * @default 300_000
   */
  intervalMs?: number
  /** Dial announced members while we have fewer connections than this. @default 32 */
  targetPeers?: number
}

/**
 * Members announce their certificate and addresses on a fabric-wide topic:
 * when they join (a few times, since the mesh forms over a heartbeat or two)
 * and then every `intervalMs`. Every receiver verifies the certificate
 * against the fabric key and its binding to the message's signed author, so
 * a relayed announcement is as trustworthy as a direct hello.
 */
export class Announcer {
  private readonly c: AnnouncerComponents
  private readonly init: AnnouncerInit
  private timer?: unknown
  private burst = 0

  constructor (components: AnnouncerComponents, init: AnnouncerInit) {
    this.c = components
    this.init = init
  }

  start (): void {
    this.c.gossip.register<MemberAnnounce>({
      topic: this.init.topic,
      decode: decodeMemberAnnounce,
      authorMustBeMember: false,
      check: async (m, from) => this.check(m, from),
      onMessage: (m, from) => { this.learn(m, from) }
    })
    this.c.members.addEventListener('member:verified', this.soon)
    this.schedule(1_000)
  }

  stop (): void {
    this.c.members.removeEventListener('member:verified', this.soon)
    if (this.timer != null) this.c.clock.clearTimeout(this.timer)
    this.timer = undefined
  }

  /** A new neighbour: announce again shortly, once its subscriptions have arrived. */
  private readonly soon = (): void => {
    this.burst = 3
    this.schedule(500)
  }

  private schedule (ms: number): void {
    if (this.timer != null) this.c.clock.clearTimeout(this.timer)
    this.timer = this.c.clock.setTimeout(() => { void this.announce() }, ms)
  }

  private async announce (): Promise<void> {
    this.timer = undefined
    const own = this.c.membership()
    if (own != null) {
      const addrs = this.c.libp2p.getMultiaddrs().map(a => a.decapsulateCode(421).toString()).slice(0, 8)
      const data = encodeMemberAnnounce({ certificate: encodeCertificate(own.certificate), addrs, version: this.init.version, startedAt: this.init.startedAt })
      await this.c.gossip.publish(this.init.topic, data).catch(err => { this.c.logger.debug({ err: (err as Error).message }, 'announce not sent') })
    }
    const next = this.burst > 0 ? 1_000 : (this.init.intervalMs ?? 300_000)
    if (this.burst > 0) this.burst--
    this.schedule(next)
  }

  private async check (m: MemberAnnounce, from: PeerId): Promise<string | undefined> {
    const own = this.c.membership()
    if (own == null) return 'this node has no membership yet'
    const subject = from.publicKey?.raw
    if (subject == null) return 'author has no public key'
    try {
      await verifyCertificate(decodeCertificate(m.certificate), { fabricPublicKey: own.fabricPublicKey, now: this.c.clock.now(), subjectPublicKey: subject })
    } catch (err) {
      return `certificate: ${(err as Error).message}`
    }
    for (const a of m.addrs) {
      try { multiaddr(a) } catch { return `addrs: not a multiaddr: ${a.slice(0, 64)}` }
    }
    return undefined
  }

  private learn (m: MemberAnnounce, from: PeerId): void {
    const peer = from.toString()
    if (peer === this.c.libp2p.peerId.toString()) return
    this.c.members.admit(peer, decodeCertificate(m.certificate), this.c.clock.now())
    const addrs = m.addrs.map(a => multiaddr(a))
    void this.c.libp2p.peerStore.merge(from, { multiaddrs: addrs }).then(async () => {
      const target = this.init.targetPeers ?? 32
      if (this.c.libp2p.getConnections(from).length === 0 && this.c.libp2p.getConnections().length < target) {
        await this.c.libp2p.dial(from, { signal: AbortSignal.timeout(10_000) })
      }
    }).catch(err => { this.c.logger.debug({ peer, err: (err as Error).message }, 'could not dial announced member') })
  }
}
