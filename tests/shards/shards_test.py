#!/usr/bin/env python3
"""End-to-end tests of sharded indexes: `newsindex build --shard-by month`
against one database built from the same files, searched locally (the
sharded folder and its XAPIANDB stub) and remotely (one real xapian-tcpsrv
per shard on free loopback ports), plus incremental runs, deletions, date
pruning, a shard server that is down, and tools/serve-shards.

    shards_test.py --newsindex BIN --newssearch BIN --source DIR
                   [--work DIR] [unittest args]
    shards_test.py --list          (one test id per line, for ctest)

--work is a folder where the Reuters-21578 indexes (about a minute each to
build) are kept between runs, so that every ctest entry does not rebuild
them; they are rebuilt when newsindex or the data changes. Without it they
are built in a temporary folder once per process. Standard library only.
"""


import argparse
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)

NEWSINDEX = NEWSSEARCH = SOURCE = WORK = None

# (The last of each: a sentence whose words all together find too few
# stories, so the search relaxes.)
REUTERS_QUERIES = ("oil prices", '"interest rates"', "place:Japan trade", "date:1987-03-01..1987-04-15 bank",
                   "what did the central bank say about coffee quotas and sugar")
# Reuters-21578 articles fall in five months of 1987.
REUTERS_MONTHS = ["1987-02", "1987-03", "1987-04", "1987-06", "1987-10"]
CORPUS_QUERIES = ("strike", "dockworkers", '"North Sea"', "rain OR storm", "place:Portugal", "union", "said",
                  "date:2026-02-01..2026-03-31 government", "what did the iranian government say about the protests")


# ---- running the programs ----

def run(args, check_code=None, timeout=300):
    """Runs a program; returns (exit code, stdout, stderr) as text."""
    p = subprocess.run(args, capture_output=True, timeout=timeout)
    out = p.stdout.decode("utf-8", errors="replace")
    err = p.stderr.decode("utf-8", errors="replace")
    if check_code is not None and p.returncode != check_code:
        raise AssertionError(f"{args} exited {p.returncode}, expected {check_code}\nstdout:\n{out}\nstderr:\n{err}")
    return p.returncode, out, err


def build(db, *roots, extra=(), code=None):
    return run([NEWSINDEX, "build", "--db", db, "--quiet", *extra, *roots], check_code=code, timeout=900)


def search(db, *args, code=None, timeout=300):
    return run([NEWSSEARCH, "--db", db, *args], check_code=code, timeout=timeout)


def search_json(db, *args):
    """The JSON answer; an empty result list when nothing matched (exit 1)."""
    code, out, err = search(db, "--json", *args)
    if code not in (0, 1):
        raise AssertionError(f"newssearch --db {db} {args} exited {code}: {err}")
    return json.loads(out)


def ranking(db, query, *args, limit=50):
    """[(id, score rounded to 4 places)] of an uncollapsed search."""
    r = search_json(db, "--no-collapse", "--limit", str(limit), *args, query)
    return [(x["id"], round(float(x["score"]), 4)) for x in r["results"]]


def summary_line(stdout):
    lines = [l for l in stdout.splitlines() if l.startswith("indexed ")]
    if len(lines) != 1:
        raise AssertionError(f"no single summary line in:\n{stdout}")
    return lines[0]


def shard_names(folder):
    """The shards a sharded folder's stub lists, in stub order."""
    with open(os.path.join(folder, "XAPIANDB")) as f:
        return [line.split()[1] for line in f if line.startswith("auto ")]


def doc_count(db):
    _, out, _ = run([NEWSINDEX, "stats", "--db", db, "--json"], check_code=0)
    return json.loads(out)["documents"]


def shared_data_dir():
    return os.path.normpath(os.path.join(SOURCE, "..", "shared", "data"))


# ---- xapian-tcpsrv processes ----

