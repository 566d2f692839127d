/**
 * Azure Instance Metadata Service. Requests carry `Metadata: true`; the
 * instance's compute metadata names region, zone and size, and Scheduled
 * Events announce a Spot eviction as `EventType: "Preempt"` (>= 30 s ahead).
 */
import { z } from 'zod'
import { CloudMetadataParseError } from '../errors.ts'
import { getText, isNetworkError, isoOrNull, join, parseJson, request } from './http.ts'
import type { CloudIdentity, CloudMetadataSource, InterruptionNotice } from './types.ts'

export const AZURE_DEFAULT_BASE_URL = 'http://169.254.169.254'

const HEADERS = { Metadata: 'true' }
const COMPUTE_PATH = '/metadata/instance/compute?api-version=2021-02-01'
const EVENTS_PATH = '/metadata/scheduledevents?api-version=2020-07-01'

const Compute = z.object({
  location: z.string().min(1).max(64),
  zone: z.string().max(16).optional(),
  vmSize: z.string().max(64).optional(),
  vmId: z.string().max(64).optional(),
  name: z.string().max(128).optional(),
  priority: z.string().max(32).optional()
})

const ScheduledEvents = z.object({
  DocumentIncarnation: z.number().int(),
  Events: z.array(z.object({
    EventId: z.string().max(128),
    EventType: z.string().max(32),
    Resources: z.array(z.string().max(128)).max(1000),
    EventStatus: z.string().max(32).optional(),
    NotBefore: z.string().max(64).optional()
  })).max(1000)
})

export interface AzureMetadataInit {
  /** @default 'http://169.254.169.254' */
  baseUrl?: string
}

export class AzureMetadata implements CloudMetadataSource {
  readonly provider = 'azure'
  private readonly baseUrl: string
  /** The VM's name, learnt by identify(), to tell our events from our scale set's. */
  private vmName: string | undefined

  constructor (init: AzureMetadataInit = {}) {
    this.baseUrl = init.baseUrl ?? AZURE_DEFAULT_BASE_URL
  }

  async identify (signal: AbortSignal): Promise<CloudIdentity | null> {
    const url = join(this.baseUrl, COMPUTE_PATH)
    let res
    try {
      res = await request(url, { headers: HEADERS, signal })
    } catch (err) {
      if (isNetworkError(err)) return null
      throw err
    }
    if (res.status !== 200) return null
    const c = Compute.safeParse(parseJson(url, res.body))
    if (!c.success) throw new CloudMetadataParseError(`${url}: ${c.error.issues[0]?.path.join('.')}: ${c.error.issues[0]?.message}`)
    this.vmName = c.data.name
    return {
      provider: 'azure',
      region: c.data.location,
      zone: nonEmpty(c.data.zone),
      instanceType: nonEmpty(c.data.vmSize),
      instanceId: nonEmpty(c.data.vmId),
      lifecycle: azureLifecycle(c.data.priority)
    }
  }

  /**
   * The first call after boot switches Scheduled Events on for the VM and can
   * take far longer than later ones: the poller's timeout then marks that poll
   * failed, and the following ones answer quickly.
   */
  async interruption (signal: AbortSignal): Promise<InterruptionNotice | null> {
    const url = join(this.baseUrl, EVENTS_PATH)
    const doc = ScheduledEvents.safeParse(parseJson(url, await getText(url, HEADERS, signal)))
    if (!doc.success) throw new CloudMetadataParseError(`${url}: ${doc.error.issues[0]?.path.join('.')}: ${doc.error.issues[0]?.message}`)
    const name = this.vmName
    const preempt = doc.data.Events.find(e =>
      e.EventType === 'Preempt' && (name === undefined || e.Resources.length === 0 || e.Resources.includes(name)))
    if (preempt === undefined) return null
    return { provider: 'azure', action: 'Preempt', deadline: nonEmpty(preempt.NotBefore) === null ? null : isoOrNull(preempt.NotBefore!) }
  }
}

/** `priority` is `Spot` (or legacy `Low`) for evictable VMs, `Regular` otherwise; older VMs leave it empty. */
function azureLifecycle (priority: string | undefined): CloudIdentity['lifecycle'] {
  const p = priority?.toLowerCase()
  if (p === 'spot' || p === 'low') return 'spot'
  if (p === 'regular') return 'on-demand'
  return null
}

function nonEmpty (s: string | undefined): string | null {
  return s === undefined || s.trim() === '' ? null : s
}
