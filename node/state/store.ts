/**
 * The node's durable copy of the fabric state: one row per register (the
 * entry FabricState holds for a key) plus the HLC's last value, in
 * node:sqlite. WAL with `synchronous=FULL` makes every committed
 * transaction fsync'd before `write` returns, so an acknowledged apply
 * survives kill -9 and power loss.
 *
 * The schema is versioned: `schema_migrations` records each applied
 * migration; a database written by a newer build is refused rather than
 * guessed at.
 */
import { DatabaseSync } from 'node:sqlite'
import { decodeHlc, encodeHlc, type Hlc } from '../../protocol/hlc.ts'
import { entryKey, parseEntry, type StateEntry } from '../../protocol/state/index.ts'
import { StateStoreError } from './errors.ts'

/** Append-only: migration i takes the schema from version i to i + 1. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE entries (key TEXT PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`
]
export const SCHEMA_VERSION = MIGRATIONS.length

export interface Loaded {
  entries: StateEntry[]
  /** The HLC's last value when the node stopped, if it ever wrote. */
  hlc?: Hlc
}

export class StateStore {
  readonly path: string
  private db?: DatabaseSync
  private upsert?: ReturnType<DatabaseSync['prepare']>
  private setMeta?: ReturnType<DatabaseSync['prepare']>

  constructor (init: { path: string }) {
    this.path = init.path
  }

  /** Opens (creating or migrating) the database and returns what it holds. */
  open (): Loaded {
    try {
      this.db = new DatabaseSync(this.path)
      this.db.exec('PRAGMA journal_mode = WAL')
      this.db.exec('PRAGMA synchronous = FULL')
      this.migrate(this.db)
    } catch (err) {
      this.close()
      if (err instanceof StateStoreError) throw err
      throw new StateStoreError('STATE_STORE_CORRUPT', `cannot open the state database ${this.path}: ${(err as Error).message}; move it aside to resync this node from its peers`, { cause: err })
    }
    const db = this.db
    this.upsert = db.prepare('INSERT INTO entries (key, entry) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET entry = excluded.entry')
    this.setMeta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value')
    const entries: StateEntry[] = []
    for (const row of db.prepare('SELECT key, entry FROM entries').all() as Array<{ key: string, entry: string }>) {
      try {
        const entry = parseEntry(JSON.parse(row.entry))
        if (entryKey(entry) !== row.key) throw new Error(`stored under key ${row.key} but its key is ${entryKey(entry)}`)
        entries.push(entry)
      } catch (err) {
        this.close()
        throw new StateStoreError('STATE_STORE_CORRUPT', `the state database ${this.path} holds a bad entry for ${row.key}: ${(err as Error).message}; move the file aside to resync this node from its peers`, { cause: err })
      }
    }
    const hlcRow = db.prepare("SELECT value FROM meta WHERE name = 'hlc'").get() as { value: string } | undefined
    let hlc: Hlc | undefined
    try {
      if (hlcRow !== undefined) hlc = decodeHlc(hlcRow.value)
    } catch (err) {
      this.close()
      throw new StateStoreError('STATE_STORE_CORRUPT', `the state database ${this.path} holds a bad clock value: ${(err as Error).message}`, { cause: err })
    }
    return hlc === undefined ? { entries } : { entries, hlc }
  }

  /**
   * Writes entries (each under its key, replacing what was there) and the
   * clock in one transaction. Durable when it returns.
   */
  write (entries: readonly StateEntry[], hlc: Hlc): void {
    const db = this.db
    if (db === undefined || this.upsert === undefined || this.setMeta === undefined) throw new Error('state store is not open')
    db.exec('BEGIN IMMEDIATE')
    try {
      for (const e of entries) this.upsert.run(entryKey(e), JSON.stringify(e))
      this.setMeta.run('hlc', encodeHlc(hlc))
      db.exec('COMMIT')
    } catch (err) {
      db.exec('ROLLBACK')
      throw err
    }
  }

  close (): void {
    try { this.db?.close() } catch {}
    this.db = undefined
    this.upsert = undefined
    this.setMeta = undefined
  }

  private migrate (db: DatabaseSync): void {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)')
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }
    const current = row.v ?? 0
    if (current > SCHEMA_VERSION) {
      throw new StateStoreError('STATE_STORE_VERSION', `the state database ${this.path} has schema version ${current}, newer than this build knows (${SCHEMA_VERSION}): run a newer hyperion, or move the file aside to resync from peers`)
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.exec('BEGIN IMMEDIATE')
      try {
        db.exec(MIGRATIONS[v] as string)
        db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)').run(v + 1, Date.now())
        db.exec('COMMIT')
      } catch (err) {
        db.exec('ROLLBACK')
        throw err
      }
    }
  }
}
