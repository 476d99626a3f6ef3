#!/usr/bin/env bash
# Installs what the spot-training tests run on the "instance" side, into Debian's /usr/bin/python3 (the Python
# package index is not used): PyTorch (CPU), NumPy, boto3 and azure-storage-blob, from apt; and statsmodels, which
# `npm run bench:forecast` compares the forecast with. Idempotent: when they
# import already it does nothing. First install on a clean Debian 12: about 1.3 GB on disk, 4-10 min
# (python3-torch ~730 MB with its dependencies, python3-azure-storage ~580 MB: Debian packs it with the whole Azure
# SDK). Progress on stderr.
set -euo pipefail
PY=/usr/bin/python3
PACKAGES=(python3-torch python3-numpy python3-boto3 python3-azure-storage python3-statsmodels)
log() { echo "[setup-python] $*" >&2; }

if [ -x "$PY" ] && "$PY" -c 'import torch, numpy, boto3, azure.storage.blob, statsmodels.tsa.holtwinters' 2>/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=(); elif command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
  log "missing Python packages: run 'sudo apt-get install ${PACKAGES[*]}'"; exit 1
fi
log "installing ${PACKAGES[*]} from apt (first run only, ~1.3 GB, several minutes)"
export DEBIAN_FRONTEND=noninteractive
t0=$(date +%s)
# another package manager run (unattended upgrades, a second setup) holds the dpkg lock: wait for it
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
"$PY" -c 'import torch, numpy, boto3, azure.storage.blob, statsmodels.tsa.holtwinters' || { log "installed, but $PY cannot import them"; exit 1; }
log "ready in $(( $(date +%s) - t0 )) s"
