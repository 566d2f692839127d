import assert from 'node:assert/strict'
import type { Daemon } from '../../node/daemon.ts'
import { eventually } from '../utils/harness.ts'
import { InProcessFabric } from '../utils/inprocess.ts'

/** The coordinator every daemon of `group` agrees on, or undefined. */
function agreed (group: Daemon[]): { coordinator: string, epoch: number } | undefined {
  const views = group.map(d => d.election.view())
  const first = views[0]
  if (first?.coordinator == null || first.epoch == null) return undefined
  return views.every(v => v.coordinator === first.coordinator && v.epoch === first.epoch) ? { coordinator: first.coordinator, epoch: first.epoch } : undefined
}

describe('election with links cut in-process (connection gater)', function () {
  this.timeout(60_000)
  let fabric: InProcessFabric

  beforeEach(() => { fabric = new InProcessFabric() })
  afterEach(async () => { await fabric.teardown() })

  it('a cut-off coordinator is replaced on the other side, and after the heal one coordinator remains', async () => {
    const nodes = await fabric.start(3)
    await eventually('one coordinator', 15_000, async () => agreed(nodes) != null)
    const first = agreed(nodes) as { coordinator: string, epoch: number }
    const lone = nodes.find(d => d.peerId === first.coordinator) as Daemon
    const rest = nodes.filter(d => d !== lone)

    await fabric.partition([lone], rest)
    await eventually('the other side elects its own', 10_000, async () => {
      const a = agreed(rest)
      return a != null && a.coordinator !== first.coordinator && a.epoch > first.epoch
    })
    assert.equal(lone.election.view().coordinator, lone.peerId, 'the cut-off coordinator keeps its side')

    fabric.heal()
    await eventually('one coordinator again', 20_000, async () => agreed(nodes) != null)
    const after = agreed(nodes)
    assert.notEqual(after?.coordinator, first.coordinator)
    assert.ok((after?.epoch ?? 0) > first.epoch)
  })
})
