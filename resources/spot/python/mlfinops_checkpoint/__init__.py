"""Checkpoints that survive spot interruptions, for ML FinOps spot training jobs.

    from mlfinops_checkpoint import Checkpointer
    ckpt = Checkpointer("s3://bucket/run-1", every_steps=500)   # or gs://, azure://account/container/..., a path
    state = ckpt.restore()                                      # None on a fresh start; RNG states put back
    start = state["step"] if state else 0
    for step in range(start, total_steps):
        ...train one step...
        ckpt.maybe_save(step + 1, {"step": step + 1, "model": model.state_dict(), "optim": optim.state_dict()})
        if ckpt.should_stop():
            break

A save writes the checkpoint object first and only then publishes ``manifest.json`` (one PUT, atomic on every
store), so an upload cut short is never the latest. The last ``keep`` checkpoints are kept. SIGTERM, or the marker
file the ML FinOps bootstrap writes on an interruption notice (``MLFINOPS_STOP_FILE``), asks for a final checkpoint:
the next ``maybe_save`` saves at once and ``should_stop()`` turns true once that checkpoint is durable.
Standard library only, plus the storage client for the store in use (boto3, azure-storage-blob) and torch / numpy
when the training script uses them.
"""

import hashlib
import io
import json
import os
import pickle
import random
import signal
import sys
import tempfile
import threading
import time
import uuid

from .stores import CheckpointError, open_store

__all__ = ["Checkpointer", "CheckpointError", "open_store"]

FORMAT = "mlfinops-checkpoint/1"
MANIFEST = "manifest.json"
PREFIX = "checkpoints/"


def _capture_rng():
    rng = {"python": random.getstate()}
    np = sys.modules.get("numpy")
    if np is not None:
        rng["numpy"] = np.random.get_state()
    torch = sys.modules.get("torch")
    if torch is not None:
        rng["torch"] = torch.get_rng_state()
        if torch.cuda.is_available():
            rng["cuda"] = torch.cuda.get_rng_state_all()
    return rng


def _restore_rng(rng):
    if "python" in rng:
        random.setstate(rng["python"])
    if "numpy" in rng:
        import numpy as np

        np.random.set_state(rng["numpy"])
    if "torch" in rng or "cuda" in rng:
        import torch

        if "torch" in rng:
            torch.set_rng_state(rng["torch"])
        if "cuda" in rng and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(rng["cuda"])


def _dump(payload, f):
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.save(payload, f)
    else:
        pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)


def _load(data):
    # torch.save writes a zip file ("PK"); without torch it is a pickle
    if data[:2] == b"PK":
        import torch

        try:
            return torch.load(io.BytesIO(data), map_location="cpu", weights_only=False)
        except TypeError:  # torch before 1.13 has no weights_only
            return torch.load(io.BytesIO(data), map_location="cpu")
    return pickle.loads(data)