def free_ports(n):
    """n distinct loopback ports nobody listens on (the kernel's choice)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def accepts(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until(predicate, what, deadline=30.0):
    """Polls `predicate` until it holds; fails after `deadline` seconds."""
    end = time.monotonic() + deadline
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline} s waiting for {what}")
        time.sleep(0.02)  # poll interval, not synchronisation


class ShardServers:
    """One xapian-tcpsrv per shard on free loopback ports, and a stub naming
    them. stop() kills them all (idempotent)."""

    def __init__(self, shard_paths, stub_path):
        self.procs = []
        self.stub = stub_path
        # The servers' messages (a readiness probe shows as a broken connection).
        self.log = open(stub_path + ".log", "wb")
        try:
            ports = free_ports(len(shard_paths))
            for path, port in zip(shard_paths, ports):
                p = subprocess.Popen(["xapian-tcpsrv", "--quiet", "--interface", "127.0.0.1", "--port", str(port), path],
                                     stdout=subprocess.DEVNULL, stderr=self.log)
                self.procs.append(p)
            for p, port in zip(self.procs, ports):
                def ready(p=p, port=port):
                    if p.poll() is not None:
                        with open(self.stub + ".log", "rb") as f:
                            raise AssertionError(f"xapian-tcpsrv on {port} exited {p.returncode}: {f.read()!r}")
                    return accepts(port)
                wait_until(ready, f"xapian-tcpsrv on port {port}")
            with open(stub_path, "w") as f:
                f.writelines(f"remote 127.0.0.1:{port}\n" for port in ports)
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
        for p in self.procs:
            p.wait(timeout=30)
        self.procs = []
        self.log.close()


def have_tcpsrv():
    return shutil.which("xapian-tcpsrv") is not None


# ---- comparing answers ----

class Compare(unittest.TestCase):
    def assertSameRanking(self, want, got, what):
        """The same articles with the same scores in the same order: ties
        break on the article id, not on document numbers (which differ once
        the articles are spread over shards)."""
        self.assertTrue(want, f"{what}: no results on the single database")
        self.assertEqual(got, want, f"{what}: rankings differ")

    def assertSameAnswer(self, single, other, *args):
        """Whole results: ids, order, scores, snippets, entities, the other
        versions of each story. (Not spelling suggestions: Xapian's spelling
        correction over several databases can pick another word.)"""
        a = search_json(single, *args)
        b = search_json(other, *args)
        self.assertTrue(a["results"], f"{args}: no results on the single database")
        self.assertEqual(b["results"], a["results"], f"{args}: results differ")
        return b

    def assertSameFacets(self, single, other, query, *args, exact=False):
        """Same facets; with `exact`, the same exact totals too (local shards
        count every match, as one database does)."""
        a = search_json(single, "--facets", "--limit", "10", *args, query)
        b = search_json(other, "--facets", "--limit", "10", *args, query)
        self.assertTrue(any(a["facets"].get(k) for k in ("person", "org", "place", "date")),
                        f"[{query}]: no facets on the single database")
        self.assertEqual(a["facets"], b["facets"], f"[{query}] {args}: facets differ")
        self.assertTrue(a["total"]["exact"], f"[{query}] {args}: inexact total on the single database")
        if exact or b["total"]["exact"]:
            self.assertEqual(a["total"], b["total"], f"[{query}] {args}: totals differ")


# ---- the sample corpus ----

def corpus_dir():
    return os.path.join(SOURCE, "corpus")


class CorpusShards(Compare):
    """corpus/ as one database and as monthly shards, built once per process."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-shards-")
        cls.single = os.path.join(cls.tmp.name, "one.db")
        cls.sharded = os.path.join(cls.tmp.name, "sharded")
        build(cls.single, corpus_dir(), code=0)
        cls.sharded_build = build(cls.sharded, corpus_dir(), extra=("--shard-by", "month"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.servers = None

    def tearDown(self):
        if self.servers:
            self.servers.stop()

    def test_sharded_build_writes_one_database_per_month(self):
        code, out, err = self.sharded_build
        self.assertEqual(code, 0, err)
        names = shard_names(self.sharded)
        self.assertEqual(names, sorted(names))
        self.assertGreaterEqual(len(names), 3, names)
        for n in names:
            self.assertRegex(n, r"^(\d{4}-\d{2}|undated)$")
            self.assertTrue(os.path.exists(os.path.join(self.sharded, n, "iamglass")), n)
        self.assertEqual(sum(doc_count(os.path.join(self.sharded, n)) for n in names), doc_count(self.single))
        with open(os.path.join(self.sharded, "sharding")) as f:
            self.assertEqual(f.read().strip(), "month")
        # A shard holds only its own month.
        for n in names:
            if n == "undated":
                continue
            r = search_json(os.path.join(self.sharded, n), "--no-collapse", "--limit", "100", "--from", "1900-01-01", "")
            self.assertTrue(r["results"], n)
            self.assertEqual({x["date"][:7] for x in r["results"]}, {n})

    def test_sharded_folder_answers_like_single_database(self):
        for q in CORPUS_QUERIES:
            with self.subTest(query=q):
                self.assertSameRanking(ranking(self.single, q), ranking(self.sharded, q), f"folder [{q}]")

    def test_stub_file_answers_like_single_database(self):
        stub = os.path.join(self.sharded, "XAPIANDB")
        for q in CORPUS_QUERIES:
            with self.subTest(query=q):
                self.assertSameRanking(ranking(self.single, q), ranking(stub, q), f"stub [{q}]")

    def test_remote_shards_answer_like_single_database(self):
        if not have_tcpsrv():
            self.skipTest("xapian-tcpsrv is not installed (apt-get install xapian-tools)")
        paths = [os.path.join(self.sharded, n) for n in shard_names(self.sharded)]
        stub = os.path.join(self.tmp.name, "remote-corpus.stub")
        self.servers = ShardServers(paths, stub)
        for q in CORPUS_QUERIES:
            with self.subTest(query=q):
                self.assertSameRanking(ranking(self.single, q), ranking(stub, q), f"remote [{q}]")
        # Facets over remote shards come from a second match: same counts.
        for q in ("strike", "place:Portugal OR rain"):
            with self.subTest(facets=q):
                self.assertSameFacets(self.single, stub, q)

    def test_facets_of_sharded_folder_equal_single(self):
        for q in ("strike", "place:Portugal OR rain", "date:2026-02 OR date:2026-03"):
            for args in ((), ("--no-collapse",)):
                with self.subTest(query=q, args=args):
                    self.assertSameFacets(self.single, self.sharded, q, *args, exact=True)

    def test_json_names_the_shards_searched(self):
        r = search_json(self.sharded, "strike")
        self.assertEqual(r["shards"]["total"], len(shard_names(self.sharded)))
        self.assertEqual(r["shards"]["searched"], shard_names(self.sharded))
        self.assertNotIn("shards", search_json(self.single, "strike"))

    def test_pruning_by_date_searches_only_overlapping_months(self):
        code, out, err = search(self.sharded, "--json", "--explain", "--no-collapse", "--limit", "100",
                                "--from", "2026-02-01", "--to", "2026-02-28", "")
        self.assertEqual(code, 0, err)
        self.assertIn("searched 1 of", err)
        self.assertRegex(err, r"shards: searched 1 of \d+: 2026-02\n")
        r = json.loads(out)
        self.assertEqual(r["shards"]["searched"], ["2026-02"])
        self.assertTrue(r["results"])
        self.assertEqual({x["date"][:7] for x in r["results"]}, {"2026-02"})
        # The same articles as the single database with the same range.
        want = ranking(self.single, "", "--from", "2026-02-01", "--to", "2026-02-28", limit=100)
        got = ranking(self.sharded, "", "--from", "2026-02-01", "--to", "2026-02-28", limit=100)
        self.assertEqual(sorted(want), sorted(got))

    def test_shard_by_on_existing_single_database_is_refused(self):
        before = doc_count(self.single)
        code, out, err = build(self.single, corpus_dir(), extra=("--shard-by", "month"))
        self.assertEqual(code, 2, out + err)
        self.assertIn("single database", err)
        self.assertIn("--shard-by", err)
        self.assertFalse(os.path.exists(os.path.join(self.single, "XAPIANDB")))
        self.assertFalse(os.path.exists(os.path.join(self.single, "sharding")))
        self.assertEqual(doc_count(self.single), before)

    def test_other_sharding_on_sharded_folder_is_refused(self):
        code, out, err = build(self.sharded, corpus_dir(), extra=("--shard-by", "year"))
        self.assertEqual(code, 2, out + err)
        self.assertIn("sharded by month", err)
        code, out, err = build(self.sharded, corpus_dir())
        self.assertEqual(code, 2, out + err)
        self.assertIn("sharded index", err)

    def test_shard_server_down_fails_with_exit_2(self):
        # Nobody listens on the port: the search fails at once with a clear error.
        (port,) = free_ports(1)
        stub = os.path.join(self.tmp.name, "down.stub")
        with open(stub, "w") as f:
            f.write(f"remote 127.0.0.1:{port}\n")
        t0 = time.monotonic()
        code, out, err = search(stub, "strike", timeout=30)
        self.assertEqual(code, 2, out + err)
        self.assertIn(stub, err)
        self.assertIn("127.0.0.1", err)
        self.assertLess(time.monotonic() - t0, 30)
        self.assertEqual(out, "")

    def test_one_of_several_shard_servers_down_fails_with_exit_2(self):
        if not have_tcpsrv():
            self.skipTest("xapian-tcpsrv is not installed (apt-get install xapian-tools)")
        paths = [os.path.join(self.sharded, n) for n in shard_names(self.sharded)]
        stub = os.path.join(self.tmp.name, "half-down.stub")
        self.servers = ShardServers(paths, stub)
        self.assertSameRanking(ranking(self.single, "strike"), ranking(stub, "strike"), "all up")
        victim = self.servers.procs[-1]
        victim.kill()
        victim.wait(timeout=30)
        code, out, err = search(stub, "strike", timeout=30)
        self.assertEqual(code, 2, out + err)
        self.assertIn("127.0.0.1", err)

    def test_shard_server_that_never_answers_fails_within_bounded_time(self):
        # A socket that accepts connections (the kernel completes them) but
        # never speaks: Xapian's remote timeout must end the search.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(8)
            stub = os.path.join(self.tmp.name, "mute.stub")
            with open(stub, "w") as f:
                f.write(f"remote 127.0.0.1:{s.getsockname()[1]}\n")
            code, out, err = search(stub, "strike", timeout=30)
        self.assertEqual(code, 2, out + err)
        self.assertIn(stub, err)


class CorpusShardsIncremental(Compare):
    """Incremental runs of a sharded index over a copy of corpus/ (mutated)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="newssearch-shards-")
        self.root = os.path.join(self.tmp.name, "corpus")
        shutil.copytree(corpus_dir(), self.root)
        self.db = os.path.join(self.tmp.name, "sharded")
        build(self.db, self.root, extra=("--shard-by", "month"), code=0)

    def tearDown(self):
        self.tmp.cleanup()

    def counts(self):
        return {n: doc_count(os.path.join(self.db, n)) for n in shard_names(self.db)}

    def test_rerun_adds_nothing(self):
        before = self.counts()
        with open(os.path.join(self.db, "files.state"), "rb") as f:
            state = f.read()
        code, out, err = build(self.db, self.root, extra=("--shard-by", "month"))
        self.assertEqual(code, 0, err)
        self.assertRegex(summary_line(out), r"^indexed 0, updated 0, removed 0\b")
        self.assertEqual(self.counts(), before)
        with open(os.path.join(self.db, "files.state"), "rb") as f:
            self.assertEqual(f.read(), state)

    def test_deleting_a_file_removes_its_articles_from_their_shard(self):
        before = self.counts()
        # wire.jsonl holds articles of several months: each goes from its own shard.
        with open(os.path.join(self.root, "wire.jsonl")) as f:
            wire = [json.loads(line) for line in f if line.strip()]
        months = {}
        for a in wire:
            months[a["date"][:7]] = months.get(a["date"][:7], 0) + 1
        self.assertGreaterEqual(len(months), 2, months)
        self.assertIn(wire[0]["id"], [x["id"] for x in search_json(self.db, "--no-collapse", "Rotterdam")["results"]])
        os.remove(os.path.join(self.root, "wire.jsonl"))
        code, out, err = build(self.db, self.root, extra=("--shard-by", "month"))
        self.assertEqual(code, 0, err)
        self.assertRegex(summary_line(out), rf"^indexed 0, updated 0, removed {len(wire)}\b")
        after = self.counts()
        for name, n in before.items():
            self.assertEqual(after.get(name, 0), n - months.get(name, 0), f"shard {name}")
        for q in ("Rotterdam", "said"):
            r = search_json(self.db, "--no-collapse", "--limit", "100", q)
            self.assertFalse([x["id"] for x in r["results"] if x["path"].endswith("wire.jsonl")], q)
        with open(os.path.join(self.db, "files.state")) as f:
            self.assertNotIn("wire.jsonl", f.read())

    def test_changed_file_moves_article_to_its_new_month(self):
        path = os.path.join(self.root, "004_storm_iberia.txt")
        with open(path) as f:
            text = f.read()
        self.assertTrue(text.startswith(" date 2026-01-19 "))
        before = self.counts()
        with open(path, "w") as f:
            f.write(text.replace(" date 2026-01-19 ", " date 2026-04-20 ", 1))
        code, out, err = build(self.db, self.root, extra=("--shard-by", "month"))
        self.assertEqual(code, 0, err)
        after = self.counts()
        self.assertEqual(after["2026-01"], before["2026-01"] - 1)
        self.assertEqual(after["2026-04"], before["2026-04"] + 1)
        r = search_json(self.db, "--no-collapse", "--from", "2026-04-20", "--to", "2026-04-20", "Galicia")
        self.assertEqual([x["date"] for x in r["results"]], ["2026-04-20"])


def limit_open_files(soft, hard=None):
    """A preexec_fn that lowers the child's open-file limits."""
    import resource

    def apply():
        _, cur_hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, cur_hard if hard is None else hard))
    return apply


