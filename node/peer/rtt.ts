import type { Libp2p, PeerId } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { Clock } from '../../protocol/clock.ts'
import type { MemberRegistry } from './members.ts'

export interface RttInit {
  /** @default 10_000 */
  intervalMs?: number
  /** @default 2_000 */
  timeoutMs?: number
}

/**
 * Round-trip times to connected members, measured with libp2p ping in the
 * background so that `hyperion peers` answers at once instead of pinging.
 */
export class RttTracker {
  private readonly libp2p: Libp2p<{ ping: Ping }>
  private readonly members: MemberRegistry
  private readonly clock: Clock
  private readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly rtts = new Map<string, number>()
  private timer?: unknown
  private readonly onVerified = (evt: CustomEvent<{ peerId: string }>): void => {
    const peer = this.libp2p.getConnections().find(c => c.remotePeer.toString() === evt.detail.peerId)?.remotePeer
    if (peer != null) void this.measure(peer)
  }

  /** A member learnt from gossip is verified before we connect: measure when the connection comes. */
  private readonly onConnect = (evt: CustomEvent<PeerId>): void => {
    if (this.members.isMember(evt.detail.toString(), this.clock.now())) void this.measure(evt.detail)
  }

  constructor (components: { libp2p: Libp2p<{ ping: Ping }>, members: MemberRegistry, clock: Clock }, init: RttInit = {}) {
    this.libp2p = components.libp2p
    this.members = components.members
    this.clock = components.clock
    this.intervalMs = init.intervalMs ?? 10_000
    this.timeoutMs = init.timeoutMs ?? 2_000
  }

  start (): void {
    this.members.addEventListener('member:verified', this.onVerified)
    this.libp2p.addEventListener('peer:connect', this.onConnect)
    this.schedule()
  }

  stop (): void {
    this.members.removeEventListener('member:verified', this.onVerified)
    this.libp2p.removeEventListener('peer:connect', this.onConnect)
    if (this.timer != null) this.clock.clearTimeout(this.timer)
  }

  get (peerId: string): number | undefined {
    return this.rtts.get(peerId)
  }

  private schedule (): void {
    this.timer = this.clock.setTimeout(() => {
      const seen = new Set<string>()
      for (const conn of this.libp2p.getConnections()) {
        const id = conn.remotePeer.toString()
        if (seen.has(id) || !this.members.isMember(id, this.clock.now())) continue
        seen.add(id)
        void this.measure(conn.remotePeer)
      }
      for (const id of this.rtts.keys()) if (!seen.has(id)) this.rtts.delete(id)
      this.schedule()
    }, this.intervalMs)
  }

  private async measure (peer: PeerId): Promise<void> {
    try {
      this.rtts.set(peer.toString(), await this.libp2p.services.ping.ping(peer, { signal: AbortSignal.timeout(this.timeoutMs) }))
    } catch {
      this.rtts.delete(peer.toString())
    }
  }
}
