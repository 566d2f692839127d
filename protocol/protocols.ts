/**
 * Every libp2p protocol id and gossip topic of a fabric carries its fabric
 * id, so two fabrics sharing a network (or a peer dialling the wrong one)
 * fail at protocol negotiation instead of exchanging anything.
 * Versions are part of the id and only grow.
 */
export function protocolIds (fabricId: string) {
  const base = `/hyperion/${fabricId}`
  return {
    /** Token for certificate, spoken before the joiner has a certificate. */
    join: `${base}/join/1.0.0`,
    /** Mutual certificate exchange + peer exchange on every new connection. */
    hello: `${base}/hello/1.0.0`,
    /** Prefix for kad-dht: keeps the fabric's DHT apart from the public IPFS one. */
    dhtPrefix: base,
    /** Gossip topic on which members announce themselves and their addresses. */
    membersTopic: `${base}/members/1`,
    /**
     * Telemetry stays within a region: a node subscribes to its own region's
     * topic only, so what it processes grows with its region, not the fabric.
     */
    telemetryTopic: (region: string) => `${base}/telemetry/${region}/1`,
    /** Fabric-wide: one summary per region every few seconds (see RegionSummary). */
    summaryTopic: `${base}/summaries/1`,
    /** Anti-entropy of the replicated state: digests, then key pages, then entries. */
    sync: `${base}/sync/1.0.0`,
    /** Fabric-wide: every state entry a node writes, gossiped at once (sync repairs what it misses). */
    controlTopic: `${base}/control/1`,
    /** Direct and indirect failure-detector probes. */
    probe: `${base}/probe/1.0.0`,
    /** Alive / suspect / dead updates of a region's members. */
    swimTopic: (region: string) => `${base}/swim/${region}/1`,
    /** The region coordinator's claims (its heartbeat). */
    claimTopic: (region: string) => `${base}/claims/${region}/1`
  }
}

export type ProtocolIds = ReturnType<typeof protocolIds>
