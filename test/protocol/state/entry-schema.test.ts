import assert from 'node:assert/strict'
import { parseEntry, ForgedWriterError } from '../../../protocol/state/index.ts'
import type { StateEntry } from '../../../protocol/state/index.ts'
import { WORKLOADS } from './sim.ts'

const w = WORKLOADS[0]?.[0]!
const ts = { wallMs: 1000, logical: 2, node: 'node-a' }
const spec: StateEntry = { type: 'spec', name: w.name, ts, generation: 1, value: { manifest: w.manifest, specHash: w.specHash } }
const assignment: StateEntry = { type: 'assignment', workload: w.name, index: 0, epoch: 3, ts, value: { node: 'node-b', generation: 1 } }
const status: StateEntry = { type: 'status', workload: w.name, index: 0, node: 'node-a', ts, value: { state: 'running', restarts: 1, startedAt: 900, generation: 1 } }
const viaJson = (x: unknown): any => JSON.parse(JSON.stringify(x))

function refusal (data: unknown): { code: string, message: string } {
  try {
    parseEntry(data)
  } catch (err) {
    return { code: (err as { code: string }).code, message: (err as Error).message }
  }
  assert.fail('expected the entry to be refused')
}

describe('protocol/state: parseEntry', () => {
  it('accepts each kind of entry after a trip through JSON, tombstones included', () => {
    for (const e of [spec, assignment, status, { ...spec, value: null }, { ...assignment, value: null }, { ...status, value: null }]) {
      assert.deepEqual(parseEntry(viaJson(e)), e)
    }
  })

  const table: Array<[string, (e: any) => void, StateEntry, string, RegExp]> = [
    ['an unknown type', e => { e.type = 'secret' }, spec, 'INVALID_ENTRY', /entry\.type: must be an entry of type spec, assignment or status/],
    ['an unknown field', e => { e.extra = 1 }, assignment, 'INVALID_ENTRY', /unknown field\(s\) extra/],
    ['a bad clock', e => { e.ts.wallMs = -5 }, assignment, 'INVALID_ENTRY', /entry\.ts: hlc\.wallMs: .* \(got -5\)/],
    ['a negative index', e => { e.index = -1 }, assignment, 'INVALID_ENTRY', /entry\.index: must be an integer >= 0 \(got -1\)/],
    ['an index beyond the replica limit', e => { e.index = 1000 }, status, 'INVALID_ENTRY', /entry\.index: must be an integer <= 999/],
    ['a bad replica state', e => { e.value.state = 'zombie' }, status, 'INVALID_ENTRY', /entry\.value\.state: must be one of .* \(got "zombie"\)/],
    ['a status written by another node', e => { e.node = 'node-b' }, status, 'FORGED_WRITER', /written only by the node running the replica/],
    ['a manifest that fails the schema', e => { e.value.manifest.spec.replicas = -1 }, spec, 'INVALID_ENTRY', /spec\.replicas: must be an integer >= 0 \(got -1\)/],
    ['a manifest for another name', e => { e.name = 'other' }, spec, 'INVALID_ENTRY', /must equal entry\.name/],
    ['a spec hash that does not match', e => { e.value.specHash = '0'.repeat(64) }, spec, 'INVALID_ENTRY', /specHash: does not match/],
    ['a manifest that is not normalised', e => { delete e.value.manifest.spec.replicas }, spec, 'INVALID_ENTRY', /must be normalised/],
    ['generation 0', e => { e.generation = 0 }, spec, 'INVALID_ENTRY', /entry\.generation: must be an integer >= 1/],
    ['not an object', () => {}, 'nope' as unknown as StateEntry, 'INVALID_ENTRY', /invalid state entry/]
  ]
  for (const [what, breakIt, original, code, message] of table) {
    it(`refuses ${what}`, () => {
      const e = viaJson(original)
      breakIt(e)
      const got = refusal(e)
      assert.equal(got.code, code)
      assert.match(got.message, message)
    })
  }

  it('FORGED_WRITER is its own error class', () => {
    assert.throws(() => parseEntry({ ...viaJson(status), node: 'node-b' }), ForgedWriterError)
  })
})
