import { table } from '../table.ts'
import { clientFor, parseFlags, print, type Io } from '../context.ts'
import type { nodes as nodesRoute, peers as peersRoute, status as statusRoute } from '../../admin/routes.ts'

type Status = ReturnType<typeof statusRoute>
type Peers = ReturnType<typeof peersRoute>
type Nodes = ReturnType<typeof nodesRoute>

const GiB = 2 ** 30
const gib = (n: number | null): string => n == null ? '?' : (n / GiB).toFixed(1)

export async function status (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('status', args, {})
  const s = await clientFor(values).call<Status>('GET', '/v1/status')
  print(io, values.json, s, () => [
    `peer id      ${s.peerId}`,
    `fabric       ${s.fabricId} (${s.state})`,
    `membership   ${s.membership == null ? 'none yet' : `${s.membership.role}${s.membership.canIssueTokens ? ', can issue tokens' : ''}, certificate valid until ${s.membership.expiresAt}`}`,
    `region       ${s.region} / ${s.zone} (${s.geography}, ${s.provider}${s.spot ? ', spot' : ''})`,
    `role         ${s.role}; coordinator ${s.coordinator ?? 'none yet'}${s.epoch != null ? ` (epoch ${s.epoch})` : ''}`,
    `fabric lead  ${s.fabricLeader ?? 'none yet'}`,
    `peers        ${s.peerCount}`,
    `listening    ${s.listenAddrs.join('\n             ')}`,
    `version      ${s.version}, up ${s.uptimeSeconds}s`
  ].join('\n'))
  return 0
}

export async function peers (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('peers', args, {})
  const list = await clientFor(values).call<Peers>('GET', '/v1/peers')
  print(io, values.json, list, () => list.length === 0
    ? 'no peers connected'
    : table(['PEER', 'REGION', 'ROLE', 'RTT', 'ADDRESS'], list.map(p => [p.peerId, p.region ?? '-', p.role ?? '-', p.rttMs == null ? '-' : `${p.rttMs}ms`, p.addrs[0] ?? '-'])))
  return 0
}

export async function nodes (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('nodes', args, {})
  const list = await clientFor(values).call<Nodes>('GET', '/v1/nodes')
  print(io, values.json, list, () => list.length === 0
    ? 'no telemetry yet'
    : table(['NODE', 'REGION', 'PROVIDER', 'STATE', 'ROLE', 'CPU', 'LOAD', 'MEM FREE/TOTAL GiB', 'DISK FREE/TOTAL GiB', 'GPUS', 'AGE'], list.map(n => [
      n.peerId + (n.self ? ' (self)' : ''),
      n.region,
      n.provider == null ? '?' : n.provider + (n.facts?.spot === true ? ' spot' : ''),
      n.state,
      n.role,
      n.facts?.cores == null ? '?' : `${n.facts.cores}x ${n.facts.arch}`,
      n.telemetry?.cpuLoadPercent == null ? '?' : `${Math.round(n.telemetry.cpuLoadPercent)}%`,
      `${gib(n.telemetry?.memoryAvailableBytes ?? null)}/${gib(n.facts?.memoryTotalBytes ?? null)}`,
      `${gib(n.telemetry?.diskAvailableBytes ?? null)}/${gib(n.facts?.diskTotalBytes ?? null)}`,
      n.facts == null ? '?' : String(n.facts.gpus.length),
      n.telemetryAgeMs == null ? 'no telemetry yet' : `${(n.telemetryAgeMs / 1000).toFixed(1)}s`
    ])))
  return 0
}
