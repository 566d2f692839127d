import { readFileSync } from 'node:fs'
import { InvalidInputError } from '../../../protocol/errors.ts'
import type { FabricEvent } from '../../events.ts'
import type { workloadDoc } from '../../admin/workload-routes.ts'
import type { WriteResult } from '../../state/state-service.ts'
import { table } from '../table.ts'
import { clientFor, parseFlags, print, type Io } from '../context.ts'

type Workload = ReturnType<typeof workloadDoc>

/** `hyperion apply -f FILE|-`: the daemon parses and validates; we only carry the text. */
export async function apply (args: string[], io: Io): Promise<number> {
  const { values } = parseFlags('apply', args, { filename: { type: 'string', short: 'f' } })
  const file = values.filename
  if (file == null) throw new InvalidInputError("hyperion apply: -f FILE is required (a YAML or JSON manifest; '-' reads stdin)", 'USAGE')
  let text: string
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (err) {
    throw new InvalidInputError(`-f: cannot read ${file === '-' ? 'stdin' : file}: ${(err as Error).message}`, 'USAGE')
  }
  const contentType = file.endsWith('.json') ? 'application/json' : 'application/yaml'
  const out = await clientFor(values).call<WriteResult>('POST', '/v1/workloads', undefined, { text, contentType })
  print(io, values.json, out, () => `workload ${out.name} ${out.outcome} (generation ${out.generation}${out.durable ? ', stored durably' : ''})`)
  return 0
}

/** `hyperion get workloads` · `hyperion get workload NAME` */
export async function get (args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('get', args, {}, 2)
  const [what, name] = positionals
  const client = clientFor(values)
  if (what === 'workloads' && name == null) {
    const list = await client.call<Workload[]>('GET', '/v1/workloads')
    print(io, values.json, list, () => list.length === 0 ? 'no workloads' : render(list))
    return 0
  }
  if ((what === 'workload' || what === 'workloads') && name != null) {
    const w = await client.call<Workload>('GET', `/v1/workloads/${encodeURIComponent(name)}`)
    print(io, values.json, w, () => `${render([w])}\n\n${w.status.reason}`)
    return 0
  }
  throw new InvalidInputError("hyperion get: say 'get workloads' or 'get workload NAME'", 'USAGE')
}

/** `hyperion describe workload NAME` */
export async function describe (args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('describe', args, {}, 2)
  const name = workloadArg('describe', positionals)
  const client = clientFor(values)
  const w = await client.call<Workload>('GET', `/v1/workloads/${encodeURIComponent(name)}`)
  const events = await client.call<FabricEvent[]>('GET', `/v1/workloads/${encodeURIComponent(name)}/events`)
  print(io, values.json, { ...w, events }, () => [
    `name         ${w.name}`,
    `generation   ${w.generation} (updated ${w.updatedAt} by ${w.updatedBy})`,
    `replicas     ${w.status.running}/${w.status.wanted} running`,
    `phase        ${w.status.phase}`,
    `reason       ${w.status.reason}`,
    `goal         ${w.spec.policy?.goal ?? 'default'}`,
    'replicas:',
    w.status.replicas.length === 0 ? '  none' : table(['INDEX', 'NODE', 'STATE', 'RESTARTS', 'STARTED'], w.status.replicas.map(r => [String(r.index), r.node, String(r.state), String(r.restarts), r.startedAt ?? '-'])),
    'events:',
    events.length === 0 ? '  none on this node' : events.map(e => `  ${e.time}  ${e.type}  ${e.message}`).join('\n')
  ].join('\n'))
  return 0
}

/** `hyperion delete workload NAME` (`remove`: `delete` is a keyword). */
export async function remove (args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('delete', args, {}, 2)
  const name = workloadArg('delete', positionals)
  const out = await clientFor(values).call<WriteResult>('DELETE', `/v1/workloads/${encodeURIComponent(name)}`)
  print(io, values.json, out, () => `workload ${out.name} deleted (stored durably; the fabric learns of it by gossip and sync)`)
  return 0
}

function workloadArg (command: string, positionals: string[]): string {
  const [what, name] = positionals
  if (what !== 'workload' || name == null) throw new InvalidInputError(`hyperion ${command}: say '${command} workload NAME'`, 'USAGE')
  return name
}

function render (list: Workload[]): string {
  return table(['NAME', 'GENERATION', 'REPLICAS', 'PHASE', 'UPDATED'], list.map(w => [w.name, String(w.generation), `${w.status.running}/${w.status.wanted}`, w.status.phase, w.updatedAt]))
}
