import { quic } from '@chainsafe/libp2p-quic'
import { gossipsub } from '@libp2p/gossipsub'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import type { Metrics, PrivateKey } from '@libp2p/interface'
import { createLibp2p } from 'libp2p'
import type { ProtocolIds } from '../../protocol/protocols.ts'
import type { DenyList } from './deny-list.ts'
import { fabricGater } from './gater.ts'

export interface PeerInit {
  privateKey: PrivateKey
  listen: string[]
  protocols: ProtocolIds
  deny: DenyList
  /** Gossip topics this fabric speaks; anything else is dropped unread. */
  topics: string[]
  /**
   * Upper bound on open connections. A node keeps a sample of the fabric,
   * not all of it, so a few hundred is plenty even for a large fabric.
   * @default 300
   */
  maxConnections?: number
  /** Further peers to refuse, besides the deny list's. */
  refuse?: (peerId: string) => boolean
  /** libp2p's own metrics, when the daemon serves /metrics. */
  metrics?: (components: any) => Metrics
}

/**
 * The libp2p node of a fabric member: QUIC only (its TLS 1.3 and native
 * stream multiplexing replace Noise and Yamux), identify and ping for the
 * basics, gossipsub and a private kad-dht. Membership itself is enforced
 * above this by the hello protocol and the deny list; QUIC does not apply a
 * pnet key, so nothing here alone keeps an outsider out.
 */
export async function createPeer (init: PeerInit) {
  return createLibp2p({
    start: false,
    privateKey: init.privateKey,
    addresses: { listen: init.listen },
    // Keep-alives every 2 s and an 8 s idle timeout: a peer that died without
    // closing (kill -9, power cut) drops out of the peer list in ~8 s instead
    // of QUIC's default 10 s, while four lost keep-alives in a row are still
    // tolerated on a lossy link.
    ...(init.metrics != null ? { metrics: init.metrics } : {}),
    transports: [quic({ keepAliveInterval: 2_000, maxIdleTimeout: 8_000 })],
    connectionGater: fabricGater(init.deny, init.refuse),
    connectionManager: {
      maxConnections: init.maxConnections ?? 300,
      // Refuse floods of half-open handshakes before they cost a TLS handshake each.
      maxIncomingPendingConnections: 32,
      inboundConnectionThreshold: 20
    },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        allowedTopics: init.topics,
        // Members are authenticated by certificate, not by where they dial
        // from: NATed edge sites and loopback tests put many peers behind one
        // IP, which colocation scoring would punish.
        scoreParams: { IPColocationFactorWeight: 0 },
        maxInboundDataLength: 1024 * 1024
      }),
      dht: kadDHT({
        protocol: `${init.protocols.dhtPrefix}/kad/1.0.0`,
        // Fabrics live on private networks; without this a node whose
        // addresses are all private would turn client-only and serve nobody.
        clientMode: false,
        peerInfoMapper: passthroughMapper,
        allowQueryWithZeroPeers: true
      })
    }
  })
}

export type Peer = Awaited<ReturnType<typeof createPeer>>
