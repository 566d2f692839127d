/**
 * Recorded cloud metadata services, as local HTTP handlers: each checks the
 * headers its real counterpart insists on and answers from fixtures/hardware/cloud/.
 */
import type { IncomingMessage } from 'node:http'
import { fixture } from './metadata-server.ts'
import type { Answer } from './metadata-server.ts'

export const TOKEN = fixture('cloud', 'aws', 'api-token.txt')
const notFound: Answer = { status: 404, headers: { 'content-type': 'text/html' }, body: fixture('cloud', 'aws', 'not-found.html') }

/** IMDSv2 as AWS serves it: a token for a PUT with a TTL header; GETs without the token get 401. */
export function awsImds (state: { lifecycle: string, action: string | null, tokens?: string[] }) {
  return (req: IncomingMessage): Answer => {
    const tokens = state.tokens ?? [TOKEN]
    if (req.url === '/latest/api/token') {
      if (req.method !== 'PUT' || req.headers['x-aws-ec2-metadata-token-ttl-seconds'] === undefined) return { status: 400 }
      return { status: 200, body: TOKEN }
    }
    if (!tokens.includes(String(req.headers['x-aws-ec2-metadata-token']))) return { status: 401 }
    switch (req.url) {
      case '/latest/dynamic/instance-identity/document':
        return { status: 200, headers: { 'content-type': 'text/plain' }, body: fixture('cloud', 'aws', 'instance-identity-document.json') }
      case '/latest/meta-data/instance-life-cycle':
        return { status: 200, body: fixture('cloud', 'aws', `instance-life-cycle-${state.lifecycle}.txt`) }
      case '/latest/meta-data/spot/instance-action':
        return state.action === null ? notFound : { status: 200, body: fixture('cloud', 'aws', `spot-instance-action-${state.action}.json`) }
      default:
        return notFound
    }
  }
}

/** GCE's metadata server: refuses requests without Metadata-Flavor, echoes it on answers. */
export function gceMetadata (state: { spot: boolean, preempted: boolean }) {
  const files: Record<string, string> = {
    '/computeMetadata/v1/instance/zone': 'zone.txt',
    '/computeMetadata/v1/instance/machine-type': 'machine-type.txt',
    '/computeMetadata/v1/instance/id': 'id.txt',
    '/computeMetadata/v1/instance/scheduling/preemptible': `scheduling-preemptible-${state.spot ? 'true' : 'false'}.txt`,
    '/computeMetadata/v1/instance/scheduling/provisioning-model': `scheduling-provisioning-model-${state.spot ? 'spot' : 'standard'}.txt`
  }
  return (req: IncomingMessage): Answer => {
    if (req.headers['metadata-flavor'] !== 'Google') return { status: 403, body: 'Missing Metadata-Flavor:Google header.' }
    const headers = { 'metadata-flavor': 'Google', 'content-type': 'application/text' }
    if (req.url === '/computeMetadata/v1/instance/preempted') {
      return { status: 200, headers, body: fixture('cloud', 'gcp', `preempted-${state.preempted ? 'true' : 'false'}.txt`) }
    }
    const file = files[req.url ?? '']
    return file === undefined ? { status: 404, headers } : { status: 200, headers, body: fixture('cloud', 'gcp', file) }
  }
}

/** Azure IMDS: needs `Metadata: true` and an api-version. */
export function azureImds (state: { events: string }) {
  return (req: IncomingMessage): Answer => {
    if (req.headers.metadata !== 'true') return { status: 400, body: '{"error":"Bad request. Required metadata header not specified"}' }
    const json = { 'content-type': 'application/json; charset=utf-8' }
    if (req.url === '/metadata/instance/compute?api-version=2021-02-01') return { status: 200, headers: json, body: fixture('cloud', 'azure', 'instance-compute.json') }
    if (req.url === '/metadata/scheduledevents?api-version=2020-07-01') return { status: 200, headers: json, body: fixture('cloud', 'azure', `scheduledevents-${state.events}.json`) }
    return { status: 404 }
  }
}