class ManyShards(unittest.TestCase):
    """Twenty years of monthly shards (240): more open files than the usual
    soft limit of 1024 allows, and a run that fails half way."""

    MONTHS = 240

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-shards-")
        cls.root = os.path.join(cls.tmp.name, "articles")
        os.makedirs(cls.root)
        cls.db = os.path.join(cls.tmp.name, "sharded")
        with open(os.path.join(cls.root, "months.jsonl"), "w") as f:
            for i in range(cls.MONTHS):
                f.write(json.dumps({"id": f"m{i}", "date": f"{2000 + i // 12}-{i % 12 + 1:02d}-15",
                                    "title": f"Harbour report {i}",
                                    "body": f"The harbour authority reported {i} ships waiting for berths."}) + "\n")
        build(cls.db, cls.root, extra=("--shard-by", "month"), code=0)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def add_article(self, name, date):
        with open(os.path.join(self.root, name + ".jsonl"), "w") as f:
            f.write(json.dumps({"id": name, "date": date, "title": "Harbour news", "body": "The harbour reopened."}))

    def run_limited(self, args, soft, hard=None):
        import resource
        if resource.getrlimit(resource.RLIMIT_NOFILE)[1] < 4096:
            self.skipTest("the hard open-file limit is below 4096")
        # UBSan's vptr check proves a vtable readable by writing it into a
        # pipe; with every descriptor in use there is no pipe, and the first
        # exception built is reported as having an "invalid vptr" (a false
        # report that suppression files do not reach). Out of descriptors,
        # UBSan findings are printed but do not stop the run.
        env = dict(os.environ)
        if "UBSAN_OPTIONS" in env:
            env["UBSAN_OPTIONS"] += ":halt_on_error=0"
        p = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env,
                           preexec_fn=limit_open_files(soft, hard))
        return p.returncode, p.stdout, p.stderr

    def test_many_shards_beyond_the_soft_open_file_limit(self):
        self.add_article("late", "2024-06-01")
        code, out, err = self.run_limited([NEWSINDEX, "build", "--db", self.db, "--quiet", "--shard-by", "month",
                                           self.root], 1024)
        self.assertEqual(code, 0, err)
        self.assertRegex(summary_line(out), r"^indexed 1, updated 0, removed 0\b")
        code, out, err = self.run_limited([NEWSSEARCH, "--db", self.db, "--json", "--no-collapse", "harbour"], 1024)
        self.assertEqual(code, 0, err)
        r = json.loads(out)
        self.assertEqual(r["shards"]["total"], self.MONTHS + 1)
        self.assertEqual(r["total"], {"estimate": self.MONTHS + 1, "exact": True})

    def test_failed_run_leaves_the_stub_complete(self):
        # Regression: every shard opened at the start of a run rewrote the
        # stub, so a run that failed half way (here: out of file descriptors)
        # left a stub listing only the shards opened so far, and searches
        # silently lost the rest.
        with open(os.path.join(self.db, "XAPIANDB")) as f:
            before = f.read()
        self.assertGreaterEqual(len(before.splitlines()), self.MONTHS)
        self.add_article("failed", "2031-01-01")
        try:
            code, out, err = self.run_limited([NEWSINDEX, "build", "--db", self.db, "--quiet", "--shard-by", "month",
                                               self.root], 256, 256)
        finally:
            os.remove(os.path.join(self.root, "failed.jsonl"))
        self.assertEqual(code, 2, out + err)
        self.assertIn("open files", err)
        with open(os.path.join(self.db, "XAPIANDB")) as f:
            self.assertEqual(f.read(), before)


