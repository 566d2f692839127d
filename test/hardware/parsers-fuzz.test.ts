/**
 * Random and mutated inputs to every parser of outside text: each must either
 * answer or throw its own error with a stable code, never a TypeError or a
 * RangeError that would escape as a crash.
 */
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { HyperionError } from '../../protocol/errors.ts'
import { AwsMetadata } from '../../hardware/cloud/aws.ts'
import { AzureMetadata } from '../../hardware/cloud/azure.ts'
import { GcpMetadata } from '../../hardware/cloud/gcp.ts'
import { systemClock } from '../../protocol/clock.ts'
import { parseTegraRelease } from '../../hardware/jetson/detect.ts'
import { parseTegrastatsLine } from '../../hardware/jetson/tegrastats-parse.ts'
import { parseNvidiaSmiCsv } from '../../hardware/nvidia/nvidia-smi.ts'
import { fixture, startMetadataServer } from '../utils/metadata-server.ts'
import type { MetadataServer } from '../utils/metadata-server.ts'

/** Splices random text into a recorded input: near-valid inputs reach deeper than random ones. */
function mutated (seeds: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.string({ maxLength: 8 })), { maxLength: 4 }))
    .map(([seed, edits]) => edits.reduce((s, [at, del, ins]) => {
      const i = at % (s.length + 1)
      return s.slice(0, i) + ins + s.slice(i + del)
    }, seed))
}

function ownErrorOnly (codes: string[], f: () => unknown): void {
  try {
    f()
  } catch (err) {
    assert.ok(err instanceof HyperionError && codes.includes(err.code), `escaped: ${String(err)}`)
  }
}

const tegraLines = ['tx2.txt', 'nano.txt', 'xavier-agx.txt', 'xavier-nx.txt', 'orin-agx-jp5.txt', 'orin-nano-jp6.txt']
  .flatMap(f => fixture('tegrastats', f).split('\n').filter(l => l !== ''))
const smiOutputs = ['a10g-x4.csv', 'na-fields.csv', 'h100-crlf.csv'].map(f => fixture('nvidia-smi', f))

describe('hardware parsers under fuzzing', () => {
  it('tegrastats: random and mutated lines', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), mutated(tegraLines)), line => {
      ownErrorOnly(['TEGRASTATS_PARSE'], () => parseTegrastatsLine(line))
    }), { numRuns: 2000, seed: 42 })
  })

  it('tegrastats: whatever parses has sane numbers', () => {
    fc.assert(fc.property(mutated(tegraLines), line => {
      let s
      try {
        s = parseTegrastatsLine(line)
      } catch {
        return
      }
      for (const c of s.cpus) if (c !== null) assert.ok(c.loadPercent >= 0 && c.loadPercent <= 100)
      for (const t of Object.values(s.temperaturesC)) assert.ok(Number.isFinite(t) && t >= -40)
      assert.ok(Number.isSafeInteger(s.ram.totalMiB))
    }), { numRuns: 1000, seed: 7 })
  })

  it('nvidia-smi: random and mutated output', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), mutated(smiOutputs)), text => {
      ownErrorOnly(['NVIDIA_SMI_PARSE'], () => parseNvidiaSmiCsv(text))
    }), { numRuns: 2000, seed: 42 })
  })

  it('nv_tegra_release: never throws', () => {
    const seed = fixture('jetson', 'orin-agx', 'etc', 'nv_tegra_release')
    fc.assert(fc.property(fc.oneof(fc.string(), mutated([seed])), text => { parseTegraRelease(text) }), { numRuns: 1000, seed: 1 })
  })

  describe('cloud metadata answers', () => {
    let server: MetadataServer
    let body = ''
    let status = 200
    before(async () => { server = await startMetadataServer(() => ({ status, body })) })
    after(async () => { await server.close() })

    const codes = ['CLOUD_METADATA_PARSE', 'CLOUD_METADATA_HTTP']
    async function ownErrorOnlyAsync (f: () => Promise<unknown>): Promise<void> {
      try {
        await f()
      } catch (err) {
        assert.ok(err instanceof HyperionError && codes.includes(err.code), `escaped: ${String(err)}`)
      }
    }

    it('AWS token, identity document and spot action; Azure compute and events; GCP zone', async () => {
      const seeds = [
        fixture('cloud', 'aws', 'instance-identity-document.json'),
        fixture('cloud', 'aws', 'spot-instance-action-terminate.json'),
        fixture('cloud', 'azure', 'instance-compute.json'),
        fixture('cloud', 'azure', 'scheduledevents-preempt.json'),
        fixture('cloud', 'gcp', 'zone.txt')
      ]
      await fc.assert(fc.asyncProperty(fc.oneof(fc.string({ maxLength: 200 }), fc.json(), mutated(seeds)), fc.constantFrom(200, 200, 200, 404, 500), async (b, s) => {
        body = b
        status = s
        const signal = new AbortController().signal
        await ownErrorOnlyAsync(async () => await new AwsMetadata({ clock: systemClock }, { baseUrl: server.url }).identify(signal))
        await ownErrorOnlyAsync(async () => await new AwsMetadata({ clock: systemClock }, { baseUrl: server.url }).interruption(signal))
        await ownErrorOnlyAsync(async () => await new AzureMetadata({ baseUrl: server.url }).identify(signal))
        await ownErrorOnlyAsync(async () => await new AzureMetadata({ baseUrl: server.url }).interruption(signal))
        await ownErrorOnlyAsync(async () => await new GcpMetadata({ baseUrl: server.url }).interruption(signal))
      }), { numRuns: 150, seed: 3 })
    })
  })
})
