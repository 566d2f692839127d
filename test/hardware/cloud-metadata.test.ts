import assert from 'node:assert/strict'
import { AwsMetadata } from '../../hardware/cloud/aws.ts'
import { AzureMetadata } from '../../hardware/cloud/azure.ts'
import { detectCloud } from '../../hardware/cloud/detect.ts'
import { GcpMetadata } from '../../hardware/cloud/gcp.ts'
import { systemClock } from '../../protocol/clock.ts'
import { closedPortUrl, startMetadataServer } from '../utils/metadata-server.ts'
import type { MetadataServer } from '../utils/metadata-server.ts'
import { TOKEN, awsImds, azureImds, gceMetadata } from '../utils/cloud-services.ts'
import { FakeClock } from '../utils/fake-clock.ts'

const signal = (): AbortSignal => new AbortController().signal

describe('hardware/cloud metadata', () => {
  let server: MetadataServer | undefined
  afterEach(async () => { await server?.close(); server = undefined })

  describe('AWS IMDSv2', () => {
    it('identifies a spot instance with a session token', async () => {
      server = await startMetadataServer(awsImds({ lifecycle: 'spot', action: null }))
      const aws = new AwsMetadata({ clock: systemClock }, { baseUrl: server.url })
      assert.deepEqual(await aws.identify(signal()), {
        provider: 'aws', region: 'us-east-1', zone: 'us-east-1b', instanceType: 'g5.xlarge', instanceId: 'i-0a1b2c3d4e5f67890', lifecycle: 'spot'
      })
      assert.equal(server.requests[0]!.method, 'PUT')
      assert.equal(server.requests[0]!.headers['x-aws-ec2-metadata-token-ttl-seconds'], '21600')
    })

    it('reads on-demand lifecycle', async () => {
      server = await startMetadataServer(awsImds({ lifecycle: 'on-demand', action: null }))
      assert.equal((await new AwsMetadata({ clock: systemClock }, { baseUrl: server.url }).identify(signal()))?.lifecycle, 'on-demand')
    })

    it('404 on spot/instance-action is no notice; a terminate notice carries its time', async () => {
      const state = { lifecycle: 'spot', action: null as string | null }
      server = await startMetadataServer(awsImds(state))
      const aws = new AwsMetadata({ clock: systemClock }, { baseUrl: server.url })
      assert.equal(await aws.interruption(signal()), null)
      state.action = 'terminate'
      assert.deepEqual(await aws.interruption(signal()), { provider: 'aws', action: 'terminate', deadline: '2026-12-03T17:02:00.000Z' })
      assert.equal(server.requests.filter(r => r.method === 'PUT').length, 1, 'the token is reused')
    })

    it('fetches a new token once when the old one is refused, and again after it expires', async () => {
      const state = { lifecycle: 'spot', action: 'stop' as string | null, tokens: [TOKEN] }
      server = await startMetadataServer(awsImds(state))
      const clock = new FakeClock()
      const aws = new AwsMetadata({ clock }, { baseUrl: server.url })
      assert.equal((await aws.interruption(signal()))?.action, 'stop')
      state.tokens = ['revoked']
      await assert.rejects(aws.interruption(signal()), { code: 'CLOUD_METADATA_HTTP', status: 401 })
      assert.equal(server.requests.filter(r => r.method === 'PUT').length, 2, 'retried with a fresh token once')
      state.tokens = [TOKEN]
      await aws.interruption(signal())
      assert.equal(server.requests.filter(r => r.method === 'PUT').length, 2, 'the fresh token is kept')
      await clock.advance(6 * 3600 * 1000 - 60_000)
      await aws.interruption(signal())
      assert.equal(server.requests.filter(r => r.method === 'PUT').length, 3, 'renewed a minute before the 6 h TTL ends')
    })

    it('is not AWS when the token PUT is refused (Azure shares the address)', async () => {
      server = await startMetadataServer(azureImds({ events: 'none' }))
      assert.equal(await new AwsMetadata({ clock: systemClock }, { baseUrl: server.url }).identify(signal()), null)
    })
  })

  describe('GCP', () => {
    it('identifies a Spot VM: region from the zone, type from the machine-type path', async () => {
      server = await startMetadataServer(gceMetadata({ spot: true, preempted: false }))
      assert.deepEqual(await new GcpMetadata({ baseUrl: `${server.url}/computeMetadata/v1` }).identify(signal()), {
        provider: 'gcp', region: 'europe-west4', zone: 'europe-west4-a', instanceType: 'g2-standard-8', instanceId: '5807212347918273645', lifecycle: 'spot'
      })
      assert.ok(server.requests.every(r => r.headers['metadata-flavor'] === 'Google'))
    })

    it('identifies a standard VM and reports preemption from instance/preempted', async () => {
      const state = { spot: false, preempted: false }
      server = await startMetadataServer(gceMetadata(state))
      const gcp = new GcpMetadata({ baseUrl: `${server.url}/computeMetadata/v1/` })
      assert.equal((await gcp.identify(signal()))?.lifecycle, 'on-demand')
      assert.equal(await gcp.interruption(signal()), null)
      state.preempted = true
      assert.deepEqual(await gcp.interruption(signal()), { provider: 'gcp', action: 'preempted', deadline: null })
    })

    it('an answer without Metadata-Flavor: Google is not the metadata server', async () => {
      server = await startMetadataServer(() => ({ status: 200, body: 'projects/1/zones/us-central1-a' }))
      assert.equal(await new GcpMetadata({ baseUrl: server.url }).identify(signal()), null)
    })
  })

  describe('Azure', () => {
    it('identifies a Spot VM from instance compute metadata', async () => {
      server = await startMetadataServer(azureImds({ events: 'none' }))
      assert.deepEqual(await new AzureMetadata({ baseUrl: server.url }).identify(signal()), {
        provider: 'azure', region: 'westeurope', zone: '2', instanceType: 'Standard_NC4as_T4_v3', instanceId: '6a1f0c3e-2b4d-4e8f-9a7c-5d3b1e0f2a49', lifecycle: 'spot'
      })
    })

    it('a Preempt event for this VM is a notice; a Freeze or another VM\'s Preempt is not', async () => {
      const state = { events: 'none' }
      server = await startMetadataServer(azureImds(state))
      const azure = new AzureMetadata({ baseUrl: server.url })
      await azure.identify(signal())
      assert.equal(await azure.interruption(signal()), null)
      state.events = 'freeze-other-vm'
      assert.equal(await azure.interruption(signal()), null)
      state.events = 'preempt'
      assert.deepEqual(await azure.interruption(signal()), { provider: 'azure', action: 'Preempt', deadline: '2026-12-03T17:05:30.000Z' })
    })

    it('refuses an events document of the wrong shape, naming the field', async () => {
      server = await startMetadataServer(() => ({ status: 200, body: '{"DocumentIncarnation":1,"Events":[{"EventType":"Preempt"}]}' }))
      await assert.rejects(new AzureMetadata({ baseUrl: server.url }).interruption(signal()),
        { code: 'CLOUD_METADATA_PARSE', message: /Events\.0\.EventId/ })
    })
  })

  describe('detectCloud', () => {
    it('finds the provider whose service answers', async () => {
      server = await startMetadataServer(awsImds({ lifecycle: 'spot', action: null }))
      const closed = await closedPortUrl()
      const found = await detectCloud({ clock: systemClock }, { aws: { baseUrl: server.url }, gcp: { baseUrl: closed }, azure: { baseUrl: closed } })
      assert.equal(found?.identity.provider, 'aws')
      assert.equal(found?.source.provider, 'aws')
    })

    it('finds Azure behind the shared address, where AWS and GCP answer no', async () => {
      server = await startMetadataServer(azureImds({ events: 'none' }))
      const found = await detectCloud({ clock: systemClock }, { aws: { baseUrl: server.url }, gcp: { baseUrl: server.url }, azure: { baseUrl: server.url } })
      assert.equal(found?.identity.provider, 'azure')
    })

    it('outside any cloud answers null quickly, even when a service hangs', async () => {
      server = await startMetadataServer(() => 'hang')
      const closed = await closedPortUrl()
      const errors: string[] = []
      const started = performance.now()
      const found = await detectCloud({ clock: systemClock }, {
        timeoutMs: 300, aws: { baseUrl: server.url }, gcp: { baseUrl: closed }, azure: { baseUrl: closed }, onError: p => errors.push(p)
      })
      const took = performance.now() - started
      assert.equal(found, null)
      assert.ok(took >= 290 && took < 1000, `took ${took} ms`)
      assert.deepEqual(errors, ['aws'], 'the hung service is reported; refused connections are plain absence')
    })
  })
})
