import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from 'pino'
import {
  MembershipError, decodeCertificate, decodeHello, encodeCertificate, encodeHello, verifyCertificate,
  MAX_ADDRS_PER_PEER, MAX_HELLO_BYTES, MAX_PEERS_PER_HELLO, type PeerRecord
} from '../../protocol/membership/index.ts'
import type { Clock } from '../../protocol/clock.ts'
import type { Membership } from '../config/data-dir.ts'
import type { DenyList } from './deny-list.ts'
import type { MemberRegistry } from './members.ts'
import { request, respond } from './rpc.ts'

export interface HelloComponents {
  libp2p: Libp2p
  members: MemberRegistry
  deny: DenyList
  clock: Clock
  logger: Logger
  /** Our own membership, once we have one (a joining node has none yet). */
  membership: () => Membership | undefined
}

export interface HelloInit {
  protocol: string
  /** When this daemon started, sent in every hello. */
  bootedAt: number
  /**
   * How long a connection may stay open without the peer proving membership.
   * Long enough for a join over a slow link, short enough that an outsider
   * learns nothing. @default 5_000
   */
  proveWithinMs?: number
  /** @default 5_000 */
  timeoutMs?: number
  /** Peers learnt from a hello are dialled while we have fewer connections than this. @default 32 */
  targetPeers?: number
}

/**
 * The fabric's gate above QUIC. On every new connection the dialling side
 * sends its certificate and the listener answers with its own, plus a sample
 * of members it knows (so a newcomer finds the rest of the fabric in one
 * round trip). A peer that has not proved membership within `proveWithinMs`
 * is disconnected and put on the deny list; so is one whose proof is bad.
 */
export class HelloService {
  private readonly c: HelloComponents
  private readonly protocol: string
  private readonly proveWithinMs: number
  private readonly timeoutMs: number
  private readonly targetPeers: number
  private readonly bootedAt: number
  private readonly deadlines = new Map<string, unknown>()
  /** The boot time each peer last told us: a new one means the peer restarted. */
  private readonly boots = new Map<string, number>()
  private readonly onOpen = (evt: CustomEvent<Connection>): void => { this.connectionOpened(evt.detail) }
  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => { this.peerGone(evt.detail.toString()) }

  constructor (components: HelloComponents, init: HelloInit) {
    this.c = components
    this.protocol = init.protocol
    this.proveWithinMs = init.proveWithinMs ?? 5_000
    this.timeoutMs = init.timeoutMs ?? 5_000
    this.targetPeers = init.targetPeers ?? 32
    this.bootedAt = init.bootedAt
  }

