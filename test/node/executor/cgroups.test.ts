import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Cgroups, ExecDriver } from '../../../node/executor/index.ts'
import { EXIT_WITH, removeScratch, scratch, workload } from './helpers.ts'

/** A fake /proc and cgroup2 mount: files only, as the kernel's would read. */
function fakeRoot (controllers: string, opts: { mounted?: boolean } = {}): { proc: string, cg: string } {
  const root = scratch('hyp-cg-')
  const proc = join(root, 'proc')
  const cg = join(root, 'cg')
  mkdirSync(join(proc, 'self'), { recursive: true })
  mkdirSync(join(cg, 'daemon.service'), { recursive: true })
  const mounts = ['proc /proc proc rw 0 0', 'cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0']
  if (opts.mounted !== false) mounts.push(`cgroup2 ${cg} cgroup2 rw,nosuid 0 0`)
  writeFileSync(join(proc, 'self/mounts'), mounts.join('\n') + '\n')
  writeFileSync(join(proc, 'self/cgroup'), '0::/daemon.service\n')
  writeFileSync(join(cg, 'daemon.service/cgroup.controllers'), controllers + '\n')
  writeFileSync(join(cg, 'daemon.service/cgroup.subtree_control'), '')
  return { proc, cg }
}

describe('executor: cgroup v2 limits', () => {
  after(removeScratch)
  it('with cpu and memory delegated: a group per replica with memory.max and cpu.max, joined before exec', async () => {
    const { proc, cg } = fakeRoot('cpuset cpu io memory pids')
    const cgroups = new Cgroups({ procRoot: proc })
    const support = await cgroups.detect()
    assert.deepEqual(support, { available: true, parent: join(cg, 'daemon.service/hyperion') })
    assert.equal(readFileSync(join(cg, 'daemon.service/cgroup.subtree_control'), 'utf8'), '+cpu +memory')
    assert.equal(readFileSync(join(cg, 'daemon.service/hyperion/cgroup.subtree_control'), 'utf8'), '+cpu +memory')

    const dataDir = scratch()
    const driver = new ExecDriver({ cgroups }, { dataDir })
    const spec = workload('limited', [{ command: [process.execPath, EXIT_WITH, '0'], resources: { limits: { cpu: '500m', memory: '64Mi' } } }])
    const res = spec.resources.containers[0]
    const container = spec.manifest.spec.template.spec.containers[0]
    assert.ok(res !== undefined && container !== undefined)
    const run = await driver.run({ workload: 'limited', index: 0, container, limits: res })
    assert.deepEqual(run.limits, { enforced: true, by: 'cgroup-v2', memoryMax: String(64 * 1024 * 1024), cpuMax: '50000 100000' })
    const group = join(cg, 'daemon.service/hyperion/limited-0-c0')
    assert.equal(readFileSync(join(group, 'memory.max'), 'utf8'), '67108864')
    assert.equal(readFileSync(join(group, 'cpu.max'), 'utf8'), '50000 100000')
    assert.deepEqual(await run.exited, { exitCode: 0, signal: null })
    // The shell wrote its pid, which exec kept for the command: the command ran inside the group.
    assert.equal(readFileSync(join(group, 'cgroup.procs'), 'utf8').trim(), String(run.pid))
    assert.equal(statSync(join(dataDir, 'replicas/limited-0')).mode & 0o777, 0o700)
  })

  it('no limits asked: max', async () => {
    const { proc } = fakeRoot('cpu memory')
    const group = await new Cgroups({ procRoot: proc }).create('free-0-c0', { cpuMillis: 0, memoryBytes: 0 })
    assert.deepEqual(group.limits, { enforced: true, by: 'cgroup-v2', memoryMax: 'max', cpuMax: 'max 100000' })
  })

  it('reports why not: controllers bound to cgroup v1, or no cgroup2 mount', async () => {
    const hybrid = await new Cgroups({ procRoot: fakeRoot('hugetlb').proc }).create('x-0-c', { cpuMillis: 100, memoryBytes: 1 })
    assert.equal(hybrid.limits.enforced, false)
    assert.match(!hybrid.limits.enforced ? hybrid.limits.reason : '', /does not offer cpu, memory \(offers: hugetlb\)/)
    assert.deepEqual(await new Cgroups({ procRoot: fakeRoot('cpu memory', { mounted: false }).proc }).detect(),
      { available: false, reason: 'no cgroup v2 hierarchy is mounted' })
  })

  it('on this machine: either enforces, or says why not', async () => {
    const support = await new Cgroups().detect()
    if (support.available) {
      assert.ok(statSync(support.parent).isDirectory())
    } else {
      assert.ok(support.reason.length > 20, support.reason)
      console.log(`      (this machine: ${support.reason})`)
    }
  })
})
