import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { validateManifest } from '../../../protocol/manifest/index.ts'
import { FabricState, planApply, planDelete } from '../../../protocol/state/index.ts'
import { StateStore, SCHEMA_VERSION } from '../../../node/state/store.ts'

const workload = (name: string, replicas = 1) => validateManifest({
  apiVersion: 'hyperion.io/v1alpha1',
  kind: 'HyperionWorkload',
  metadata: { name },
  spec: { replicas, template: { spec: { containers: [{ name: 'app', command: ['/bin/true'] }] } } }
})

const ts = (wallMs: number, node = 'node-a') => ({ wallMs, logical: 0, node })

describe('StateStore (node:sqlite)', () => {
  let dir: string
  let path: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'hyp-store-')); path = join(dir, 'state.db') })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('keeps entries and the clock across a reopen, one row per register', () => {
    const store = new StateStore({ path })
    assert.deepEqual(store.open(), { entries: [] })
    const a = planApply(undefined, workload('alpha'), ts(1000)).entry!
    const b = planApply(undefined, workload('beta'), ts(1001)).entry!
    store.write([a], ts(1000))
    store.write([b], ts(1001))
    const a2 = planApply(a, workload('alpha', 3), ts(1002)).entry!
    store.write([a2], ts(1002))
    const gone = planDelete(b, ts(1003))!
    store.write([gone], ts(1003))
    store.close()

    const again = new StateStore({ path })
    const loaded = again.open()
    again.close()
    assert.deepEqual(loaded.hlc, ts(1003))
    const state = new FabricState()
    for (const e of loaded.entries) state.apply(e)
    const expected = new FabricState()
    for (const e of [a, b, a2, gone]) expected.apply(e)
    assert.equal(state.digest(), expected.digest())
    assert.equal(loaded.entries.length, 2)
  })

  it('runs in WAL mode with synchronous=FULL and records its schema version', () => {
    const store = new StateStore({ path })
    store.open()
    store.close()
    const db = new DatabaseSync(path)
    assert.equal((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal')
    assert.deepEqual(db.prepare('SELECT version FROM schema_migrations').all().map(r => (r as { version: number }).version), [SCHEMA_VERSION])
    db.close()
  })

  it('refuses a file that is not a database, naming it', () => {
    writeFileSync(path, 'not a database at all '.repeat(200))
    assert.throws(() => new StateStore({ path }).open(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STATE_STORE_CORRUPT')
      assert.ok(err.message.includes(path), err.message)
      return true
    })
  })

  it('refuses a database from a newer build', () => {
    new StateStore({ path }).open()
    const db = new DatabaseSync(path)
    db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 0)
    db.close()
    assert.throws(() => new StateStore({ path }).open(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STATE_STORE_VERSION')
      assert.match(err.message, new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this build knows \\(${SCHEMA_VERSION}\\)`))
      assert.ok(err.message.includes(path))
      return true
    })
  })

  it('refuses a row that is not a valid entry, naming the key', () => {
    const store = new StateStore({ path })
    store.open()
    store.close()
    const db = new DatabaseSync(path)
    db.prepare('INSERT INTO entries (key, entry) VALUES (?, ?)').run('spec/evil', JSON.stringify({ type: 'spec', name: 'evil', ts: ts(1), generation: -1, value: null }))
    db.close()
    assert.throws(() => new StateStore({ path }).open(), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'STATE_STORE_CORRUPT')
      assert.match(err.message, /spec\/evil: invalid state entry: entry\.generation/)
      return true
    })
  })
})
