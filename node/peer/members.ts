import { TypedEventEmitter } from '@libp2p/interface'
import type { MembershipCertificate, Role } from '../../protocol/membership/index.ts'

export interface Member {
  peerId: string
  role: Role
  region: string
  certificateExpiresAt: number
  verifiedAt: number
}

export interface MemberEvents {
  'member:verified': CustomEvent<Member>
  'member:removed': CustomEvent<string>
}

/**
 * The peers whose membership certificates this node has checked. Nothing
 * from a peer outside this set is accepted: the gossip validators, the peer
 * list and (later) every state and workload exchange consult it.
 */
export class MemberRegistry extends TypedEventEmitter<MemberEvents> {
  private readonly members = new Map<string, Member>()

  /** Records a peer whose certificate has just been verified against the fabric key. */
  admit (peerId: string, certificate: MembershipCertificate, now: number): Member {
    const known = this.members.get(peerId)
    const member: Member = {
      peerId,
      role: certificate.role,
      region: certificate.region,
      certificateExpiresAt: certificate.expiresAt,
      verifiedAt: now
    }
    this.members.set(peerId, member)
    if (known == null) this.safeDispatchEvent('member:verified', { detail: member })
    return member
  }

  remove (peerId: string): void {
    if (this.members.delete(peerId)) this.safeDispatchEvent('member:removed', { detail: peerId })
  }

  get (peerId: string): Member | undefined {
    return this.members.get(peerId)
  }

  /** A member whose certificate ran out is a member no longer. */
  isMember (peerId: string, now: number): boolean {
    const m = this.members.get(peerId)
    return m != null && m.certificateExpiresAt > now
  }

  list (): Member[] {
    return [...this.members.values()]
  }

  /** Drops members whose certificates expired; returns their peer ids. */
  expire (now: number): string[] {
    const gone = this.list().filter(m => m.certificateExpiresAt <= now).map(m => m.peerId)
    for (const id of gone) this.remove(id)
    return gone
  }
}