class Checkpointer:
    """Periodic and final checkpoints of a training loop, resumed on the next start.

    uri:         s3://bucket/prefix, gs://bucket/prefix, azure://account/container/prefix or a local path
                 (default: $MLFINOPS_CHECKPOINT_URI, set by the bootstrap).
    every_steps: save every N steps (default: $MLFINOPS_CHECKPOINT_EVERY_STEPS, else 1000).
    keep:        how many checkpoints to keep (the newest).
    stop_file:   the marker file whose presence asks for a final checkpoint (default: $MLFINOPS_STOP_FILE).
    """

    def __init__(self, uri=None, every_steps=None, keep=3, stop_file=None, handle_sigterm=True, log=None):
        uri = uri or os.environ.get("MLFINOPS_CHECKPOINT_URI")
        if not uri:
            raise CheckpointError("no checkpoint location: pass Checkpointer(uri) or set MLFINOPS_CHECKPOINT_URI")
        if every_steps is None:
            every_steps = int(os.environ.get("MLFINOPS_CHECKPOINT_EVERY_STEPS") or 1000)
        if int(every_steps) < 1:
            raise CheckpointError(f"every_steps must be 1 or more, not {every_steps}")
        if int(keep) < 1:
            raise CheckpointError(f"keep must be 1 or more, not {keep}")
        self.uri = uri
        self.every_steps = int(every_steps)
        self.keep = int(keep)
        self.stop_file = stop_file if stop_file is not None else os.environ.get("MLFINOPS_STOP_FILE")
        self.store = open_store(uri)
        self.step = None  # the step of the checkpoint restored or last saved
        self.last_save_seconds = None
        self._stop = False
        self._final_done = False
        self._log = log or (lambda msg: print(f"mlfinops_checkpoint: {msg}", file=sys.stderr, flush=True))
        if handle_sigterm and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_sigterm)

    # ---- stop requests --------------------------------------------------------------------------------------
    def _on_sigterm(self, signum, frame):
        self._stop = True

    def request_stop(self):
        """Asks for a final checkpoint, as SIGTERM or the marker file do."""
        self._stop = True

    def stop_requested(self):
        if not self._stop and self.stop_file and os.path.exists(self.stop_file):
            self._stop = True
        return self._stop

    def should_stop(self):
        """True once a stop was requested and the final checkpoint is durable (its manifest published)."""
        return self.stop_requested() and self._final_done

    # ---- reading ----------------------------------------------------------------------------------------------
    def manifest(self):
        """The published manifest, or None when nothing was saved yet."""
        data = self.store.get(MANIFEST)
        if data is None:
            return None
        doc = json.loads(data)
        if doc.get("format") != FORMAT:
            raise CheckpointError(f"{self.uri}/{MANIFEST} is not an ML FinOps checkpoint manifest: use an empty location")
        return doc

    def restore(self):
        """The state last passed to maybe_save (the newest readable checkpoint), or None on a fresh start.
        Puts back the python random, numpy, torch and CUDA RNG states saved with it."""
        doc = self.manifest()
        if not doc:
            return None
        for entry in doc["checkpoints"]:
            data = self.store.get(entry["key"])
            if data is None or hashlib.sha256(data).hexdigest() != entry["sha256"]:
                self._log(f"skipping checkpoint {entry['key']}: missing or damaged")
                continue
            payload = _load(data)
            _restore_rng(payload.get("rng", {}))
            self.step = payload["step"]
            self._log(f"restored step {self.step} from {self.uri}/{entry['key']}")
            return payload["state"]
        raise CheckpointError(f"no readable checkpoint in {self.uri}: the manifest lists only missing or damaged ones")

    # ---- writing ----------------------------------------------------------------------------------------------
    def maybe_save(self, step, state):
        """Saves every `every_steps` steps, and at once when a stop was requested. True when it saved."""
        if self.stop_requested():
            if self._final_done:
                return False
            if self.step != step:
                self.save(step, state)
            self._final_done = True
            self._log(f"final checkpoint at step {step} is durable: stopping")
            return True
        if step % self.every_steps == 0 and step != self.step:
            self.save(step, state)
            return True
        return False

    def save(self, step, state):
        """Writes one checkpoint now: the object, then the manifest; then removes what is no longer kept."""
        started = time.monotonic()
        payload = {"format": FORMAT, "step": step, "state": state, "rng": _capture_rng()}
        key = f"{PREFIX}step-{int(step):012d}-{uuid.uuid4().hex[:8]}.ckpt"
        with tempfile.TemporaryFile() as f:
            _dump(payload, f)
            size = f.tell()
            f.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: f.read(8 << 20), b""):
                digest.update(chunk)
            f.seek(0)
            self.store.put_file(key, f, size)
        previous = self.manifest()
        entry = {"key": key, "step": step, "size": size, "sha256": digest.hexdigest(),
                 "savedAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        kept = [entry] + [e for e in (previous["checkpoints"] if previous else []) if e["key"] != key]
        kept = kept[: self.keep]
        manifest = {"format": FORMAT, "latest": key, "checkpoints": kept}
        self.store.put_bytes(MANIFEST, json.dumps(manifest, indent=1).encode())
        self.step = step
        listed = {e["key"] for e in kept}
        for old in self.store.list(PREFIX):
            if old not in listed:
                self.store.delete(old)
        self.last_save_seconds = time.monotonic() - started
        self._log(f"saved step {step} ({size} bytes) in {self.last_save_seconds:.2f} s to {self.uri}/{key}")
        return entry
