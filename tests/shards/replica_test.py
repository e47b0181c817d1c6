#!/usr/bin/env python3
"""Read replicas on Xapian's own machinery: a master index written by
newsindex with changesets on (XAPIAN_MAX_CHANGESETS), served by a real
xapian-replicate-server on loopback, copied by xapian-replicate into a
replica that newssearch opens through the stub xapian-replicate writes.
After every commit of the master one replication applies its changeset
(not a full copy) and the replica answers exactly as the master does; a
master rebuilt from scratch is copied whole.

  replica_test.py --newsindex BIN --newssearch BIN [--list] [unittest args]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)
from shards_test import accepts, free_ports, wait_until  # noqa: E402  (loopback helpers beside this file)

NEWSINDEX = NEWSSEARCH = None
QUERIES = ("dockworkers", "strike", '"North Sea"', "place:Portugal", "rain OR storm", "union")


def run(args, env=None):
    p = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    return p.returncode, p.stdout, p.stderr


def answers(db):
    """Every query's total and results (id, score, other versions, snippet)."""
    out = []
    for q in QUERIES:
        code, text, err = run([NEWSSEARCH, "--db", db, "--json", "--limit", "50", q])
        if code not in (0, 1):
            raise AssertionError(f"newssearch --db {db} {q!r} exited {code}: {err}")
        r = json.loads(text)
        out.append((q, r["total"], [(x["id"], round(float(x["score"]), 6), x["duplicates"], x["snippet"])
                                    for x in r["results"]]))
    return out


class Replicas(unittest.TestCase):
    def setUp(self):
        if not shutil.which("xapian-replicate-server") or not shutil.which("xapian-replicate"):
            self.skipTest("xapian-replicate is not installed (apt-get install xapian-tools)")
        self.tmp = tempfile.mkdtemp(prefix="replica-test-")
        self.articles = os.path.join(self.tmp, "articles")
        os.makedirs(self.articles)
        os.makedirs(os.path.join(self.tmp, "master"))
        self.master = os.path.join(self.tmp, "master", "db")
        self.replica = os.path.join(self.tmp, "replica")
        for i, (city, day) in enumerate([("Gdansk", 2), ("Lisbon", 3), ("Porto", 4), ("Vigo", 5)]):
            self.write(f"{i}.txt", f" date 2026-03-0{day} Dockworkers in {city} walked out over pay on Monday, "
                                   f"the union said. The strike halted container traffic.\n")
        self.write("storm.txt", " date 2026-03-06 A storm closed ports in Portugal and rain flooded the North Sea "
                                "coast of Denmark.\n")
        self.build()
        self.port = free_ports(1)[0]
        self.log = open(os.path.join(self.tmp, "server.log"), "wb")
        self.server = subprocess.Popen(["xapian-replicate-server", "-I", "127.0.0.1", "-p", str(self.port),
                                        os.path.join(self.tmp, "master")], stdout=self.log, stderr=self.log)
        def ready():
            if self.server.poll() is not None:
                raise AssertionError(f"xapian-replicate-server exited {self.server.returncode}")
            return accepts(self.port)
        wait_until(ready, "xapian-replicate-server")

    def tearDown(self):
        if getattr(self, "server", None):
            self.server.kill()
            self.server.wait(timeout=30)
            self.log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write(self, name, text):
        with open(os.path.join(self.articles, name), "w") as f:
            f.write(text)

    def build(self):
        env = dict(os.environ, XAPIAN_MAX_CHANGESETS="10")
        code, out, err = run([NEWSINDEX, "build", "--db", self.master, "--quiet", self.articles], env=env)
        self.assertEqual(code, 0, err)
        return out

    def replicate(self):
        """One replication; (full copies, changesets applied)."""
        code, out, err = run(["xapian-replicate", "-h", "127.0.0.1", "-p", str(self.port), "-m", "db", "-o", "-v",
                              "-r", "0", self.replica])
        self.assertEqual(code, 0, out + err)
        m = re.search(r"Update complete: (\d+) copies, (\d+) changesets", out + err)
        self.assertIsNotNone(m, out + err)
        return int(m.group(1)), int(m.group(2))

    def test_each_commit_reaches_the_replica_as_a_changeset(self):
        self.assertEqual(self.replicate(), (1, 0))  # (the first time: a copy)
        self.assertEqual(answers(self.replica), answers(self.master))
        for n, city in enumerate(["Szczecin", "Gdynia"]):
            self.write(f"new{n}.txt", f" date 2026-03-1{n} Dockworkers in {city} joined the strike, the union "
                                      f"said.\n")
            self.assertIn("indexed 1,", self.build())
            copies, changesets = self.replicate()
            self.assertEqual(copies, 0)
            self.assertGreaterEqual(changesets, 1)
            self.assertEqual(answers(self.replica), answers(self.master))
            code, text, _ = run([NEWSSEARCH, "--db", self.replica, "--json", city])
            self.assertEqual(code, 0)
            self.assertEqual(len(json.loads(text)["results"]), 1)

    def test_a_master_rebuilt_from_scratch_is_copied_whole(self):
        self.replicate()
        shutil.rmtree(self.master)
        self.write("extra.txt", " date 2026-03-20 Ferries from Piraeus sailed late in the storm.\n")
        self.build()
        copies, _ = self.replicate()
        self.assertEqual(copies, 1)
        self.assertEqual(answers(self.replica), answers(self.master))
        code, text, _ = run([NEWSSEARCH, "--db", self.replica, "--json", "Piraeus"])
        self.assertEqual(code, 0)


if __name__ == "__main__":
    sys.exit(ctest_unittest.main_with_programs(__doc__))
