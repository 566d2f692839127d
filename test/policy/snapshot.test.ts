import assert from 'node:assert/strict'
import { validateSnapshot } from '../../policy/snapshot.ts'
import type { FabricSnapshot } from '../../policy/types.ts'
import { fabric, node } from './helpers.ts'

describe('snapshot validation', () => {
  it('accepts a well-formed snapshot', () => {
    validateSnapshot(fabric([node('a'), node('b', { region: 'eu-west-1' })]))
  })

  const bad: Array<[string, FabricSnapshot, RegExp]> = [
    ['no nodes', fabric([]), /snapshot\.nodes: must list at least one node, got none/],
    ['a NaN price', fabric([node('a', { pricePerHour: Number.NaN })]), /snapshot\.nodes\[0\]\.pricePerHour: must be a finite number >= 0, got NaN/],
    ['a negative price', fabric([node('a'), node('b', { pricePerHour: -0.1 })]), /snapshot\.nodes\[1\]\.pricePerHour: .* got -0\.1/],
    ['zero cpu capacity', fabric([node('a', { capacity: { cpuMillis: 0, memoryBytes: 1, gpus: 0 } })]), /capacity\.cpuMillis: must be a finite number > 0, got 0/],
    ['zero memory capacity', fabric([node('a', { capacity: { cpuMillis: 1, memoryBytes: 0, gpus: 0 } })]), /capacity\.memoryBytes: must be a finite number > 0, got 0/],
    ['a duplicate id', fabric([node('a'), node('a')]), /snapshot\.nodes\[1\]\.id: duplicate node id "a"/],
    ['a region missing from the latency matrix', fabric([node('a'), node('b', { region: 'ap-south-1' })]), /no latency between regions "us-east-1" and "ap-south-1"/],
    ['a negative latency', { nodes: [node('a')], latencyMs: { 'us-east-1': { x: -1 } } }, /snapshot\.latencyMs\.us-east-1\.x: .* got -1/]
  ]
  for (const [name, snapshot, message] of bad) {
    it(`refuses ${name}, naming the field`, () => {
      assert.throws(() => validateSnapshot(snapshot), (err: any) => {
        assert.equal(err.code, 'INVALID_SNAPSHOT')
        assert.match(err.message, message)
        return true
      })
    })
  }
})
