import { readFileSync } from 'node:fs'
import type { Libp2p } from '@libp2p/interface'
import type { Clock } from '../../protocol/clock.ts'
import { writeFileAtomic } from '../fsutil.ts'
import type { MemberRegistry } from './members.ts'

export interface KnownPeer { peerId: string, addrs: string[] }

/** Enough members to find the fabric again after a restart, without growing with the fabric. */
const MAX_KNOWN = 16

/**
 * Members this node was connected to, kept in `peers.json`, so a restarted
 * node (or one whose bootstrap peer is gone) finds the fabric again with no
 * flags. Written at most every `debounceMs` after a change.
 */
export class KnownPeers {
  private readonly path: string
  private readonly libp2p: Libp2p
  private readonly members: MemberRegistry
  private readonly clock: Clock
  private timer?: unknown
  private readonly onChange = (): void => {
    if (this.timer == null) this.timer = this.clock.setTimeout(() => { this.timer = undefined; void this.save() }, 2_000)
  }

  constructor (components: { libp2p: Libp2p, members: MemberRegistry, clock: Clock }, init: { path: string }) {
    this.path = init.path
    this.libp2p = components.libp2p
    this.members = components.members
    this.clock = components.clock
  }

  load (): KnownPeer[] {
    try {
      const raw = JSON.parse(readFileSync(this.path, 'utf8')) as unknown
      if (!Array.isArray(raw)) return []
      return raw.filter((p): p is KnownPeer => typeof p?.peerId === 'string' && Array.isArray(p.addrs)).slice(0, MAX_KNOWN)
    } catch {
      // Missing or damaged: it is only a hint, the bootstrap flags still work.
      return []
    }
  }

  start (): void {
    this.members.addEventListener('member:verified', this.onChange)
    // Addresses change when peers restart elsewhere: keep the file current.
    this.libp2p.addEventListener('peer:connect', this.onChange)
  }

  async stop (): Promise<void> {
    this.members.removeEventListener('member:verified', this.onChange)
    this.libp2p.removeEventListener('peer:connect', this.onChange)
    if (this.timer != null) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    await this.save()
  }

  private async save (): Promise<void> {
    const out: KnownPeer[] = []
    const seen = new Set<string>()
    for (const conn of this.libp2p.getConnections()) {
      const id = conn.remotePeer.toString()
      if (seen.has(id) || !this.members.isMember(id, this.clock.now())) continue
      seen.add(id)
      const stored = await this.libp2p.peerStore.get(conn.remotePeer).catch(() => undefined)
      const addrs = (stored?.addresses ?? []).map(a => a.multiaddr.toString()).slice(0, 8)
      if (addrs.length > 0) out.push({ peerId: id, addrs })
      if (out.length >= MAX_KNOWN) break
    }
    if (out.length > 0) writeFileAtomic(this.path, JSON.stringify(out, null, 2) + '\n', 0o600)
  }
}
