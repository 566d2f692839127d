import assert from 'node:assert/strict'
import { quic } from '@chainsafe/libp2p-quic'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { protocolIds } from '../../protocol/protocols.ts'
import { eventually, sleep, TestFabric } from '../utils/harness.ts'

/**
 * QUIC applies no pnet key, so the fabric's gate is ours alone. These tests
 * attack a daemon from outside with a plain libp2p peer that speaks the
 * fabric's protocol ids but holds no certificate.
 */
describe('a plain libp2p peer without a membership certificate', function () {
  this.timeout(60_000)
  let fabric: TestFabric

  beforeEach(() => { fabric = new TestFabric() })
  afterEach(async () => { await fabric.teardown() })

  async function intruder () {
    return await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/udp/0/quic-v1'] },
      transports: [quic()],
      services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, scoreParams: { IPColocationFactorWeight: 0 } }) }
    })
  }

  it('gets its gossip dropped, is disconnected within a few seconds, and is then refused', async () => {
    const node = await fabric.seed('n1', ['--log-level', 'debug'])
    const status = await node.status()
    const ids = protocolIds(status.fabricId)
    const peer = await intruder()
    try {
      const target = multiaddr(status.listenAddrs[0] as string)
      const connectedAt = Date.now()
      const conn = await peer.dial(target)
      const closed = new Promise<number>(resolve => {
        peer.addEventListener('peer:disconnect', () => { resolve(Date.now() - connectedAt) }, { once: true })
      })

      // Forge an announcement on the fabric's membership topic.
      peer.services.pubsub.subscribe(ids.membersTopic)
      await eventually('the daemon subscription is seen', 3_000, async () =>
        peer.services.pubsub.getSubscribers(ids.membersTopic).some(p => p.equals(conn.remotePeer)))
      await peer.services.pubsub.publish(ids.membersTopic, new TextEncoder().encode('I am a member, honest'))

      const after = await closed
      assert.ok(after < 8_000, `disconnected only after ${after} ms`)
      await eventually('the daemon logs the drop', 3_000, async () => /relayed by a peer that is not a member/.test(node.stderr))
      assert.doesNotMatch(node.stderr, /I am a member/)
      assert.match(node.stderr, /refusing peer without valid membership/)

      // Known bad now: the gater refuses it during the handshake. (The QUIC
      // client may see its side complete before the server's refusal lands.)
      const redialAt = Date.now()
      await peer.dial(target, { signal: AbortSignal.timeout(5_000) }).catch(() => {})
      await eventually('the re-dial is cut off', 3_000, async () => peer.getConnections().length === 0)
      assert.ok(Date.now() - redialAt < 3_000)
      assert.deepEqual(await node.peers(), [])
    } finally {
      await peer.stop()
    }
  })

  it('is dropped when it sends a malformed hello', async () => {
    const node = await fabric.seed()
    const status = await node.status()
    const peer = await intruder()
    try {
      const conn = await peer.dial(multiaddr(status.listenAddrs[0] as string))
      const stream = await conn.newStream(protocolIds(status.fabricId).hello)
      const lp = lpStream(stream)
      await lp.write(new Uint8Array([1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))
      await assert.rejects(lp.read({ signal: AbortSignal.timeout(5_000) }))
      await eventually('disconnected', 5_000, async () => peer.getConnections().length === 0)
      await sleep(200)
      assert.match(node.stderr, /bad hello/)
      assert.ok(node.running)
      assert.deepEqual(await node.peers(), [])
    } finally {
      await peer.stop()
    }
  })
})
