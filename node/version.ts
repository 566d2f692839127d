import { readFileSync } from 'node:fs'

/**
 * The package version, read from package.json at run time. The relative path
 * differs between the source tree (node/version.ts) and the build
 * (dist/node/version.js), so look in both places.
 */
function readVersion (): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'hyperion-fabric' && pkg.version != null) return pkg.version
    } catch {}
  }
  return '0.0.0-unknown'
}

export const VERSION = readVersion()
