import { InvalidInputError } from '../../../protocol/errors.ts'
import { DataDir } from '../../config/data-dir.ts'
import { checkListenAddr } from '../../config/node-config.ts'
import { Daemon } from '../../daemon.ts'
import { createLogger, LOG_LEVELS, type LogLevel } from '../../log.ts'
import { makeJoinToken } from '../../membership/fabric.ts'
import { parseListen } from '../../metrics.ts'
import { dataDirOf, parseFlags, type Io } from '../context.ts'
import { configFromFlags, NODE_FLAGS } from './init.ts'

const BANNER_TOKEN_TTL_MS = 24 * 3_600_000

/**
 * `hyperion start`: runs the daemon in the foreground until SIGINT/SIGTERM.
 * A new data dir is initialised from the node flags; with neither a fabric
 * nor a token, the node creates a single-node fabric and prints what another
 * node needs to join it.
 */
export async function start (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('start', args, {
    ...NODE_FLAGS,
    bootstrap: { type: 'string', multiple: true },
    'join-token': { type: 'string' },
    'log-level': { type: 'string' },
    metrics: { type: 'string' }
  })
  const level = (values['log-level'] ?? 'info') as LogLevel
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new InvalidInputError(`--log-level: must be one of ${LOG_LEVELS.join(', ')} (got '${level}')`, 'USAGE')
  const dataDir = dataDirOf(values)
  const dir = new DataDir(dataDir)
  const nodeFlags = (['region', 'zone', 'geography', 'provider', 'label', 'price-per-hour', 'spot', 'priority', 'telemetry-interval'] as const).filter(f => values[f] != null)
  if (dir.isInitialised() && nodeFlags.length > 0) {
    throw new InvalidInputError(`--${nodeFlags[0]}: ${dataDir} already has a node config; these flags only set up a new data dir (edit ${dir.configPath} or use 'hyperion init --force')`, 'USAGE')
  }
  ;(values.listen ?? []).forEach((a, i) => checkListenAddr(`--listen[${i}]`, a))
  for (const b of values.bootstrap ?? []) {
    try { checkListenAddr('--bootstrap', b) } catch { throw new InvalidInputError(`--bootstrap: not a QUIC multiaddr of a fabric node (got '${b}'); it looks like /ip4/10.0.0.1/udp/4001/quic-v1/p2p/12D3KooW…`, 'USAGE') }
  }

  const metricsListen = values.metrics != null ? parseListen(values.metrics) : undefined
  const logger = createLogger(level)
  let fatal: Error | undefined
  let finish!: () => void
  const finished = new Promise<void>(resolve => { finish = resolve })
  const daemon = new Daemon({
    dataDir,
    logger,
    initConfig: configFromFlags(values),
    ...(values.bootstrap != null ? { bootstrap: values.bootstrap } : {}),
    ...(values['join-token'] != null ? { joinToken: values['join-token'] } : {}),
    ...(values.listen != null ? { listen: values.listen } : {}),
    ...(values['admin-socket'] != null ? { adminSocket: values['admin-socket'] } : {}),
    ...(metricsListen != null ? { metricsListen } : {}),
    onFatal: (err) => { fatal = err; finish() }
  })
  await daemon.start()

  const stop = (signal: string): void => {
    logger.info({ signal }, 'stopping')
    void daemon.stop().then(finish, finish)
  }
  process.once('SIGINT', () => { stop('SIGINT') })
  process.once('SIGTERM', () => { stop('SIGTERM') })

  await printBanner(daemon, io)
  await finished
  if (fatal != null) {
    io.err(`hyperion: ${fatal.message}`)
    return 1
  }
  return 0
}

async function printBanner (d: Daemon, io: Io): Promise<void> {
  const lines = [
    `hyperion ${(await import('../../version.ts')).VERSION}: node ${d.peerId}`,
    `fabric ${d.fabricId}${d.createdFabric ? ' (new, single node)' : ''}, region ${d.config.region}, data dir ${d.dataDir.path}`,
    `admin socket ${d.socketPath}${d.metricsAddress != null ? `, metrics on http://${d.metricsAddress}/metrics` : ''}`
  ]
  if (d.state === 'joining') lines.push('joining the fabric through the bootstrap peers…')
  lines.push('bootstrap addresses:', ...d.bootstrapAddrs().map(a => `  ${a}`))
  const issuer = d.issuer
  if (issuer != null && d.membership != null) {
    const { token, expiresAt } = await makeJoinToken(issuer, d.membership.fabricPublicKey, { ttlMs: BANNER_TOKEN_TTL_MS, role: 'member', region: '' }, d.now())
    lines.push(
      `join token (member, valid until ${new Date(expiresAt).toISOString()}):`,
      `  ${token}`,
      'join another node with:',
      `  hyperion start --data-dir OTHER_DIR --listen /ip4/0.0.0.0/udp/4002/quic-v1 --bootstrap ${d.bootstrapAddrs()[0] ?? 'MULTIADDR'} --join-token ${token}`
    )
  }
  lines.push('stop with Ctrl-C')
  io.out(lines.join('\n'))
}
