"""mlfinops_checkpoint on a local folder, with Debian's python3 (torch and numpy from apt). Run by checkpointPython.test.ts."""
import io
import json
import os
import random
import signal
import tempfile
import unittest

import numpy as np
import torch

from mlfinops_checkpoint import Checkpointer, CheckpointError
from mlfinops_checkpoint.stores import LocalStore


def quiet(*_):
    pass


class CheckpointTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.uri = os.path.join(self.tmp.name, "ckpt")

    def tearDown(self):
        self.tmp.cleanup()
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def ck(self, **kw):
        kw.setdefault("every_steps", 5)
        kw.setdefault("handle_sigterm", False)
        return Checkpointer(self.uri, log=quiet, **kw)

    def test_fresh_start_restores_nothing(self):
        self.assertIsNone(self.ck().restore())

    def test_saves_every_n_steps_and_keeps_the_newest(self):
        c = self.ck(keep=2)
        saved = [s for s in range(1, 18) if c.maybe_save(s, {"step": s})]
        self.assertEqual(saved, [5, 10, 15])
        manifest = c.manifest()
        self.assertEqual([e["step"] for e in manifest["checkpoints"]], [15, 10])
        self.assertEqual(sorted(os.listdir(os.path.join(self.uri, "checkpoints"))), sorted(os.path.basename(e["key"]) for e in manifest["checkpoints"]))
        self.assertEqual(self.ck().restore(), {"step": 15})

    def test_rng_states_come_back(self):
        c = self.ck()
        random.seed(1), np.random.seed(2), torch.manual_seed(3)
        c.save(5, {"step": 5})
        expected = (random.random(), np.random.rand(), torch.rand(3))
        random.seed(99), np.random.seed(99), torch.manual_seed(99)
        self.ck().restore()
        got = (random.random(), np.random.rand(), torch.rand(3))
        self.assertEqual(expected[0], got[0])
        self.assertEqual(expected[1], got[1])
        self.assertTrue(torch.equal(expected[2], got[2]))

    def test_a_torn_upload_is_never_latest(self):
        c = self.ck()
        c.save(5, {"step": 5})

        class Torn(Exception):
            pass

        real = c.store.put_file

        def torn(key, fileobj, size):
            real(key, io.BytesIO(fileobj.read(size // 2)), size // 2)  # half the bytes arrive, then the machine is gone
            raise Torn()

        c.store.put_file = torn
        with self.assertRaises(Torn):
            c.save(10, {"step": 10})
        self.assertEqual(self.ck().restore(), {"step": 5})
        self.assertEqual(len(os.listdir(os.path.join(self.uri, "checkpoints"))), 2, "the torn object is there, unpublished")
        c.store.put_file = real
        c.save(15, {"step": 15})
        self.assertEqual(len(os.listdir(os.path.join(self.uri, "checkpoints"))), 2, "the next save removes the left-over")

    def test_a_damaged_checkpoint_falls_back_to_the_one_before(self):
        c = self.ck()
        c.save(5, {"step": 5})
        c.save(10, {"step": 10})
        latest = c.manifest()["latest"]
        with open(os.path.join(self.uri, latest), "r+b") as f:
            f.write(b"garbage")
        self.assertEqual(self.ck().restore(), {"step": 5})

    def test_sigterm_asks_for_a_final_checkpoint_at_once(self):
        c = self.ck(handle_sigterm=True, every_steps=1000)
        self.assertFalse(c.maybe_save(3, {"step": 3}))
        self.assertFalse(c.should_stop())
        os.kill(os.getpid(), signal.SIGTERM)
        self.assertFalse(c.should_stop(), "not before the final checkpoint is durable")
        self.assertTrue(c.maybe_save(4, {"step": 4}))
        self.assertTrue(c.should_stop())
        self.assertEqual(self.ck().restore(), {"step": 4})

    def test_the_marker_file_is_a_stop_request(self):
        marker = os.path.join(self.tmp.name, "stop-requested")
        c = self.ck(stop_file=marker, every_steps=1000)
        c.maybe_save(1, {"step": 1})
        with open(marker, "w") as f:
            json.dump({"reason": "spot-interruption"}, f)
        self.assertTrue(c.maybe_save(2, {"step": 2}))
        self.assertTrue(c.should_stop())
        self.assertEqual(self.ck().step, None)
        self.assertEqual(self.ck().restore(), {"step": 2})

    def test_a_stop_right_after_a_periodic_save_does_not_save_twice(self):
        c = self.ck(every_steps=5)
        c.maybe_save(5, {"step": 5})
        c.request_stop()
        c.maybe_save(5, {"step": 5})
        self.assertTrue(c.should_stop())
        self.assertEqual(len(c.manifest()["checkpoints"]), 1)

    def test_environment_defaults(self):
        os.environ.update(MLFINOPS_CHECKPOINT_URI=self.uri, MLFINOPS_CHECKPOINT_EVERY_STEPS="7")
        try:
            c = Checkpointer(handle_sigterm=False, log=quiet)
            self.assertEqual((c.uri, c.every_steps), (self.uri, 7))
        finally:
            del os.environ["MLFINOPS_CHECKPOINT_URI"], os.environ["MLFINOPS_CHECKPOINT_EVERY_STEPS"]

    def test_bad_input_is_named(self):
        cases = [
            (dict(uri=None), "no checkpoint location"),
            (dict(uri="ftp://x/y"), "unsupported checkpoint location"),
            (dict(uri="azure://acct"), "azure://account/container/prefix"),
            (dict(uri="s3://"), "s3://bucket/prefix"),
            (dict(uri=self.uri, every_steps=0), "every_steps must be 1 or more"),
            (dict(uri=self.uri, keep=0), "keep must be 1 or more"),
        ]
        os.environ.pop("MLFINOPS_CHECKPOINT_URI", None)
        for kw, message in cases:
            with self.subTest(kw=kw), self.assertRaisesRegex(CheckpointError, message.replace("/", "/")):
                Checkpointer(handle_sigterm=False, log=quiet, **kw)

    def test_a_foreign_manifest_is_refused(self):
        os.makedirs(self.uri)
        with open(os.path.join(self.uri, "manifest.json"), "w") as f:
            f.write('{"hello": 1}')
        with self.assertRaisesRegex(CheckpointError, "not an ML FinOps checkpoint manifest"):
            self.ck().restore()

    def test_local_writes_leave_no_temporary_files(self):
        store = LocalStore(self.uri)
        store.put_bytes("a/b", b"x")
        self.assertEqual(os.listdir(os.path.join(self.uri, "a")), ["b"])


if __name__ == "__main__":
    unittest.main()
