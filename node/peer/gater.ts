import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { DenyList } from './deny-list.ts'

/**
 * libp2p's gate, fed by the deny list (and by `extra`, an embedder's own
 * refusals: the in-process test fabric cuts links with it). QUIC gives us the remote peer id from
 * its TLS certificate at the encrypted-connection hooks, so known outsiders
 * are refused there and never dialled. (Returning true means deny.)
 */
export function fabricGater (deny: DenyList, extra?: (peer: string) => boolean): ConnectionGater {
  const denied = (peer: PeerId): boolean => deny.isDenied(peer.toString()) || extra?.(peer.toString()) === true
  return {
    denyDialPeer: async (peer) => denied(peer),
    denyInboundEncryptedConnection: async (peer) => denied(peer),
    denyOutboundEncryptedConnection: async (peer) => denied(peer)
  }
}