  async start (): Promise<void> {
    await this.c.libp2p.handle(this.protocol, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 4 })
    this.c.libp2p.addEventListener('connection:open', this.onOpen)
    this.c.libp2p.addEventListener('peer:disconnect', this.onDisconnect)
  }

  async stop (): Promise<void> {
    this.c.libp2p.removeEventListener('connection:open', this.onOpen)
    this.c.libp2p.removeEventListener('peer:disconnect', this.onDisconnect)
    for (const t of this.deadlines.values()) this.c.clock.clearTimeout(t)
    this.deadlines.clear()
    await this.c.libp2p.unhandle(this.protocol)
  }

  private connectionOpened (connection: Connection): void {
    const peer = connection.remotePeer.toString()
    if (!this.c.members.isMember(peer, this.c.clock.now()) && !this.deadlines.has(peer)) {
      this.deadlines.set(peer, this.c.clock.setTimeout(() => { this.expel(peer, 'did not prove membership in time') }, this.proveWithinMs))
    }
    // The dialler speaks first; a node still joining has nothing to show yet
    // and greets once its join succeeds.
    if (connection.direction === 'outbound' && this.c.membership() != null) {
      void this.greet(connection).catch(() => {})
    }
  }

  private peerGone (peer: string): void {
    const t = this.deadlines.get(peer)
    if (t != null) this.c.clock.clearTimeout(t)
    this.deadlines.delete(peer)
  }

  /** Proves our membership to the peer on `connection` and checks theirs. */
  async greet (connection: Connection): Promise<void> {
    const own = this.c.membership()
    if (own == null) return
    const peer = connection.remotePeer.toString()
    try {
      const answer = await request(connection, this.protocol, encodeHello({ certificate: encodeCertificate(own.certificate), peers: await this.sample(peer), bootedAt: this.bootedAt }), { maxLength: MAX_HELLO_BYTES, timeoutMs: this.timeoutMs })
      if (await this.accept(connection.remotePeer, answer, connection)) this.reset(connection.remotePeer)
    } catch (err) {
      this.c.logger.debug({ peer, err: (err as Error).message }, 'hello failed')
      // Only a bad answer is proof of an outsider; a dropped stream is just
      // the network (or a peer resetting us), and the proving deadline still
      // stands for a peer that never proves itself.
      if (isRefusal(err) && !this.c.members.isMember(peer, this.c.clock.now())) this.expel(peer, `hello failed: ${(err as Error).message}`)
      throw err
    }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const own = this.c.membership()
    const peer = connection.remotePeer
    let restarted = false
    try {
      await respond(stream, { maxLength: MAX_HELLO_BYTES, timeoutMs: this.timeoutMs }, async (req) => {
        if (own == null) throw new Error('this node has not joined a fabric yet')
        restarted = await this.accept(peer, req, connection)
        return encodeHello({ certificate: encodeCertificate(own.certificate), peers: await this.sample(peer.toString()), bootedAt: this.bootedAt })
      })
      if (restarted) this.reset(peer)
    } catch (err) {
      if (isRefusal(err) || own == null) this.expel(peer.toString(), `bad hello: ${(err as Error).message}`)
    }
  }

  /**
   * Verifies a hello from `peer`; admits the peer and dials the members it
   * told us about. Returns true when the peer restarted behind an older
   * connection (see `reset`).
   */
  private async accept (peer: PeerId, bytes: Uint8Array, connection: Connection): Promise<boolean> {
    const own = this.c.membership()
    if (own == null) throw new Error('this node has not joined a fabric yet')
    const hello = decodeHello(bytes)
    const certificate = decodeCertificate(hello.certificate)
    const now = this.c.clock.now()
    const subject = peer.publicKey?.raw
    if (subject == null) throw new Error('peer id carries no public key')
    await verifyCertificate(certificate, { fabricPublicKey: own.fabricPublicKey, now, subjectPublicKey: subject })
    this.admit(peer.toString(), certificate)
    this.learn(hello.peers)
    return this.restarted(peer, hello.bootedAt, connection)
  }

  /**
   * A peer that crashed and came back while our old connection to it has not
   * timed out yet leaves libp2p's topologies (gossipsub's among them) bound
   * to the dead connection, and they are not told of the new one until the
   * peer disconnects completely. So when a peer's boot time changes while an
   * older connection is still up, drop them all and dial once more.
   */
  private restarted (peer: PeerId, bootedAt: number, current: Connection): boolean {
    const id = peer.toString()
    const before = this.boots.get(id)
    this.boots.set(id, bootedAt)
    if (before == null || before === bootedAt) return false
    return this.c.libp2p.getConnections(peer).some(c => c.id !== current.id && c.timeline.open < current.timeline.open)
  }

  /** Drops every connection to a restarted peer, once our hello answer is on its way, and dials it afresh. */
  private reset (peer: PeerId): void {
    this.c.logger.info({ peer: peer.toString() }, 'peer restarted: resetting its connections')
    this.c.clock.setTimeout(() => {
      void this.c.libp2p.hangUp(peer).then(async () => {
        await this.c.libp2p.dial(peer, { signal: AbortSignal.timeout(this.timeoutMs) })
      }).catch(err => { this.c.logger.debug({ peer: peer.toString(), err: (err as Error).message }, 'redial after restart failed') })
    }, 200)
  }

  /** Marks a peer as a proven member (also used by the join issuer for the cert it just signed). */
  admit (peer: string, certificate: Parameters<MemberRegistry['admit']>[1]): void {
    this.peerGone(peer)
    this.c.deny.forgive(peer)
    this.c.members.admit(peer, certificate, this.c.clock.now())
  }

  /** Disconnects a peer that failed to prove membership and refuses it for a while. */
  expel (peer: string, reason: string): void {
    this.peerGone(peer)
    if (this.c.members.isMember(peer, this.c.clock.now())) return
    const penaltyMs = this.c.deny.deny(peer)
    this.c.logger.warn({ peer, reason, penaltyMs }, 'refusing peer without valid membership')
    void this.c.libp2p.hangUp(peerIdFromString(peer)).catch(() => {})
  }

  /** Connected members with the listen addresses identify told us, for the peer to dial. */
  private async sample (exclude: string): Promise<PeerRecord[]> {
    const out: PeerRecord[] = []
    for (const conn of this.c.libp2p.getConnections()) {
      const id = conn.remotePeer.toString()
      if (id === exclude || !this.c.members.isMember(id, this.c.clock.now()) || out.some(p => p.peerId === id)) continue
      const stored = await this.c.libp2p.peerStore.get(conn.remotePeer).catch(() => undefined)
      const addrs = (stored?.addresses ?? []).map(a => a.multiaddr.toString()).slice(0, MAX_ADDRS_PER_PEER)
      if (addrs.length > 0) out.push({ peerId: id, addrs })
      if (out.length >= MAX_PEERS_PER_HELLO) break
    }
    return out
  }

  private learn (peers: PeerRecord[]): void {
    if (this.c.libp2p.getConnections().length >= this.targetPeers) return
    const self = this.c.libp2p.peerId.toString()
    for (const p of peers) {
      if (p.peerId === self || this.c.libp2p.getConnections(peerIdFromString(p.peerId)).length > 0) continue
      void this.dialLearnt(p).catch(err => { this.c.logger.debug({ peer: p.peerId, err: (err as Error).message }, 'dial of learnt peer failed') })
    }
  }

  private async dialLearnt (p: PeerRecord): Promise<void> {
    const id = peerIdFromString(p.peerId)
    const addrs = p.addrs.slice(0, MAX_ADDRS_PER_PEER).map(a => multiaddr(a))
    if (addrs.length > 0) await this.c.libp2p.peerStore.merge(id, { multiaddrs: addrs })
    await this.c.libp2p.dial(id)
  }
}

/** Errors that mean the peer answered with something we refuse, not that the network failed. */
function isRefusal (err: unknown): boolean {
  const e = err as { code?: string, name?: string }
  return e instanceof MembershipError || e.code === 'MALFORMED_MESSAGE' || e.name === 'UnsupportedProtocolError' || e.name === 'InvalidDataLengthError'
}