# ---- Reuters-21578 ----

def reuters_indexes():
    """(text folder, single database, monthly sharded folder) of Reuters-21578
    as text articles, built under WORK (kept while newsindex and the data do
    not change; a lock keeps parallel ctest entries from building twice) or
    in a temporary folder. None when the data set is absent."""
    src = os.path.join(shared_data_dir(), "reuters21578")
    conv = os.path.normpath(os.path.join(SOURCE, "..", "shared", "acceptance", "lib", "reuters_to_txt.py"))
    if not os.path.exists(os.path.join(src, "reut2-000.sgm")) or not os.path.exists(conv):
        return None
    base = WORK or tempfile.mkdtemp(prefix="newssearch-shards-reuters-")
    os.makedirs(base, exist_ok=True)
    # The indexes record absolute file paths: a copied cache is rebuilt too.
    key = hashlib.sha256(os.path.abspath(base).encode())
    for p in (NEWSINDEX, conv, *sorted(os.path.join(src, n) for n in os.listdir(src))):
        st = os.stat(p)
        key.update(f"{os.path.abspath(p)} {st.st_size} {st.st_mtime_ns}\n".encode())
    stamp = os.path.join(base, "reuters.stamp")
    txt, single, sharded = (os.path.join(base, n) for n in ("reuters_txt", "reuters-one.db", "reuters-sharded"))
    with open(os.path.join(base, "reuters.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(stamp) as f:
                if f.read() == key.hexdigest():
                    return txt, single, sharded
        except FileNotFoundError:
            pass
        for p in (stamp, txt, single, sharded):
            if os.path.isdir(p):
                shutil.rmtree(p)
            elif os.path.exists(p):
                os.remove(p)
        os.makedirs(txt)
        run([sys.executable, conv, src, txt], check_code=0)
        build(single, txt, code=0)
        build(sharded, txt, extra=("--shard-by", "month"), code=0)
        with open(stamp, "w") as f:
            f.write(key.hexdigest())
    return txt, single, sharded


class ReutersShards(Compare):
    """Reuters-21578 (about 20,000 articles, Feb-Oct 1987) as one database and
    as monthly shards (needs ../shared/data)."""

    @classmethod
    def setUpClass(cls):
        cls.paths = reuters_indexes()
        if cls.paths:
            cls.txt, cls.single, cls.sharded = cls.paths

    def setUp(self):
        if not self.paths:
            self.skipTest(f"Reuters-21578 not found in {shared_data_dir()}")
        self.servers = None
        self.tmp = tempfile.TemporaryDirectory(prefix="newssearch-shards-")

    def tearDown(self):
        if self.servers:
            self.servers.stop()
        self.tmp.cleanup()

    def test_one_shard_per_month_with_every_article(self):
        self.assertEqual(shard_names(self.sharded), REUTERS_MONTHS)
        total = sum(doc_count(os.path.join(self.sharded, n)) for n in REUTERS_MONTHS)
        self.assertEqual(total, doc_count(self.single))
        self.assertEqual(total, len([n for n in os.listdir(self.txt) if n.endswith(".txt")]))

    def test_sharded_folder_answers_like_single_database(self):
        for q in REUTERS_QUERIES:
            with self.subTest(query=q):
                self.assertSameRanking(ranking(self.single, q), ranking(self.sharded, q), f"folder [{q}]")

    def test_stub_file_answers_like_single_database(self):
        stub = os.path.join(self.sharded, "XAPIANDB")
        for q in REUTERS_QUERIES:
            with self.subTest(query=q):
                self.assertSameRanking(ranking(self.single, q), ranking(stub, q), f"stub [{q}]")

    def test_remote_shards_answer_like_single_database(self):
        if not have_tcpsrv():
            self.skipTest("xapian-tcpsrv is not installed (apt-get install xapian-tools)")
        stub = os.path.join(self.tmp.name, "remote.stub")
        self.servers = ShardServers([os.path.join(self.sharded, n) for n in REUTERS_MONTHS], stub)
        for q in REUTERS_QUERIES:
            with self.subTest(query=q):
                self.assertSameRanking(ranking(self.single, q), ranking(stub, q), f"remote [{q}]")

    def test_facets_of_sharded_folder_equal_single(self):
        # Whole folder, and pruned to two months; folded and not.
        for q in REUTERS_QUERIES:
            for args in ((), ("--no-collapse",), ("--from", "1987-03-15", "--to", "1987-04-15")):
                with self.subTest(query=q, args=args):
                    self.assertSameFacets(self.single, self.sharded, q, *args, exact=True)

    def test_pruning_march_searches_only_the_march_shard(self):
        code, out, err = search(self.sharded, "--json", "--explain", "--no-collapse", "--limit", "100",
                                "--from", "1987-03-01", "--to", "1987-03-31", "bank")
        self.assertEqual(code, 0, err)
        self.assertIn("shards: searched 1 of 5: 1987-03\n", err)
        r = json.loads(out)
        self.assertEqual(r["shards"], {"searched": ["1987-03"], "total": 5})
        self.assertEqual(len(r["results"]), 100)
        self.assertEqual({x["date"][:7] for x in r["results"]}, {"1987-03"})
        # The same articles in the same order with the same scores as the
        # single database finds in March: the pruned search ranks with the
        # whole archive's statistics.
        want = ranking(self.single, "cocoa", "--from", "1987-03-01", "--to", "1987-03-31", limit=100)
        got = ranking(self.sharded, "cocoa", "--from", "1987-03-01", "--to", "1987-03-31", limit=100)
        self.assertTrue(10 < len(want) < 100, len(want))
        self.assertEqual(got, want)
        # A range over two months searches those two.
        _, _, err = search(self.sharded, "--explain", "--from", "1987-03-15", "--to", "1987-04-15", "bank", code=0)
        self.assertIn("shards: searched 2 of 5: 1987-03 1987-04\n", err)

    def test_pruned_searches_answer_like_single_database(self):
        # Multi-word queries, where per-shard term statistics would reorder
        # the results; collapsed (other versions listed) and not; by date.
        for query in ("oil prices", "bank rate cut", "gold OR silver", "oil -opec", '"interest rates"'):
            for args in (("--from", "1987-03-01", "--to", "1987-03-31"),
                         ("--from", "1987-03-15", "--to", "1987-04-15", "--no-collapse"),
                         ("--from", "1987-03-01", "--to", "1987-04-30", "--sort", "date")):
                with self.subTest(query=query, args=args):
                    r = self.assertSameAnswer(self.single, self.sharded, "--limit", "20", *args, query)
                    self.assertLess(len(r["shards"]["searched"]), 5, r["shards"])

    def test_wildcards_answer_like_single_database(self):
        # Each shard would expand a wildcard to its own words; the searcher
        # expands it once, over the whole archive.
        for query in ("crude*", "title:bank*", "oil pric*"):
            for args in ((), ("--from", "1987-03-01", "--to", "1987-03-31")):
                with self.subTest(query=query, args=args):
                    self.assertSameAnswer(self.single, self.sharded, "--limit", "20", *args, query)

    def test_story_copies_fold_across_a_month_boundary(self):
        # One story finder serves every shard of a run: copies in February
        # and March fold into one story as in one database.
        for query in ("oil prices", "bank", "dollar", "sugar", '"call money" german banks'):
            with self.subTest(query=query):
                self.assertSameAnswer(self.single, self.sharded, "--limit", "30", query)
        # A Reuters story of 31 March with its repeat of 1 April.
        r = search_json(self.sharded, "--limit", "5", '"linear films"')
        story = [x for x in r["results"] if "LNER" in x["title"]]
        self.assertEqual(len(story), 1, r["results"])
        versions = sorted([story[0]] + story[0]["duplicates"], key=lambda v: v["date"])
        self.assertEqual([v["date"] for v in versions], ["1987-03-31", "1987-04-01"])
        self.assertTrue(versions[0]["first_published"])
        self.assertIsNone(versions[0]["match"])
        self.assertEqual(story[0], search_json(self.single, "--limit", "5", '"linear films"')["results"][0])

    def test_rerun_adds_nothing(self):
        db = os.path.join(self.tmp.name, "sharded")
        shutil.copytree(self.sharded, db)
        code, out, err = build(db, self.txt, extra=("--shard-by", "month"))
        self.assertEqual(code, 0, err)
        self.assertRegex(summary_line(out), r"^indexed 0, updated 0, removed 0\b")
        for n in REUTERS_MONTHS:
            self.assertEqual(doc_count(os.path.join(db, n)), doc_count(os.path.join(self.sharded, n)), n)


# ---- tools/serve-shards ----

def consecutive_free_ports(n):
    """A base port P with P..P+n-1 all free (checked by binding each)."""
    for _ in range(50):
        (base,) = free_ports(1)
        if base + n <= 65535 and all(port_free(p) for p in range(base, base + n)):
            return base
    raise AssertionError(f"no run of {n} free ports found")


class ServeShardsTool(Compare):
    """tools/serve-shards on the corpus shards."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-serve-")
        cls.single = os.path.join(cls.tmp.name, "one.db")
        cls.sharded = os.path.join(cls.tmp.name, "sharded")
        build(cls.single, corpus_dir(), code=0)
        build(cls.sharded, corpus_dir(), extra=("--shard-by", "month"), code=0)
        cls.tool = os.path.join(SOURCE, "tools", "serve-shards")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        if not have_tcpsrv():
            self.skipTest("xapian-tcpsrv is not installed (apt-get install xapian-tools)")
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            # Its own process group: the servers go with it, none left behind.
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
        if self.proc:
            self.proc.stdout.close()
            self.proc.stderr.close()

    def start(self, *args):
        self.proc = subprocess.Popen([self.tool, self.sharded, *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, start_new_session=True)
        return self.proc

    def read_line(self, stream, deadline=30):
        """One line of the tool's output, or a failure after `deadline` s."""
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(stream, selectors.EVENT_READ)
        try:
            if not sel.select(timeout=deadline):
                raise AssertionError("serve-shards printed nothing")
            return stream.readline().decode()
        finally:
            sel.close()

    def test_serves_every_shard_and_stops_on_term(self):
        n = len(shard_names(self.sharded))
        base = consecutive_free_ports(n)
        stub = os.path.join(self.tmp.name, "served.stub")
        proc = self.start("--base-port", str(base), "--stub", stub)
        line = self.read_line(proc.stdout)
        self.assertEqual(line.strip(), stub, proc.stderr.read1().decode() if not line else "")
        with open(stub) as f:
            self.assertEqual(f.read().splitlines(), [f"remote 127.0.0.1:{base + i}" for i in range(n)])
        for q in CORPUS_QUERIES:
            with self.subTest(query=q):
                self.assertSameRanking(ranking(self.single, q), ranking(stub, q), f"served [{q}]")
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=30), 143)
        self.assertFalse(os.path.exists(stub))
        for p in range(base, base + n):
            self.assertFalse(accepts(p), f"port {p} still served after TERM")

    def test_stops_on_ctrl_c(self):
        base = consecutive_free_ports(len(shard_names(self.sharded)))
        proc = self.start("--base-port", str(base))
        stub = self.read_line(proc.stdout).strip()
        self.assertEqual(stub, self.sharded + ".remote.stub")
        self.assertTrue(accepts(base))
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends to the whole group
        self.assertEqual(proc.wait(timeout=30), 130)
        self.assertFalse(os.path.exists(stub))
        self.assertFalse(accepts(base))

    def test_a_server_that_dies_stops_the_others(self):
        n = len(shard_names(self.sharded))
        base = consecutive_free_ports(n)
        stub = os.path.join(self.tmp.name, "dies.stub")
        proc = self.start("--base-port", str(base), "--stub", stub)
        self.assertEqual(self.read_line(proc.stdout).strip(), stub)
        with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
            children = [int(x) for x in f.read().split()]

        def command(pid):
            try:
                with open(f"/proc/{pid}/comm") as f:
                    return f.read().strip()
            except FileNotFoundError:
                return ""
        servers = [p for p in children if command(p) == "xapian-tcpsrv"]
        self.assertEqual(len(servers), n)
        os.kill(servers[1], signal.SIGKILL)
        self.assertEqual(proc.wait(timeout=30), 1)
        self.assertIn("a shard server exited", proc.stderr.read().decode())
        self.assertFalse(os.path.exists(stub))
        for p in range(base, base + n):
            self.assertFalse(accepts(p), f"port {p} still served")

    def test_port_in_use_is_refused(self):
        n = len(shard_names(self.sharded))
        base = consecutive_free_ports(n)
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", base + 1))
            busy.listen(1)
            proc = self.start("--base-port", str(base))
            code = proc.wait(timeout=30)
            err = proc.stderr.read().decode()
        self.assertEqual(code, 2, err)
        self.assertIn(f"port {base + 1} is already in use", err)
        self.assertEqual(proc.stdout.read(), b"")
        self.assertFalse(accepts(base), "a server was left running")

    def test_not_a_sharded_index_is_refused(self):
        self.proc = subprocess.Popen([self.tool, self.single], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        code = self.proc.wait(timeout=30)
        err = self.proc.stderr.read().decode()
        self.assertEqual(code, 2, err)
        self.assertIn("no XAPIANDB stub", err)


def main():
    global NEWSINDEX, NEWSSEARCH, SOURCE, WORK
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--newsindex")
    ap.add_argument("--newssearch")
    ap.add_argument("--source", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..")))
    ap.add_argument("--work", help="folder that keeps the Reuters-21578 indexes between runs")
    ap.add_argument("--list", action="store_true", help="print the test ids and exit")
    opts, rest = ap.parse_known_args()
    if opts.list:
        print("\n".join(ctest_unittest.test_ids(__name__)))
        return 0
    if not opts.newsindex or not opts.newssearch:
        ap.error("--newsindex and --newssearch are required")
    NEWSINDEX, NEWSSEARCH = os.path.abspath(opts.newsindex), os.path.abspath(opts.newssearch)
    SOURCE = os.path.abspath(opts.source)
    WORK = os.path.abspath(opts.work) if opts.work else None
    return ctest_unittest.run(rest)


if __name__ == "__main__":
    sys.exit(main())
