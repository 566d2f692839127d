/**
 * Google Compute Engine metadata server. Every request carries
 * `Metadata-Flavor: Google`, and a genuine answer echoes it, which tells the
 * metadata server from anything else listening at the address.
 */
import { CloudMetadataParseError } from '../errors.ts'
import { getOptionalText, isNetworkError, join, request } from './http.ts'
import type { CloudIdentity, CloudMetadataSource, InterruptionNotice } from './types.ts'

export const GCP_DEFAULT_BASE_URL = 'http://metadata.google.internal/computeMetadata/v1'

const HEADERS = { 'Metadata-Flavor': 'Google' }

export interface GcpMetadataInit {
  /** @default 'http://metadata.google.internal/computeMetadata/v1' */
  baseUrl?: string
}

export class GcpMetadata implements CloudMetadataSource {
  readonly provider = 'gcp'
  private readonly baseUrl: string

  constructor (init: GcpMetadataInit = {}) {
    this.baseUrl = init.baseUrl ?? GCP_DEFAULT_BASE_URL
  }

  async identify (signal: AbortSignal): Promise<CloudIdentity | null> {
    const zoneUrl = join(this.baseUrl, 'instance/zone')
    let zoneRes
    try {
      zoneRes = await request(zoneUrl, { headers: HEADERS, signal })
    } catch (err) {
      if (isNetworkError(err)) return null
      throw err
    }
    if (zoneRes.status !== 200 || zoneRes.headers.get('metadata-flavor') !== 'Google') return null
    const [machineType, preemptible, provisioning, id] = await Promise.all([
      this.get('instance/machine-type', signal),
      this.get('instance/scheduling/preemptible', signal),
      this.get('instance/scheduling/provisioning-model', signal),
      this.get('instance/id', signal)
    ])
    // `projects/123456789/zones/us-central1-a`; the region is the zone minus its last part.
    const zone = lastSegment(zoneUrl, zoneRes.body)
    return {
      provider: 'gcp',
      region: zone.replace(/-[a-z]$/, ''),
      zone,
      instanceType: machineType === null ? null : lastSegment('instance/machine-type', machineType),
      instanceId: id?.trim() || null,
      lifecycle: gcpLifecycle(preemptible, provisioning)
    }
  }

  async interruption (signal: AbortSignal): Promise<InterruptionNotice | null> {
    const preempted = await this.get('instance/preempted', signal)
    if (preempted?.trim().toUpperCase() !== 'TRUE') return null
    return { provider: 'gcp', action: 'preempted', deadline: null }
  }

  private async get (path: string, signal: AbortSignal): Promise<string | null> {
    return await getOptionalText(join(this.baseUrl, path), HEADERS, signal)
  }
}

function lastSegment (url: string, text: string): string {
  const last = text.trim().split('/').pop() ?? ''
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(last)) {
    throw new CloudMetadataParseError(`${url}: must end in a lower-case name: current value is ${JSON.stringify(text.slice(0, 80))}`)
  }
  return last
}

/** Spot VMs say `provisioning-model: SPOT`; legacy preemptible VMs say `preemptible: TRUE`. */
function gcpLifecycle (preemptible: string | null, provisioning: string | null): CloudIdentity['lifecycle'] {
  const p = provisioning?.trim().toUpperCase()
  if (p === 'SPOT' || preemptible?.trim().toUpperCase() === 'TRUE') return 'spot'
  if (p === 'STANDARD' || preemptible?.trim().toUpperCase() === 'FALSE') return 'on-demand'
  return null
}
