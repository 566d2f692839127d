import { multiaddr } from '@multiformats/multiaddr'
import { InvalidInputError } from '../../protocol/errors.ts'

/**
 * What a node says about itself, set by `hyperion init` and kept in
 * `<data-dir>/config.json`. Placement and election read these facts, so each
 * is validated here, once, with a message naming the field.
 */
export interface NodeConfig {
  region: string
  zone: string
  /** Coarse jurisdiction for data-residency constraints: US, EU, APAC, … */
  geography: string
  provider: string
  labels: Record<string, string>
  /** What an hour of this node costs, in USD; 0 for owned hardware. */
  pricePerHour: number
  spot: boolean
  listen: string[]
  /** Election rank: a higher priority wins the coordinator role first. */
  priority: number
  /** How often this node samples its hardware and gossips telemetry, ms. */
  telemetryIntervalMs: number
}

export const CONFIG_VERSION = 1

export const DEFAULT_CONFIG: NodeConfig = {
  // A lone node on a laptop or test box: a region name that is obviously local.
  region: 'local',
  zone: 'local-a',
  geography: 'LOCAL',
  provider: 'onprem',
  labels: {},
  pricePerHour: 0,
  spot: false,
  // SPEC default: all interfaces, the libp2p port convention, QUIC only.
  listen: ['/ip4/0.0.0.0/udp/4001/quic-v1'],
  priority: 0,
  // SPEC default. Fresh enough for placement and failure prediction; each
  // node processes (region size - 1) / interval messages a second.
  telemetryIntervalMs: 2_000
}

export const PROVIDERS = ['aws', 'gcp', 'azure', 'onprem', 'edge'] as const

const REGION = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
const GEOGRAPHY = /^[A-Z]{2,8}$/
const LABEL_KEY = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$/

function bad (field: string, problem: string, value: unknown): never {
  throw new InvalidInputError(`${field}: ${problem} (got ${JSON.stringify(value)})`, 'INVALID_CONFIG')
}

export function checkRegion (field: string, value: unknown): string {
  if (typeof value !== 'string' || !REGION.test(value)) bad(field, 'must be lower-case letters, digits and dashes, 1-63 characters, like us-east-1', value)
  return value
}

export function checkLabel (key: string, value: string): void {
  if (!LABEL_KEY.test(key)) bad(`labels.${key}`, 'label key must look like a Kubernetes label key (e.g. gpu-class or example.com/rack)', key)
  if (!LABEL_VALUE.test(value)) bad(`labels.${key}`, 'label value must be up to 63 letters, digits, -, _ or .', value)
}

export function checkListenAddr (field: string, value: unknown): string {
  if (typeof value !== 'string') bad(field, 'must be a multiaddr string', value)
  let ma
  try {
    ma = multiaddr(value)
  } catch {
    return bad(field, 'is not a valid multiaddr', value)
  }
  const names = ma.getComponents().map(c => c.name)
  if (!names.includes('quic-v1') || !names.includes('udp')) bad(field, 'must be a QUIC address like /ip4/0.0.0.0/udp/4001/quic-v1', value)
  return value
}

/** Validates a whole config object; unknown fields are refused, not ignored. */
export function validateNodeConfig (raw: unknown): NodeConfig {
  if (raw == null || typeof raw !== 'object' || Array.isArray(raw)) bad('config', 'must be a JSON object', raw)
  const obj = raw as Record<string, unknown>
  const known = new Set([...Object.keys(DEFAULT_CONFIG), 'configVersion'])
  for (const key of Object.keys(obj)) if (!known.has(key)) bad(key, 'unknown field', obj[key])
  if (obj.configVersion !== undefined && obj.configVersion !== CONFIG_VERSION) bad('configVersion', `this hyperion reads version ${CONFIG_VERSION}`, obj.configVersion)
  const c = { ...DEFAULT_CONFIG, ...obj } as Record<string, unknown>
  checkRegion('region', c.region)
  if (typeof c.zone !== 'string' || (c.zone !== '' && !REGION.test(c.zone))) bad('zone', 'must be lower-case letters, digits and dashes, like us-east-1a', c.zone)
  if (typeof c.geography !== 'string' || !GEOGRAPHY.test(c.geography)) bad('geography', 'must be 2-8 upper-case letters, like US, EU or APAC', c.geography)
  if (typeof c.provider !== 'string' || !(PROVIDERS as readonly string[]).includes(c.provider)) bad('provider', `must be one of ${PROVIDERS.join(', ')}`, c.provider)
  if (c.labels == null || typeof c.labels !== 'object' || Array.isArray(c.labels)) bad('labels', 'must be an object of strings', c.labels)
  for (const [k, v] of Object.entries(c.labels as object)) {
    if (typeof v !== 'string') bad(`labels.${k}`, 'must be a string', v)
    checkLabel(k, v)
  }
  if (typeof c.pricePerHour !== 'number' || !Number.isFinite(c.pricePerHour) || c.pricePerHour < 0 || c.pricePerHour > 10_000) bad('pricePerHour', 'must be a number of USD per hour between 0 and 10000', c.pricePerHour)
  if (typeof c.spot !== 'boolean') bad('spot', 'must be true or false', c.spot)
  if (!Array.isArray(c.listen) || c.listen.length === 0 || c.listen.length > 16) bad('listen', 'must be a list of 1-16 multiaddrs', c.listen)
  ;(c.listen as unknown[]).forEach((a, i) => checkListenAddr(`listen[${i}]`, a))
  if (typeof c.priority !== 'number' || !Number.isInteger(c.priority) || c.priority < -1000 || c.priority > 1000) bad('priority', 'must be an integer between -1000 and 1000', c.priority)
  if (typeof c.telemetryIntervalMs !== 'number' || !Number.isInteger(c.telemetryIntervalMs) || c.telemetryIntervalMs < 500 || c.telemetryIntervalMs > 600_000) bad('telemetryIntervalMs', 'must be a whole number of ms between 500 and 600000', c.telemetryIntervalMs)
  return {
    region: c.region as string,
    zone: c.zone,
    geography: c.geography,
    provider: c.provider,
    labels: { ...(c.labels as Record<string, string>) },
    pricePerHour: c.pricePerHour,
    spot: c.spot,
    listen: [...(c.listen as string[])],
    priority: c.priority,
    telemetryIntervalMs: c.telemetryIntervalMs
  }
}
