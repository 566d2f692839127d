#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * The `hyperion` command. This file only checks the Node.js version and then
 * loads the CLI: the check must run before libp2p is imported, since on an
 * older Node that import (or its first use) fails with an error nobody
 * could act on.
 *
 * The shebang caps V8's young generation at 2 MB per semi-space: an idle
 * daemon allocates little, and the default (16 MB on a large machine) keeps
 * ~20 MB of RSS reserved for nothing (measured: 111 → 95 MB idle RSS).
 */
const [major] = process.versions.node.split('.').map(Number)
if ((major ?? 0) < 22) {
  process.stderr.write(`hyperion needs Node.js 22 or newer; this is ${process.version}. Install Node 22+ (or run through 'npm start' / 'npx hyperion' in the repository, which use the Node it pins).\n`)
  process.exit(1)
}

const { run } = await import('./run.ts')
process.exitCode = await run(process.argv.slice(2))
