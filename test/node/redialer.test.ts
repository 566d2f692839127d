import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { TypedEventEmitter, type Libp2p, type PeerId } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { pino } from 'pino'
import { Redialer } from '../../node/peer/redialer.ts'
import { FakeClock } from '../utils/fake-clock.ts'

/** The slice of libp2p the redialer uses: dial, connections, disconnect events. A test double. */
class FakeLibp2p extends TypedEventEmitter<{ 'peer:disconnect': CustomEvent<PeerId> }> {
  readonly peerId: PeerId
  reachable = false
  connected = false
  dials: number[] = []
  private readonly clock: FakeClock
  private readonly remote: PeerId

  constructor (clock: FakeClock, self: PeerId, remote: PeerId) {
    super()
    this.clock = clock
    this.peerId = self
    this.remote = remote
  }

  getConnections (peer?: PeerId): unknown[] {
    return this.connected && (peer == null || peer.equals(this.remote)) ? [{}] : []
  }

  async dial (): Promise<{ remotePeer: PeerId }> {
    this.dials.push(this.clock.now())
    if (!this.reachable) throw new Error('unreachable')
    this.connected = true
    return { remotePeer: this.remote }
  }

  drop (): void {
    this.connected = false
    this.safeDispatchEvent('peer:disconnect', { detail: this.remote })
  }
}

describe('redialer', () => {
  it('keeps dialling a bootstrap peer cut off for an hour, at most 5 s apart, and reconnects when it returns', async () => {
    const clock = new FakeClock()
    const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const remote = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const libp2p = new FakeLibp2p(clock, self, remote)
    const redialer = new Redialer({ libp2p: libp2p as unknown as Libp2p, clock, logger: pino({ level: 'silent' }), random: () => 0.5 })
    redialer.add({ addr: `/ip4/10.0.0.1/udp/4001/quic-v1/p2p/${remote.toString()}` })
    redialer.start()

    await clock.advance(3_600_000)
    const gaps = libp2p.dials.slice(1).map((t, i) => t - (libp2p.dials[i] as number))
    assert.deepEqual(gaps.slice(0, 5), [1_000, 2_000, 4_000, 5_000, 5_000])
    assert.ok(gaps.every(g => g <= 5_000))
    assert.ok(libp2p.dials.length > 700, `only ${libp2p.dials.length} dials in an hour`)

    libp2p.reachable = true
    const before = libp2p.dials.length
    await clock.advance(5_000)
    assert.ok(libp2p.connected)
    assert.equal(libp2p.dials.length, before + 1)

    // A later drop is re-dialled at the first backoff step, not the last.
    libp2p.drop()
    const droppedAt = clock.now()
    await clock.advance(2_000)
    assert.ok(libp2p.connected)
    assert.equal(libp2p.dials.at(-1), droppedAt + 1_000)

    redialer.stop()
    assert.equal(clock.pending, 0)
  })
})
