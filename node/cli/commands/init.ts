import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { InvalidInputError } from '../../../protocol/errors.ts'
import { parseDuration } from '../../../protocol/duration.ts'
import { DataDir } from '../../config/data-dir.ts'
import { checkLabel, DEFAULT_CONFIG, validateNodeConfig, type NodeConfig } from '../../config/node-config.ts'
import { dataDirOf, parseFlags, print, type Io } from '../context.ts'

export const NODE_FLAGS = {
  region: { type: 'string' },
  zone: { type: 'string' },
  geography: { type: 'string' },
  provider: { type: 'string' },
  label: { type: 'string', multiple: true },
  'price-per-hour': { type: 'string' },
  spot: { type: 'boolean' },
  listen: { type: 'string', multiple: true },
  priority: { type: 'string' },
  'telemetry-interval': { type: 'string' }
} as const

type NodeFlagValues = { [K in keyof typeof NODE_FLAGS]?: (typeof NODE_FLAGS)[K] extends { multiple: true } ? string[] : (typeof NODE_FLAGS)[K]['type'] extends 'boolean' ? boolean : string }

function number (flag: string, text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n)) throw new InvalidInputError(`--${flag}: must be a number (got '${text}')`, 'USAGE')
  return n
}

/** Builds a node config from `init`/`start` flags over the defaults; validation names the flag's field. */
export function configFromFlags (v: NodeFlagValues, base: NodeConfig = DEFAULT_CONFIG): NodeConfig {
  const labels = { ...base.labels }
  for (const l of v.label ?? []) {
    const eq = l.indexOf('=')
    if (eq <= 0) throw new InvalidInputError(`--label: must be key=value (got '${l}')`, 'USAGE')
    const [key, value] = [l.slice(0, eq), l.slice(eq + 1)]
    checkLabel(key, value)
    labels[key] = value
  }
  return validateNodeConfig({
    ...base,
    ...(v.region != null ? { region: v.region } : {}),
    ...(v.zone != null ? { zone: v.zone } : {}),
    ...(v.geography != null ? { geography: v.geography } : {}),
    ...(v.provider != null ? { provider: v.provider } : {}),
    labels,
    ...(v['price-per-hour'] != null ? { pricePerHour: number('price-per-hour', v['price-per-hour']) } : {}),
    ...(v.spot != null ? { spot: v.spot } : {}),
    ...(v.listen != null ? { listen: v.listen } : {}),
    ...(v.priority != null ? { priority: number('priority', v.priority) } : {}),
    ...(v['telemetry-interval'] != null ? { telemetryIntervalMs: parseDuration(v['telemetry-interval'], '--telemetry-interval') } : {})
  })
}

export async function init (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('init', args, { ...NODE_FLAGS, force: { type: 'boolean' } })
  const config = configFromFlags(values)
  const dir = new DataDir(dataDirOf(values))
  const key = await dir.init(config, values.force === true)
  const peerId = peerIdFromPrivateKey(key).toString()
  print(io, values.json, { peerId, dataDir: dir.path, config }, () =>
    `initialised ${dir.path}\npeer id: ${peerId}\nregion ${config.region} (${config.geography}, ${config.provider}), listening on ${config.listen.join(', ')}\nnext: 'hyperion start' to run it (it creates a fabric), or 'hyperion start --bootstrap MULTIADDR --join-token TOKEN' to join one`)
  return 0
}
