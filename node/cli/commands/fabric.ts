import { InvalidInputError } from '../../../protocol/errors.ts'
import { DataDir } from '../../config/data-dir.ts'
import { lockDataDir } from '../../lock.ts'
import { createFabric } from '../../membership/fabric.ts'
import { clientFor, dataDirOf, parseFlags, print, type Io } from '../context.ts'

export async function fabric (args: string[], io: Io): Promise<number> {
  const [sub, ...rest] = args
  if (sub === 'create') return await create(rest, io)
  if (sub === 'token') return await token(rest, io)
  throw new InvalidInputError(`hyperion fabric: expected 'create' or 'token' (got '${sub ?? ''}'); see 'hyperion help'`, 'USAGE')
}

/** Works on the data dir directly (there is no fabric to run a daemon in yet), holding its lock so no daemon races it. */
async function create (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('fabric create', args, {})
  const dir = new DataDir(dataDirOf(values))
  if (!dir.isInitialised()) throw new InvalidInputError(`${dir.path} has no node identity yet: run 'hyperion init' first`, 'NOT_INITIALISED')
  const release = lockDataDir(dir.lockPath, dir.path)
  try {
    const m = await createFabric(dir, dir.loadNodeKey(), dir.loadConfig().region, Date.now())
    print(io, values.json, { fabricId: m.fabricId, role: m.certificate.role }, () => `created fabric ${m.fabricId}; this node is its first admin.\nstart it with 'hyperion start', then make join tokens with 'hyperion fabric token'`)
  } finally {
    release()
  }
  return 0
}

async function token (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('fabric token', args, { ttl: { type: 'string' }, role: { type: 'string' }, region: { type: 'string' } })
  const body = {
    ...(values.ttl != null ? { ttl: values.ttl } : {}),
    ...(values.role != null ? { role: values.role } : {}),
    ...(values.region != null ? { region: values.region } : {})
  }
  const out = await clientFor(values).call<{ token: string, expiresAt: string }>('POST', '/v1/fabric/tokens', body)
  print(io, values.json, out, () => out.token)
  return 0
}
