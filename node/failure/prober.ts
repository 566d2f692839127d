import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { decodeProbe, encodeProbe, type Ack, type NodeState, type ProbeMessage } from '../../protocol/swim.ts'
import { request, respond } from '../peer/rpc.ts'

export interface ProberComponents {
  libp2p: Libp2p
  /** Only members may probe us or be asked to probe others. */
  isMember: (peerId: string) => boolean
  /** Our incarnation, after refuting whatever the prober believes of us. */
  answerPing: (believed: { state: NodeState, incarnation: number }) => number
}

/**
 * The stream side of the failure detector: direct pings, and pings on behalf
 * of another member (ping-req). Each exchange is one request and one answer
 * on a fresh QUIC stream, bounded by a timeout.
 */
export class Prober {
  private readonly c: ProberComponents
  private readonly protocol: string
  private seq = 0

  constructor (components: ProberComponents, init: { protocol: string }) {
    this.c = components
    this.protocol = init.protocol
  }

  async start (): Promise<void> {
    await this.c.libp2p.handle(this.protocol, (stream, connection) => { void this.serve(stream, connection) }, { maxInboundStreams: 64 })
  }

  async stop (): Promise<void> {
    await this.c.libp2p.unhandle(this.protocol)
  }

  /** Pings `target` directly; resolves to its incarnation, or undefined on no answer in time. */
  async ping (target: string, believed: { state: NodeState, incarnation: number }, timeoutMs: number): Promise<number | undefined> {
    const ack = await this.exchange(target, { kind: 'ping', seq: ++this.seq, targetState: believed.state, targetIncarnation: believed.incarnation }, timeoutMs)
    return ack?.ok === true ? ack.incarnation : undefined
  }

  /** Asks `helper` to ping `target`; resolves to the target's incarnation if it answered the helper. */
  async pingVia (helper: string, target: string, timeoutMs: number): Promise<number | undefined> {
    const ack = await this.exchange(helper, { kind: 'ping-req', seq: ++this.seq, target }, timeoutMs)
    return ack?.ok === true ? ack.incarnation : undefined
  }

  private async exchange (peer: string, m: ProbeMessage, timeoutMs: number): Promise<Ack | undefined> {
    try {
      const id = peerIdFromString(peer)
      const existing = this.c.libp2p.getConnections(id).find(c => c.status === 'open')
      const conn = existing ?? await this.c.libp2p.dial(id, { signal: AbortSignal.timeout(timeoutMs) })
      const answer = decodeProbe(await request(conn, this.protocol, encodeProbe(m), { maxLength: 512, timeoutMs, optimistic: true }))
      return answer.kind === 'ack' && answer.seq === m.seq ? answer : undefined
    } catch {
      return undefined
    }
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    if (!this.c.isMember(connection.remotePeer.toString())) {
      stream.abort(new Error('not a member'))
      return
    }
    await respond(stream, { maxLength: 512, timeoutMs: 5_000 }, async (bytes) => {
      const m = decodeProbe(bytes)
      if (m.kind === 'ping') {
        const incarnation = this.c.answerPing({ state: m.targetState, incarnation: m.targetIncarnation })
        return encodeProbe({ kind: 'ack', seq: m.seq, ok: true, incarnation })
      }
      if (m.kind === 'ping-req') {
        // Answer within the asker's budget: half of it for our own ping.
        const inc = this.c.isMember(m.target) ? await this.ping(m.target, { state: 'alive', incarnation: 0 }, 150) : undefined
        return encodeProbe({ kind: 'ack', seq: m.seq, ok: inc != null, incarnation: inc ?? 0 })
      }
      throw new Error('unexpected ack')
    }).catch(() => {})
  }
}
