import { ManifestError, parseManifest } from '../../protocol/manifest/index.ts'
import { StateLimitError, type SpecEntry } from '../../protocol/state/index.ts'
import type { Daemon } from '../daemon.ts'
import { ApiError } from './errors.ts'
import type { Route } from './server.ts'

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

/** Said plainly in every status until placement lands, rather than pretending a replica is coming. */
export const NO_SCHEDULER_REASON = 'not placed: this build has no scheduler yet; the spec is stored durably and replicated to every node, but no replica is started'

/**
 * The workload API of SPEC "Admin socket". A write answers only once its op
 * is fsync'd in this node's store (`durable: true`); the fabric learns of
 * it by gossip at once and by anti-entropy otherwise.
 */
export function workloadRoutes (d: Daemon): Route[] {
  return [
    { method: 'POST', path: '/v1/workloads', raw: true, handler: async (req) => applyManifest(d, req.text, req.contentType) },
    { method: 'GET', path: '/v1/workloads', handler: async () => ({ body: d.stateService.state.specs().map(s => workloadDoc(d, s)) }) },
    { method: 'GET', path: '/v1/workloads/:name', handler: async (req) => ({ body: workloadDoc(d, live(d, req.params.name)) }) },
    {
      method: 'DELETE',
      path: '/v1/workloads/:name',
      handler: async (req) => {
        const name = checkName(req.params.name)
        const out = d.stateService.delete(name)
        if (out === undefined) throw notFound(name)
        return { status: 202, body: out }
      }
    },
    { method: 'GET', path: '/v1/workloads/:name/events', handler: async (req) => ({ body: workloadEvents(d, checkName(req.params.name)) }) },
    {
      method: 'GET',
      path: '/v1/state',
      handler: async () => {
        const s = d.stateService.state
        return { body: { digest: s.digest(), entries: s.size, workloads: s.specs().length, horizon: s.horizon, clock: d.stateService.clock } }
      }
    }
  ]
}

async function applyManifest (d: Daemon, text: string | undefined, contentType: string | undefined) {
  if (text === undefined || text.trim() === '') throw new ApiError(400, 'INVALID_INPUT', 'body: must be a HyperionWorkload manifest (JSON, or YAML with Content-Type: application/yaml); got an empty body')
  try {
    const out = d.stateService.apply(parseManifest(text, contentType))
    return { status: out.outcome === 'created' ? 201 : 200, body: out }
  } catch (err) {
    if (err instanceof ManifestError || err instanceof StateLimitError) throw new ApiError(err.status, err.code, err.message)
    throw err
  }
}

function checkName (name: string | undefined): string {
  if (name === undefined || name.length > 63 || !DNS1123_LABEL.test(name)) {
    throw new ApiError(400, 'INVALID_INPUT', `name: must be a DNS-1123 label (got ${JSON.stringify(name)})`)
  }
  return name
}

function notFound (name: string): ApiError {
  return new ApiError(404, 'NOT_FOUND', `no workload named ${JSON.stringify(name)}`)
}

function live (d: Daemon, param: string | undefined): SpecEntry {
  const name = checkName(param)
  const spec = d.stateService.state.spec(name)
  if (spec === undefined || spec.value === null) throw notFound(name)
  return spec
}

/** Desired state (the spec) and observed state (replica statuses, which only a scheduler would produce). */
export function workloadDoc (d: Daemon, s: SpecEntry) {
  const manifest = s.value?.manifest
  if (manifest === undefined) throw notFound(s.name)
  const replicas = d.stateService.state.statuses(s.name)
    .filter(st => st.value !== null)
    .map(st => ({ index: st.index, node: st.node, state: st.value?.state, restarts: st.value?.restarts ?? 0, startedAt: st.value?.startedAt == null ? null : new Date(st.value.startedAt).toISOString() }))
  const running = replicas.filter(r => r.state === 'running').length
  return {
    name: s.name,
    generation: s.generation,
    metadata: manifest.metadata,
    spec: manifest.spec,
    updatedAt: new Date(s.ts.wallMs).toISOString(),
    updatedBy: s.ts.node,
    status: {
      phase: 'Pending',
      wanted: manifest.spec.replicas,
      running,
      replicas,
      reason: manifest.spec.replicas === 0 ? 'no replicas wanted (spec.replicas is 0)' : NO_SCHEDULER_REASON
    }
  }
}

/** This node's events about a workload (stored, deleted; placement events once a scheduler exists). */
function workloadEvents (d: Daemon, name: string) {
  const known = d.stateService.state.spec(name) !== undefined
  const events = d.events.since(0).filter(e => e.data?.workload === name)
  if (!known && events.length === 0) throw notFound(name)
  return events
}
