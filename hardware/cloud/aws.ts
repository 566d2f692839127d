/**
 * AWS EC2 instance metadata, IMDSv2 only: a session token from
 * `PUT /latest/api/token`, then GETs that carry it. IMDSv1 is off on hardened
 * instances, and v2 works everywhere v1 does.
 */
import { z } from 'zod'
import type { Clock } from '../../protocol/clock.ts'
import { CloudMetadataHttpError, CloudMetadataParseError } from '../errors.ts'
import { getOptionalText, getText, isNetworkError, isoOrNull, join, parseJson, request } from './http.ts'
import type { CloudIdentity, CloudMetadataSource, InterruptionNotice } from './types.ts'

export const AWS_DEFAULT_BASE_URL = 'http://169.254.169.254'

/** Six hours, the maximum; a token is reused until a minute before it expires. */
const TOKEN_TTL_S = 21600

const IdentityDocument = z.object({
  region: z.string().min(1).max(64),
  availabilityZone: z.string().max(64).nullish(),
  instanceType: z.string().max(64).nullish(),
  instanceId: z.string().max(64).nullish()
})

/** `spot/instance-action`: `{"action": "terminate", "time": "2026-12-03T17:00:00Z"}`. */
const InstanceAction = z.object({
  action: z.string().min(1).max(32),
  time: z.string().max(64)
})

export interface AwsMetadataInit {
  /** @default 'http://169.254.169.254' */
  baseUrl?: string
}

export class AwsMetadata implements CloudMetadataSource {
  readonly provider = 'aws'
  private readonly clock: Clock
  private readonly baseUrl: string
  private token: { value: string, expiresAt: number } | undefined

  constructor (components: { clock: Clock }, init: AwsMetadataInit = {}) {
    this.clock = components.clock
    this.baseUrl = init.baseUrl ?? AWS_DEFAULT_BASE_URL
  }

  async identify (signal: AbortSignal): Promise<CloudIdentity | null> {
    let token: string
    try {
      token = await this.sessionToken(signal)
    } catch (err) {
      // Anything but an IMDSv2 token answer means "not an EC2 instance" (Azure's
      // IMDS shares the address and answers this path with an error status).
      if (err instanceof CloudMetadataHttpError || isNetworkError(err)) return null
      throw err
    }
    const docUrl = join(this.baseUrl, '/latest/dynamic/instance-identity/document')
    const [docText, lifecycle] = await Promise.all([
      getText(docUrl, { 'X-aws-ec2-metadata-token': token }, signal),
      getOptionalText(join(this.baseUrl, '/latest/meta-data/instance-life-cycle'), { 'X-aws-ec2-metadata-token': token }, signal)
    ])
    const doc = IdentityDocument.safeParse(parseJson(docUrl, docText))
    if (!doc.success) throw new CloudMetadataParseError(`${docUrl}: ${doc.error.issues[0]?.path.join('.')}: ${doc.error.issues[0]?.message}`)
    return {
      provider: 'aws',
      region: doc.data.region,
      zone: doc.data.availabilityZone ?? null,
      instanceType: doc.data.instanceType ?? null,
      instanceId: doc.data.instanceId ?? null,
      lifecycle: awsLifecycle(lifecycle)
    }
  }

  async interruption (signal: AbortSignal): Promise<InterruptionNotice | null> {
    const url = join(this.baseUrl, '/latest/meta-data/spot/instance-action')
    let res = await request(url, { headers: { 'X-aws-ec2-metadata-token': await this.sessionToken(signal) }, signal })
    if (res.status === 401) {
      // The token was revoked or the clock jumped: fetch a new one once.
      this.token = undefined
      res = await request(url, { headers: { 'X-aws-ec2-metadata-token': await this.sessionToken(signal) }, signal })
    }
    if (res.status === 404) return null
    if (res.status !== 200) throw new CloudMetadataHttpError(url, res.status)
    const parsed = InstanceAction.safeParse(parseJson(url, res.body))
    if (!parsed.success) throw new CloudMetadataParseError(`${url}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`)
    return { provider: 'aws', action: parsed.data.action, deadline: isoOrNull(parsed.data.time) }
  }

  private async sessionToken (signal: AbortSignal): Promise<string> {
    const now = this.clock.now()
    if (this.token !== undefined && now < this.token.expiresAt) return this.token.value
    const url = join(this.baseUrl, '/latest/api/token')
    const res = await request(url, { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_S) }, signal })
    if (res.status !== 200) throw new CloudMetadataHttpError(url, res.status)
    const value = res.body.trim()
    if (value === '' || value.length > 1024 || /\s/.test(value)) throw new CloudMetadataParseError(`${url}: token must be one non-empty word of at most 1024 characters`)
    this.token = { value, expiresAt: now + (TOKEN_TTL_S - 60) * 1000 }
    return value
  }
}

/** `instance-life-cycle` is `spot`, `on-demand`, `scheduled` or `capacity-block`. */
function awsLifecycle (text: string | null): CloudIdentity['lifecycle'] {
  const v = text?.trim()
  if (v === 'spot') return 'spot'
  if (v === 'on-demand' || v === 'scheduled' || v === 'capacity-block') return 'on-demand'
  return null
}
