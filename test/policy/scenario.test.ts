import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { loadScenario } from '../../policy/scenario.ts'

const dir = new URL('../../fixtures/policy/scenarios/', import.meta.url)
const text = (f: string): string => readFileSync(new URL(f, dir), 'utf8')
const base = (): Record<string, any> => JSON.parse(text('spec-example.json'))

describe('scenario file', () => {
  for (const f of ['spec-example.json', 'three-clouds-edge.json', 'spot-batch.json', 'small-optimal.json']) {
    it(`loads the shipped ${f}`, () => {
      const s = loadScenario(text(f))
      assert.ok(s.nodeClasses.length > 0 && s.workloads.length > 0)
    })
  }

  it('fills documented defaults for optional fields', () => {
    const s = loadScenario(base())
    const jetson = s.nodeClasses.find(c => c.name === 'jetson-orin')
    assert.equal(jetson?.spot, false)
    assert.equal(jetson?.interruptionsPerDay, 0)
    assert.deepEqual(jetson?.drivers, ['exec', 'container'])
    const training = s.workloads.find(w => w.name === 'training')
    assert.equal(training?.replicas, 1)
    assert.deepEqual(training?.users, [])
    assert.equal(training?.driver, 'container')
    assert.equal(s.replicaStartupSeconds, 60)
    assert.equal(s.sampleMinutes, 5)
  })

  it('keeps the small scenario small enough for the optimum (<= 30 nodes, <= 60 replicas)', () => {
    const s = loadScenario(text('small-optimal.json'))
    const nodes = s.nodeClasses.reduce((n, c) => n + c.count, 0)
    const replicas = s.workloads.reduce((n, w) => n + w.count * (Array.isArray(w.replicas) ? w.replicas[1] : w.replicas), 0)
    assert.ok(nodes <= 30, `${nodes} nodes`)
    assert.ok(replicas <= 60, `${replicas} replicas`)
  })

  it('reads YAML too', () => {
    const s = loadScenario('name: y\ndurationHours: 1\nregions: [{name: r, geography: US, provider: aws}]\nlatencyMs: {}\n' +
      'nodeClasses: [{name: c, region: r, count: 1, cpu: 1, memoryGiB: 1, pricePerHour: 0.1}]\n' +
      'workloads: [{name: w, count: 1, arrivalPerHour: 1, durationHours: 1, cpu: 1, memoryGiB: 1}]\n' +
      'static: {region: r, nodeClass: c}\n')
    assert.equal(s.seed, 1)
  })

  const bad: Array<[string, (s: Record<string, any>) => void, RegExp]> = [
    ['an unknown top-level field', s => { s.colour = 'blue' }, /scenario\.colour: unknown field/],
    ['an unknown nested field', s => { s.nodeClasses[0].gpuModel = 'A10G' }, /scenario\.nodeClasses\[0\]\.gpuModel: unknown field/],
    ['a NaN price', s => { s.nodeClasses[0].pricePerHour = Number.NaN }, /scenario\.nodeClasses\[0\]\.pricePerHour: .*got NaN/],
    ['a negative price', s => { s.nodeClasses[1].pricePerHour = -1 }, /scenario\.nodeClasses\[1\]\.pricePerHour: .*>=0.*got -1/],
    ['zero capacity', s => { s.nodeClasses[0].cpu = 0 }, /scenario\.nodeClasses\[0\]\.cpu: .*>0.*got 0/],
    ['a missing required price', s => { delete s.nodeClasses[0].pricePerHour }, /scenario\.nodeClasses\[0\]\.pricePerHour: .*got nothing/],
    ['no node classes', s => { s.nodeClasses = [] }, /scenario\.nodeClasses: .*got \[\]/],
    ['missing nodes entirely', s => { delete s.nodeClasses }, /scenario\.nodeClasses: .*got nothing/],
    ['an unknown region in the latency matrix', s => { s.latencyMs['us-east-1']['mars-1'] = 3 }, /scenario\.latencyMs\.us-east-1\.mars-1: unknown region "mars-1"/],
    ['a region pair without latency', s => { s.latencyMs = {} }, /scenario\.latencyMs: no latency between "us-east-1" and "edge-berlin-1"/],
    ['a node class in an unknown region', s => { s.nodeClasses[0].region = 'nowhere' }, /scenario\.nodeClasses\[0\]\.region: unknown region "nowhere"/],
    ['a user in an unknown region', s => { s.workloads[0].users[0].region = 'nowhere' }, /scenario\.workloads\[0\]\.users\[0\]\.region: unknown region/],
    ['a static class that does not exist', s => { s.static.nodeClass = 'nope' }, /scenario\.static\.nodeClass: unknown node class "nope"/],
    ['a reversed duration range', s => { s.workloads[0].durationHours = [8, 1] }, /scenario\.workloads\[0\]\.durationHours: min > max/],
    ['an unknown goal', s => { s.workloads[0].goal = 'speed' }, /scenario\.workloads\[0\]\.goal: .*got "speed"/],
    ['fractional gpus', s => { s.workloads[0].gpus = 0.5 }, /scenario\.workloads\[0\]\.gpus: .*got 0\.5/]
  ]
  for (const [name, mutate, message] of bad) {
    it(`refuses ${name}, naming the field`, () => {
      const s = base()
      mutate(s)
      assert.throws(() => loadScenario(s), (err: any) => {
        assert.equal(err.code, 'INVALID_SCENARIO')
        assert.match(err.message, message)
        return true
      })
    })
  }

  it('refuses text that is neither JSON nor YAML', () => {
    assert.throws(() => loadScenario('{"name": '), { code: 'INVALID_SCENARIO', message: /not valid JSON or YAML/ })
  })
})
