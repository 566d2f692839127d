import { parseDuration } from '../../protocol/duration.ts'
import { isRole, type Role } from '../../protocol/membership/index.ts'
import { checkRegion } from '../config/node-config.ts'
import type { Daemon } from '../daemon.ts'
import { makeJoinToken } from '../membership/fabric.ts'
import { VERSION } from '../version.ts'
import { ApiError } from './errors.ts'
import type { Route } from './server.ts'
import { workloadRoutes } from './workload-routes.ts'

/** Longest join token we sign: a token is a bearer secret, so it should not live for ever. */
const MAX_TOKEN_TTL_MS = 30 * 86_400_000

/**
 * The admin API of SPEC "Admin socket" as far as this build goes. Every
 * handler validates its whole input before it acts, so a refused request
 * changes nothing.
 */
export function routes (d: Daemon): Route[] {
  return [
    ...workloadRoutes(d),
    { method: 'GET', path: '/v1/status', handler: async () => ({ body: status(d) }) },
    { method: 'GET', path: '/v1/peers', handler: async () => ({ body: peers(d) }) },
    { method: 'POST', path: '/v1/fabric/tokens', handler: async (req) => ({ status: 201, body: await token(d, req.body) }) },
    { method: 'GET', path: '/v1/nodes', handler: async () => ({ body: nodes(d) }) },
    {
      method: 'GET',
      path: '/v1/events',
      handler: async (req) => {
        const after = Number(req.query.get('after') ?? 0)
        if (!Number.isInteger(after) || after < 0) throw new ApiError(400, 'INVALID_INPUT', `after: must be an event id >= 0 (got '${req.query.get('after')}')`)
        return {
          sse: (send) => {
            for (const e of d.events.since(after)) send({ id: e.id, event: e.type, data: e })
            return d.events.subscribe(e => { send({ id: e.id, event: e.type, data: e }) })
          }
        }
      }
    }
  ]
}

export function status (d: Daemon) {
  const cert = d.membership?.certificate
  return {
    peerId: d.peerId,
    fabricId: d.fabricId,
    state: d.state,
    region: d.config.region,
    ...d.election.view(),
    fabricLeader: d.fabricLeader(),
    incarnation: d.detector.ownIncarnation,
    zone: d.config.zone,
    geography: d.config.geography,
    provider: d.config.provider,
    labels: d.config.labels,
    pricePerHour: d.config.pricePerHour,
    spot: d.config.spot,
    membership: cert == null
      ? null
      : { role: cert.role, region: cert.region, expiresAt: new Date(cert.expiresAt).toISOString(), canIssueTokens: d.issuer != null },
    listenAddrs: d.bootstrapAddrs(),
    peerCount: d.connectedMembers().length,
    version: VERSION,
    uptimeSeconds: Math.round((d.now() - d.startedAt) / 1000),
    dataDir: d.dataDir.path,
    adminSocket: d.socketPath,
    metrics: d.metricsAddress ?? null,
    hardware: d.hardware.summary(),
    /** Median RTT to connected members, by their region. */
    regionRttMs: d.regionRtts(),
    /** Other regions, as their summaries tell them. */
    regions: d.summaries.list()
  }
}

/**
 * The nodes this node has telemetry from (its own region; other regions
 * arrive as summaries), with the failure detector's verdict on each.
 */
export function nodes (d: Daemon) {
  const now = d.now()
  const period = d.telemetryIntervalMs
  const coordinator = d.election.view().coordinator
  const withTelemetry = d.view.list(now).map(n => {
    const age = now - n.receivedAt
    const member = d.members.get(n.peerId)
    return {
      peerId: n.peerId,
      self: n.peerId === d.peerId,
      region: n.facts.region,
      zone: n.facts.zone as string | null,
      geography: n.facts.geography as string | null,
      provider: n.facts.provider as string | null,
      state: n.peerId === d.peerId ? 'alive' : (d.detector.statusOf(n.peerId)?.state ?? (age <= 3 * period ? 'alive' : 'suspect')),
      role: n.peerId === coordinator ? 'coordinator' : 'member',
      membershipRole: n.peerId === d.peerId ? (d.membership?.certificate.role ?? null) : (member?.role ?? null),
      version: n.facts.version as string | null,
      facts: n.facts as typeof n.facts | null,
      telemetry: { ...n.sample, sampledAt: new Date(n.sampledAt).toISOString(), seq: n.seq } as (typeof n.sample & { sampledAt: string, seq: number }) | null,
      telemetryAgeMs: age as number | null
    }
  })
  // Members the failure detector tracks before their first telemetry arrives.
  const listed = new Set(withTelemetry.map(n => n.peerId))
  const withoutTelemetry = d.detector.known().filter(([id]) => !listed.has(id)).map(([id, st]) => {
    const member = d.members.get(id)
    return {
      peerId: id, self: false, region: member?.region ?? d.config.region, zone: null, geography: null, provider: null,
      state: st.state, role: id === coordinator ? 'coordinator' : 'member', membershipRole: member?.role ?? null,
      version: null, facts: null, telemetry: null, telemetryAgeMs: null
    }
  })
  return [...withTelemetry, ...withoutTelemetry]
}

export function peers (d: Daemon) {
  return d.connectedMembers().map(p => {
    const m = d.members.get(p.peerId)
    return {
      peerId: p.peerId,
      addrs: p.addrs,
      region: m?.region ?? null,
      role: m?.role ?? null,
      rttMs: p.rttMs
    }
  }).sort((a, b) => a.peerId.localeCompare(b.peerId))
}

async function token (d: Daemon, body: unknown) {
  const b = (body ?? {}) as Record<string, unknown>
  if (typeof b !== 'object' || Array.isArray(b)) throw new ApiError(400, 'INVALID_INPUT', 'body: must be a JSON object like {"ttl": "24h", "role": "member"}')
  for (const k of Object.keys(b)) if (!['ttl', 'role', 'region'].includes(k)) throw new ApiError(400, 'INVALID_INPUT', `${k}: unknown field (known: ttl, role, region)`)
  const ttlText = b.ttl ?? '24h'
  if (typeof ttlText !== 'string') throw new ApiError(400, 'INVALID_INPUT', `ttl: must be a duration string like 24h (got ${JSON.stringify(ttlText)})`)
  const ttlMs = parseDuration(ttlText, 'ttl')
  if (ttlMs < 60_000 || ttlMs > MAX_TOKEN_TTL_MS) throw new ApiError(400, 'INVALID_INPUT', `ttl: must be between 1m and 30d (got ${ttlText})`)
  const role = b.role ?? 'member'
  if (typeof role !== 'string' || !isRole(role)) throw new ApiError(400, 'INVALID_INPUT', `role: must be member or admin (got ${JSON.stringify(role)})`)
  const region = b.region == null ? '' : checkRegion('region', b.region)
  const issuer = d.issuer
  if (issuer == null || d.membership == null) {
    throw new ApiError(409, 'NOT_AN_ISSUER', 'this node cannot issue join tokens: only the fabric creator and nodes that joined with an admin token can')
  }
  const out = await makeJoinToken(issuer, d.membership.fabricPublicKey, { ttlMs, role: role as Role, region }, d.now())
  return { token: out.token, fabricId: d.fabricId, role, region: region === '' ? null : region, expiresAt: new Date(out.expiresAt).toISOString() }
}
