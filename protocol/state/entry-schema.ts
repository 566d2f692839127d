/**
 * Validation of entries that arrive from outside (gossip, sync, disk):
 * strict shapes, a well-formed clock, a status written by the node it is
 * about, and a spec whose manifest passes the manifest schema unchanged and
 * hashes to the `specHash` it claims. A bad entry is refused with a message
 * naming the field; it never reaches `FabricState.apply`.
 */
import { z } from 'zod'
import { assertHlc } from '../hlc.ts'
import type { Hlc } from '../hlc.ts'
import { InvalidInputError } from '../errors.ts'
import { ForgedWriterError } from './errors.ts'
import { canonicalJson } from '../manifest/canonical-json.ts'
import { ManifestError, renderIssue, renderPath, valueAt } from '../manifest/errors.ts'
import { validateManifest } from '../manifest/parse.ts'
import { MAX_REPLICAS } from '../manifest/schema.ts'
import { REPLICA_STATES } from './entries.ts'
import type { StateEntry } from './entries.ts'

export const MAX_STATUS_MESSAGE = 1024

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const workloadName = z.string({ error: 'must be a string' }).max(63, { error: 'must be at most 63 characters' }).regex(DNS1123_LABEL, { error: 'must be a DNS-1123 label' })
const count = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number({ error: 'must be an integer' })
  .int({ error: 'must be an integer' }).min(min, { error: `must be an integer >= ${min}` }).max(max, { error: `must be an integer <= ${max}` })
const nodeId = z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(128, { error: 'must be at most 128 characters' })

const hlc = z.unknown().transform((value, ctx): Hlc => {
  try {
    assertHlc(value)
    return { wallMs: value.wallMs, logical: value.logical, node: value.node }
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message })
    return z.NEVER
  }
})

const specEntry = z.strictObject({
  type: z.literal('spec'),
  name: workloadName,
  ts: hlc,
  generation: count(1),
  value: z.strictObject({
    manifest: z.record(z.string(), z.unknown(), { error: 'must be a manifest object' }),
    specHash: z.string({ error: 'must be a string' }).regex(/^[0-9a-f]{64}$/, { error: 'must be a SHA-256 in hex' })
  }).nullable()
})

const assignmentEntry = z.strictObject({
  type: z.literal('assignment'),
  workload: workloadName,
  index: count(0, MAX_REPLICAS - 1),
  epoch: count(0),
  ts: hlc,
  value: z.strictObject({ node: nodeId, generation: count(1) }).nullable()
})

const statusEntry = z.strictObject({
  type: z.literal('status'),
  workload: workloadName,
  index: count(0, MAX_REPLICAS - 1),
  node: nodeId,
  ts: hlc,
  value: z.strictObject({
    state: z.enum(REPLICA_STATES, { error: `must be one of ${REPLICA_STATES.join(', ')}` }),
    restarts: count(0),
    startedAt: count(0).optional(),
    exitCode: count(-(2 ** 31), 2 ** 31 - 1).optional(),
    message: z.string({ error: 'must be a string' }).max(MAX_STATUS_MESSAGE, { error: `must be at most ${MAX_STATUS_MESSAGE} characters` }).optional(),
    generation: count(1)
  }).nullable()
})

const entrySchema = z.discriminatedUnion('type', [specEntry, assignmentEntry, statusEntry], { error: 'must be an entry of type spec, assignment or status' })

/**
 * Checks an entry from the wire or the disk and returns it as a typed entry.
 * Throws `INVALID_ENTRY` (naming the field and value) or `FORGED_WRITER`.
 */
export function parseEntry (data: unknown): StateEntry {
  const result = entrySchema.safeParse(data)
  if (!result.success) {
    const problems = result.error.issues.map(issue => renderIssue({
      path: `entry${issue.path.length === 0 ? '' : renderPath(issue.path).replace(/^(?=[^[])/, '.')}`,
      problem: issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}` : issue.message,
      value: valueAt(data, issue.path)
    }))
    throw new InvalidInputError(`invalid state entry: ${problems.join('; ')}`, 'INVALID_ENTRY')
  }
  const entry = result.data
  if (entry.type === 'status' && entry.node !== entry.ts.node) {
    throw new ForgedWriterError(`entry.node: a status is written only by the node running the replica, but ${JSON.stringify(entry.node)} is stamped by ${JSON.stringify(entry.ts.node)}`)
  }
  if (entry.type !== 'spec' || entry.value === null) return entry as StateEntry
  return { ...entry, value: checkSpecValue(entry.name, entry.value.manifest, entry.value.specHash) }
}

function checkSpecValue (name: string, manifest: Record<string, unknown>, specHash: string): NonNullable<Extract<StateEntry, { type: 'spec' }>['value']> {
  let workload
  try {
    workload = validateManifest(manifest)
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err
    throw new InvalidInputError(`entry.value.manifest: ${err.message}`, 'INVALID_ENTRY', { cause: err })
  }
  if (workload.name !== name) {
    throw new InvalidInputError(`entry.value.manifest.metadata.name: must equal entry.name ${JSON.stringify(name)} (got ${JSON.stringify(workload.name)})`, 'INVALID_ENTRY')
  }
  // Every node stores the normalised form; anything else would hash differently and never converge.
  if (canonicalJson(workload.manifest) !== canonicalJson(manifest)) {
    throw new InvalidInputError('entry.value.manifest: must be normalised (as parseManifest returns it)', 'INVALID_ENTRY')
  }
  if (workload.specHash !== specHash) {
    throw new InvalidInputError(`entry.value.specHash: does not match the manifest (got ${JSON.stringify(specHash)})`, 'INVALID_ENTRY')
  }
  return { manifest: workload.manifest, specHash }
}
