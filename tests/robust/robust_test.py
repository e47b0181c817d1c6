#!/usr/bin/env python3
"""Robustness tests of the indexing pipeline with real processes.

Determinism: the index built with --threads 1, 2, 3 and 4 from the same input is
the same (documents, ids, docids, story ids, whole-document digests, search
results). Crash safety: newsindex killed with SIGKILL at moments chosen by
watching its --progress output (never by sleeping) leaves a database that
opens and searches; re-running the same command completes it with every
article exactly once, and a further re-run indexes nothing -- also when the
kill falls inside one long JSON-lines file, after commits of part of it.
Searching while the indexer commits never fails. Compaction: a build that
at least doubles a database compacts it (docids kept) into the index a
--no-compact build writes, only smaller; small updates leave it alone; a swap
killed between its two renames is put right by the next run; `newsindex
compact` keeps a sharded layout and refuses while an indexing run writes.
Thread safety: under valgrind's helgrind, no memory is shared between the
indexing threads without synchronisation.

The large input is Reuters-21578 from ../shared/data (converted to one text
file per article with ../shared/acceptance/lib/reuters_to_txt.py); tests that
need it are skipped with a message when it is absent. Standard library only.

    robust_test.py --newsindex BIN --newssearch BIN --dump BIN --source DIR [--sanitized] [unittest args]
    robust_test.py --list          (one test id per line, for ctest)
"""


import argparse
import fcntl
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)

NEWSINDEX = NEWSSEARCH = DUMP = SOURCE = None
SANITIZED = False

# Every wait in this file is bounded: a hung program fails the test instead
# of hanging ctest (whose own TIMEOUT is the last guard).
RUN_TIMEOUT = 600
SEARCH_TIMEOUT = 60


def corpus_dir():
    return os.path.join(SOURCE, "corpus")


def reuters_dir():
    return os.path.normpath(os.path.join(SOURCE, "..", "shared", "data", "reuters21578"))


def reuters_converter():
    return os.path.normpath(os.path.join(SOURCE, "..", "shared", "acceptance", "lib", "reuters_to_txt.py"))


def have_reuters():
    return os.path.isfile(os.path.join(reuters_dir(), "reut2-000.sgm"))


def run(args, check_code=None, timeout=RUN_TIMEOUT):
    """Runs a program; returns (exit code, stdout, stderr) as text."""
    p = subprocess.run(args, capture_output=True, timeout=timeout)
    out = p.stdout.decode("utf-8", errors="replace")
    err = p.stderr.decode("utf-8", errors="replace")
    if check_code is not None and p.returncode not in (check_code if isinstance(check_code, tuple) else (check_code,)):
        raise AssertionError(f"{args} exited {p.returncode}, expected {check_code}\nstdout:\n{out}\nstderr:\n{err[-4000:]}")
    return p.returncode, out, err


def build_args(db, roots, threads=None, commit_every=None):
    args = [NEWSINDEX, "build", "--db", db]
    if threads is not None:
        args += ["--threads", str(threads)]
    if commit_every is not None:
        args += ["--commit-every", str(commit_every)]
    return args + list(roots)


def dump(db):
    _, out, _ = run([DUMP, db], check_code=0)
    return json.loads(out)


def contents(db):
    """dump() without the revision, which every commit moves on."""
    d = dump(db)
    d.pop("revision", None)
    return d


def stats(db):
    _, out, _ = run([NEWSINDEX, "stats", "--db", db, "--json"], check_code=0)
    return json.loads(out)


def search(db, *args):
    """newssearch --json; returns (exit code, parsed output or None)."""
    code, out, err = run([NEWSSEARCH, "--db", db, "--json", *args], timeout=SEARCH_TIMEOUT)
    if code == 2:
        raise AssertionError(f"newssearch {args} on {db} failed (exit 2): {err}")
    return code, json.loads(out) if code == 0 else None


def summary_line(stdout):
    lines = [l for l in stdout.splitlines() if l.startswith("indexed ")]
    if len(lines) != 1:
        raise AssertionError(f"no single summary line in:\n{stdout}")
    return lines[0]


def summary_counts(stdout):
    m = re.match(r"indexed (\d+), updated (\d+), removed (\d+), skipped (\d+)", summary_line(stdout))
    return tuple(int(x) for x in m.groups())


def result_shape(resp):
    """What must not depend on the thread count: ranked ids, scores, copies."""
    return {
        "total": resp["total"],
        "results": [(r["id"], r["rank"], round(r["score"], 6), r["date"], r["title"],
                     sorted(d["id"] for d in r["duplicates"])) for r in resp["results"]],
        "facets": resp.get("facets"),
    }


class IndexerRun:
    """A newsindex build running in the background with --progress, whose
    stderr is read to learn how many articles it has written so far."""

    ARTICLES = re.compile(rb"articles (\d+)")
    COMMITTED = re.compile(rb"committed (\d+)")

    def __init__(self, args):
        # args is [newsindex, "build", ...]: --progress goes before the roots.
        self.args = args[:2] + ["--progress", "--progress-every", "0.25"] + args[2:]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = b""
        self.articles = 0
        self.committed = 0

    def _read(self, timeout):
        """Reads what stderr has within `timeout`; False at end of file."""
        fd = self.proc.stderr.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        chunk = os.read(fd, 65536)
        if not chunk:
            return False
        self.err += chunk
        counts = self.ARTICLES.findall(self.err[-4096:])
        if counts:
            self.articles = max(self.articles, int(counts[-1]))
        counts = self.COMMITTED.findall(self.err[-4096:])
        if counts:
            self.committed = max(self.committed, int(counts[-1]))
        return True

    def wait_for_articles(self, n, timeout=RUN_TIMEOUT, what="articles"):
        """Blocks until the run reports at least `n` articles written (or
        committed, with what="committed"); returns True then, False when the
        run ended first."""
        deadline = time.monotonic() + timeout
        while getattr(self, what) < n:
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"newsindex reported {getattr(self, what)} {what} in {timeout} s, waited for {n}")
            if not self._read(1.0):
                return False
        return True

    def running(self):
        return self.proc.poll() is None

    def kill(self):
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode

    def finish(self, timeout=RUN_TIMEOUT):
        out, err = self.proc.communicate(timeout=timeout)
        self.err += err
        return self.proc.returncode, out.decode("utf-8", "replace"), self.err.decode("utf-8", "replace")


class Determinism(unittest.TestCase):
    """One input, indexed with 1, 2, 3 and 4 worker threads (a fresh build:
    one segment writer, and two with 4 threads): the same index."""

    THREADS = (1, 2, 3, 4)

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-robust-")
        cls.roots = [corpus_dir()]
        cls.reuters = have_reuters()
        if cls.reuters:
            # A slice of Reuters-21578: 2,000 records, many syndicated-looking
            # briefs, so story clustering has work to do.
            cls.roots += [os.path.join(reuters_dir(), f"reut2-00{i}.sgm") for i in (0, 1)]
        cls.dbs = {}
        cls.builds = {}
        for n in cls.THREADS:
            db = os.path.join(cls.tmp.name, f"threads{n}.db")
            # A low commit interval so commits fall inside the run, between
            # batches that different threads built.
            cls.builds[n] = run(build_args(db, cls.roots, threads=n, commit_every=150) + ["--quiet"])
            cls.dbs[n] = db
        cls.dumps = {n: dump(db) for n, db in cls.dbs.items()}

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_build_succeeds_with_the_same_summary(self):
        first = None
        for n, (code, out, err) in self.builds.items():
            self.assertIn(code, (0, 1), f"--threads {n}: {err[-2000:]}")
            counts = summary_counts(out)
            self.assertGreater(counts[0], 0)
            first = first or counts
            self.assertEqual(counts, first, f"--threads {n} summary differs")

    def test_same_documents_and_ids(self):
        base = self.dumps[1]
        self.assertGreater(base["documents"], 0)
        self.assertEqual(base["duplicate_ids"], [])
        if self.reuters:
            self.assertGreater(base["documents"], 2000)
        for n in self.THREADS[1:]:
            d = self.dumps[n]
            self.assertEqual(d["documents"], base["documents"], f"--threads {n}")
            self.assertEqual(d["duplicate_ids"], [], f"--threads {n}")
            self.assertEqual(set(d["ids"]), set(base["ids"]), f"--threads {n}")

    def test_same_docid_and_story_per_id(self):
        base = self.dumps[1]["ids"]
        stories = {v["story"] for v in base.values()}
        # Clustering did something: some ids share a story, and every one has one.
        self.assertNotIn("", stories)
        if self.reuters:
            self.assertLess(len(stories), len(base))
        for n in self.THREADS[1:]:
            other = self.dumps[n]["ids"]
            diff = [i for i in base if (base[i]["docid"], base[i]["story"]) != (other[i]["docid"], other[i]["story"])]
            self.assertEqual(diff[:10], [], f"--threads {n}: {len(diff)} ids differ in docid or story")

    def test_same_document_contents(self):
        base = self.dumps[1]["ids"]
        for n in self.THREADS[1:]:
            other = self.dumps[n]["ids"]
            diff = [i for i in base if base[i]["digest"] != other[i]["digest"]]
            self.assertEqual(diff[:10], [], f"--threads {n}: {len(diff)} documents differ (terms, values or data)")

    def test_same_search_results(self):
        queries = [
            ["oil"],
            ["--facets", "--limit", "20", "security forces"],
            ["--limit", "20", '"interest rates" OR cocoa'],
            ["--sort", "date", "--limit", "20", "bank*"],
            ["--no-collapse", "--limit", "50", "trade NOT japan"],
            ["--facets", "place:Iran"],
        ]
        hits = 0
        for q in queries:
            code, base = search(self.dbs[1], *q)
            hits += code == 0
            for n in self.THREADS[1:]:
                code_n, other = search(self.dbs[n], *q)
                self.assertEqual(code_n, code, f"--threads {n}: {q}")
                if base is not None:
                    self.assertEqual(result_shape(other), result_shape(base), f"--threads {n}: {q}")
        self.assertGreaterEqual(hits, 3, "the queries should find something")


class ReutersText(unittest.TestCase):
    """Reuters-21578 as one text file per article, converted once per class."""

    SGML_FILES = 6

    @classmethod
    def setUpClass(cls):
        if not have_reuters():
            raise unittest.SkipTest(f"Reuters-21578 is not in {reuters_dir()}")
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-robust-")
        cls.input = os.path.join(cls.tmp.name, "reuters")
        os.mkdir(cls.input)
        # A slice keeps each test to a few minutes on a busy 2-core machine:
        # SGML_FILES of the 22 files, about 1,000 records each.
        src = os.path.join(cls.tmp.name, "sgm")
        os.mkdir(src)
        for i in range(cls.SGML_FILES):
            name = f"reut2-{i:03d}.sgm"
            os.symlink(os.path.join(reuters_dir(), name), os.path.join(src, name))
        run([sys.executable, reuters_converter(), src, cls.input], check_code=0)
        cls.files = sorted(os.listdir(cls.input))
        cls.expected = len(cls.files)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.db = tempfile.mkdtemp(prefix="db-", dir=self.tmp.name)
        self.db = os.path.join(self.db, "index.db")

    def tearDown(self):
        shutil.rmtree(os.path.dirname(self.db), ignore_errors=True)

    def command(self, **kw):
        return build_args(self.db, [self.input], **kw)

    def assertUsable(self, what):
        """The database opens and answers: exit 0 or 1, never 2."""
        for q in (["oil"], ["--facets", "--sort", "date", "bank*"], ['"crude oil" OR wheat']):
            search(self.db, *q)  # raises on exit 2
        s = stats(self.db)
        self.assertLessEqual(s["documents"], self.expected, what)
        d = dump(self.db)
        self.assertEqual(d["duplicate_ids"], [], what)
        self.assertEqual(len(d["ids"]), d["documents"], f"{what}: a document without a unique id")
        return d

    def assertComplete(self, what):
        d = self.assertUsable(what)
        self.assertEqual(d["documents"], self.expected, what)
        paths = sorted(os.path.basename(v["path"]) for v in d["ids"].values())
        self.assertEqual(paths, self.files, f"{what}: not every article exactly once")
        return d

    def assertNothingToDo(self):
        code, out, err = run(self.command(), check_code=0)
        self.assertEqual(summary_counts(out), (0, 0, 0, 0), out)
        self.assertRegex(summary_line(out), rf"; 0 of {self.expected} files read")

    def kill_at(self, articles, **kw):
        """Starts the build, kills it with SIGKILL once it reports `articles`
        written; returns how many it had reported (None: it finished first)."""
        r = IndexerRun(self.command(**kw))
        reached = r.wait_for_articles(articles)
        code = r.kill()
        if not reached:
            self.fail(f"the run finished (exit {code}) before reporting {articles} articles")
        self.assertEqual(code, -signal.SIGKILL)
        return r.articles


class CrashSafety(ReutersText):

    def test_killed_three_times_then_rerun_indexes_every_article_once(self):
        # Each run resumes what the killed one left: killed right at its first
        # report (before or at the first commit), then after a few commits,
        # then late in a run; the fourth run completes.
        seen = []
        for target in (1, 1200, 3000):
            seen.append(self.kill_at(target, commit_every=500))
            before = self.assertUsable(f"after kill at {target}")
            self.assertLess(before["documents"], self.expected)
        self.assertGreater(before["documents"], 0, f"nothing committed in three runs reporting {seen}")
        code, out, err = run(self.command(commit_every=500), check_code=0)
        indexed, updated, removed, skipped = summary_counts(out)
        self.assertEqual(indexed, self.expected - before["documents"], out)
        self.assertEqual(skipped, 0, err[-2000:])
        self.assertComplete("after the completing re-run")
        self.assertNothingToDo()

    def test_killed_run_with_default_commits_then_rerun(self):
        # Default commit policy (every 20,000 articles or 10 s); kill late in
        # the run, with most of the work possibly uncommitted.
        self.kill_at(self.expected * 2 // 3)
        self.assertUsable("after kill")
        run(self.command(), check_code=0)
        self.assertComplete("after re-run")
        self.assertNothingToDo()

    def test_kill_leaves_a_consistent_index_equal_to_a_clean_build(self):
        # What survives a kill plus re-run is the index a clean run builds:
        # the same ids, documents and search totals.
        self.kill_at(4000, commit_every=700)
        run(self.command(commit_every=700), check_code=0)
        resumed = self.assertComplete("after re-run")
        clean_db = self.db + ".clean"
        run(build_args(clean_db, [self.input], commit_every=700), check_code=0)
        clean = dump(clean_db)
        self.assertEqual(set(clean["ids"]), set(resumed["ids"]))
        self.assertEqual({i: v["date"] for i, v in clean["ids"].items()},
                         {i: v["date"] for i, v in resumed["ids"].items()})
        # Every document has the same terms, values and data. The story id
        # may differ (the resumed run finds earlier copies through the
        # database, a clean run in memory), so only its content is compared.
        diff = [i for i in clean["ids"] if clean["ids"][i]["content"] != resumed["ids"][i]["content"]]
        self.assertEqual(diff[:10], [], f"{len(diff)} documents differ from a clean build's")
        for q in (["--no-collapse", "oil"], ["--no-collapse", "--limit", "30", "wheat"]):
            self.assertEqual(search(clean_db, *q)[1]["total"], search(self.db, *q)[1]["total"], q)


class FreshBuildCheckpoints(ReutersText):
    """A fresh build (parallel segments) once committed nothing until its
    end: killed at 95 %, it started again from zero."""

    def test_fresh_build_killed_after_a_checkpoint_rereads_only_the_rest(self):
        # --checkpoint-seconds 0: every commit (each 400 articles) is merged
        # into the index at once. Size-doubling merges alone (at 400, 800,
        # 1,600, 3,200 articles) commit nothing more before the end, so the
        # run is killed once the progress line says two thirds are committed;
        # the index holds at least those, and the same command reads only
        # the files it does not hold, into a clean build's index.
        args = [NEWSINDEX, "build", "--db", self.db, "--commit-every", "400", "--checkpoint-seconds", "0",
                self.input]
        target = self.expected * 2 // 3
        self.assertGreater(target, 3200)
        r = IndexerRun(args)
        reached = r.wait_for_articles(target, what="committed")
        code = r.kill()
        self.assertTrue(reached, f"the run finished (exit {code}) before committing {target} articles")
        self.assertEqual(code, -signal.SIGKILL)
        killed = self.assertUsable("after the kill")
        self.assertGreaterEqual(killed["documents"], r.committed)
        self.assertLess(killed["documents"], self.expected)

        code, out, err = run(args, check_code=0)
        left = self.expected - killed["documents"]
        self.assertEqual(summary_counts(out), (left, 0, 0, 0), out)
        self.assertRegex(summary_line(out), rf"; {left} of {self.expected} files read")
        resumed = self.assertComplete("after the re-run")

        clean_db = self.db + ".clean"
        run(build_args(clean_db, [self.input], commit_every=400), check_code=0)
        clean = dump(clean_db)
        self.assertEqual({i: (v["docid"], v["date"]) for i, v in clean["ids"].items()},
                         {i: (v["docid"], v["date"]) for i, v in resumed["ids"].items()})
        # (Story ids may differ: see test_kill_leaves_a_consistent_index_equal_to_a_clean_build.)
        diff = [i for i in clean["ids"] if clean["ids"][i]["content"] != resumed["ids"][i]["content"]]
        self.assertEqual(diff[:10], [], f"{len(diff)} documents differ from a clean build's")
        self.assertNothingToDo()


class MidFileCommit(ReutersText):
    """The same Reuters articles as one JSON-lines file: commits fall inside
    the file, so a kill leaves committed articles of a file whose state was
    never recorded."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One object per line: id from the Reuters NEWID (distinct), date and
        # title from the first line (" date YYYY-MM-DD TITLE."), text the rest.
        cls.input = os.path.join(cls.tmp.name, "reuters.jsonl")
        cls.ids = []
        with open(cls.input, "w", encoding="utf-8") as out:
            for name in sorted(cls.files, key=lambda f: int(f.split(".")[0])):
                with open(os.path.join(cls.tmp.name, "reuters", name), encoding="utf-8") as f:
                    first, _, rest = f.read().partition("\n")
                m = re.fullmatch(r" date (\d{4}-\d{2}-\d{2}) (.*)", first)
                if not m:
                    raise AssertionError(f"{name}: unexpected first line {first!r}")
                title = m.group(2).strip()
                if title.endswith("."):  # the converter's
                    title = title[:-1].rstrip()
                cls.ids.append(f"reuters-{name.split('.')[0]}")
                out.write(json.dumps({"id": cls.ids[-1], "date": m.group(1), "title": title,
                                      "text": rest.strip()}) + "\n")
        cls.expected = len(cls.ids)
        if len(set(cls.ids)) != cls.expected or cls.expected < 3000:
            raise AssertionError(f"{cls.expected} articles ({len(set(cls.ids))} distinct ids)")

    def test_killed_inside_one_jsonl_file_then_rerun_indexes_every_article_once(self):
        # Commit every 200 articles; kill once the run reports 1,500 (past
        # several commits, about a quarter into the file). Commits only at
        # file ends would leave nothing.
        reported = self.kill_at(1500, commit_every=200)
        self.assertLess(reported, self.expected, "killed after the end of the file")
        killed = self.assertUsable(f"after kill at {reported} reported articles")
        self.assertEqual(stats(self.db)["documents"], killed["documents"])
        self.assertGreater(killed["documents"], 0,
                           f"nothing committed inside the file though the run reported {reported} articles")
        self.assertLess(killed["documents"], self.expected)
        self.assertLessEqual(set(killed["ids"]), set(self.ids))
        last_killed_docid = max(v["docid"] for v in killed["ids"].values())

        # The re-run deletes what the file committed and reads all of it again:
        # nothing skipped as a duplicate id, every article (re-)added.
        code, out, err = run(self.command(commit_every=200), check_code=0)
        indexed, updated, removed, skipped = summary_counts(out)
        self.assertEqual(indexed + updated, self.expected, out)
        self.assertEqual(skipped, 0, err[-2000:])
        self.assertNotIn("duplicate id", err)
        done = self.assertUsable("after the re-run")
        self.assertEqual(done["documents"], self.expected)
        self.assertEqual(sorted(done["ids"]), sorted(self.ids), "not every article exactly once")
        # No document of the killed run survived: every one is newer.
        old = [i for i, v in done["ids"].items() if v["docid"] <= last_killed_docid]
        self.assertEqual(old[:10], [], f"{len(old)} documents of the killed run were kept, not re-read")

        code, out, err = run(self.command(commit_every=200), check_code=0)
        self.assertEqual(summary_counts(out), (0, 0, 0, 0), out)
        self.assertRegex(summary_line(out), r"; 0 of 1 files read")
        self.assertEqual(dump(self.db)["ids"], done["ids"])


class SearchWhileIndexing(ReutersText):

    def test_reader_polling_while_writer_commits_never_fails(self):
        # Frequent commits; a reader runs searches back to back (each search
        # is its own process: open, match, facets over every match) while
        # the writer commits, and must always get exit 0 or 1.
        r = IndexerRun(self.command(commit_every=40))
        try:
            self.assertTrue(r.wait_for_articles(200), "indexer ended early")
            totals, searches, codes = set(), 0, []
            while r.running() and (len(totals) < 4 or searches < 20):
                for q in (["--facets", "--limit", "50", "oil"], ["--sort", "date", "--no-collapse", "bank*"]):
                    p = subprocess.run([NEWSSEARCH, "--db", self.db, "--json", *q], capture_output=True,
                                       timeout=SEARCH_TIMEOUT)
                    codes.append(p.returncode)
                    self.assertIn(p.returncode, (0, 1), p.stderr.decode("utf-8", "replace"))
                    if p.returncode == 0 and q[0] == "--facets":
                        totals.add(json.loads(p.stdout)["total"]["estimate"])
                    searches += 1
                # Keep the writer's stderr pipe drained so it never blocks.
                r._read(0)
            self.assertTrue(r.running(), f"the indexer finished before the reader saw 4 revisions ({totals})")
            self.assertGreaterEqual(len(totals), 4, "the reader should see the index grow")
        finally:
            r.kill()
        self.assertUsable("after the indexer was killed")
        run(self.command(), check_code=0)
        self.assertComplete("after re-run")

# ---- compaction ----

COMPACTED = re.compile(r"compacted (.+): (\d+) KiB -> (\d+) KiB")
# What compaction says when a compacted copy would not be smaller: it keeps
# the database as it is (an index never grows by compaction).
NOT_COMPACTED = re.compile(r"(.+): not compacted \((\d+) KiB; a compacted copy would not be smaller\)")
FILES_READ = re.compile(r"; (\d+) of (\d+) files read")

# Searches of corpus/ compared before and after compaction: totals, ranked
# ids, scores, copies, facets.
CORPUS_QUERIES = (
    ["--no-collapse", "--limit", "50", "strike"],
    ["--facets", "--limit", "50", "rain OR storm"],
    ["--no-collapse", "--limit", "50", "said"],
    ["--limit", "50", '"North Sea" OR dockworkers'],
    ["--sort", "date", "--limit", "50", "place:Portugal OR union"],
    ["--no-collapse", "--facets", "--limit", "50", "date:2026-02-01..2026-03-31 government"],
)


def compacted_lines(stdout):
    return [l for l in stdout.splitlines() if l.startswith("compacted ")]


def folder_bytes(path):
    """Bytes of the regular files under `path`, as newsindex counts them."""
    n = 0
    for d, _, files in os.walk(path):
        for f in files:
            p = os.path.join(d, f)
            if os.path.isfile(p) and not os.path.islink(p):
                n += os.path.getsize(p)
    return n


def dump_shards(folder):
    """index_dump of every shard of a sharded folder (it opens one database
    only): {shard name: its ids}."""
    return {n: dump(os.path.join(folder, n))["ids"] for n in sorted(os.listdir(folder))
            if os.path.isfile(os.path.join(folder, n, "iamglass"))}


def answers(db):
    """Every query of CORPUS_QUERIES: (exit code, result_shape or None)."""
    out = {}
    for q in CORPUS_QUERIES:
        code, resp = search(db, *q)
        out[" ".join(q)] = (code, result_shape(resp) if resp is not None else None)
    return out


class HostileInput(unittest.TestCase):
    """Unusual archives: what cannot be read is reported, never taken as
    deleted, and never stops the rest from being indexed."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="hostile-")
        self.root = os.path.join(self.tmp.name, "archive")
        self.db = os.path.join(self.tmp.name, "db")
        os.makedirs(os.path.join(self.root, "sub"))
        for name, word in (("a.txt", "alpha"), ("sub/b.txt", "bravo"), ("z.txt", "zulu")):
            with open(os.path.join(self.root, name), "w") as f:
                f.write(f"The {word} report\n\nA short article about {word} shipping in the harbour.\n")

    def tearDown(self):
        for dirpath, dirnames, _ in os.walk(self.tmp.name):
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o755)
        self.tmp.cleanup()

    def found(self, word):
        code, r = search(self.db, word)
        return r["total"]["estimate"] if code == 0 else 0

    def test_symlink_loop_is_reported_and_the_rest_indexed(self):
        os.symlink("loop2", os.path.join(self.root, "loop1"))
        os.symlink("loop1", os.path.join(self.root, "loop2"))
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertEqual(code, 0, err)
        self.assertIn("loop1: symbolic link loop, skipped", err)
        self.assertRegex(out, r"^indexed 3,")
        self.assertIn("2 paths could not be read", out)
        for word in ("alpha", "bravo", "zulu"):
            self.assertEqual(self.found(word), 1, word)

    def test_dangling_link_is_reported(self):
        os.symlink("nowhere.txt", os.path.join(self.root, "gone.txt"))
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertEqual(code, 0, err)
        self.assertIn("gone.txt: dangling symbolic link, skipped", err)
        self.assertRegex(out, r"^indexed 3,")

    def test_newline_in_a_file_name_cannot_forge_a_message_line(self):
        os.symlink("nowhere", os.path.join(self.root, "x\nindexed 999.txt"))
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertEqual(code, 0, err)
        self.assertIn("x\\nindexed 999.txt: dangling symbolic link", err)
        self.assertFalse([l for l in err.splitlines() if l.startswith("indexed 999")], err)

    def test_newline_in_a_file_name_cannot_forge_a_record_warning(self):
        # The warnings about a file's records and about a broken file once
        # printed its name as it was: a newline in it started a line of the
        # attacker's choosing, an escape sequence reached the terminal.
        with open(os.path.join(self.root, "x\nindexed 999, updated 0.jsonl"), "w") as f:
            f.write('{"id": "ok", "title": "Fine", "body": "A fine alpha record."}\nnot json\n')
        with open(os.path.join(self.root, "e\x1b[2Jq\n.txt.gz"), "wb") as f:
            f.write(b"\x1f\x8b not a gzip member")
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertEqual(code, 1, err)
        lines = err.splitlines()
        self.assertIn("x\\nindexed 999, updated 0.jsonl:2: malformed JSON", err)
        self.assertEqual(len([l for l in lines if "malformed JSON" in l]), 1, err)
        self.assertIn("e\\x1b[2Jq\\n.txt.gz: gzip error", err)
        self.assertNotIn("\x1b", err)
        self.assertFalse([l for l in lines if l.startswith("indexed 999")], err)
        self.assertEqual(len(lines), 2, err)

    def test_unreadable_folder_keeps_its_articles(self):
        # As root every folder is readable: the runs drop to nobody.
        drop = []
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                self.skipTest("running as root without setpriv to drop privileges")
            drop = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
            for dirpath, dirnames, filenames in os.walk(self.tmp.name):
                os.chmod(dirpath, 0o777)
                for f in filenames:
                    os.chmod(os.path.join(dirpath, f), 0o666)
        run(drop + build_args(self.db, [self.root]), check_code=0)
        self.assertEqual(self.found("bravo"), 1)
        os.chmod(os.path.join(self.root, "sub"), 0o000)
        code, out, err = run(drop + build_args(self.db, [self.root]))
        self.assertEqual(code, 0, err)
        self.assertRegex(err, r"sub: cannot read folder \(.*\); its articles are kept")
        self.assertRegex(out, r"^indexed 0, updated 0, removed 0\b")
        self.assertIn("1 path could not be read", out)
        self.assertEqual(self.found("bravo"), 1, "the unreadable folder's article was removed")
        os.chmod(os.path.join(self.root, "sub"), 0o777)
        code, out, err = run(drop + build_args(self.db, [self.root]))
        self.assertRegex(out, r"^indexed 0, updated 0, removed 0\b", err)
        self.assertEqual(self.found("bravo"), 1)


class HostileRecords(unittest.TestCase):
    """Records that are too large, unclosed or cut short: reported with
    their file and line, and never taking other records with them."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="records-")
        self.root = os.path.join(self.tmp.name, "in")
        self.db = os.path.join(self.tmp.name, "db")
        os.makedirs(self.root)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text, mode="w"):
        with open(os.path.join(self.root, name), mode) as f:
            f.write(text)

    def ids(self):
        return set(dump(self.db)["ids"])

    def found(self, word):
        code, r = search(self.db, "--no-collapse", word)
        return r["total"]["estimate"] if code == 0 else 0

    def test_large_article_is_indexed_without_blocking_the_others(self):
        # Every per-article step is linear: a 10 MB article of repeated
        # names once took minutes and held up every file after it.
        self.write("a.txt", "Alpha\n\nA small alpha article about Tehran.\n")
        self.write("m.txt", "Big\n\n" + "lorem ipsum dolor sit amet Tehran oil Ahmadi " * 220000)
        self.write("z.txt", "Zulu\n\nA small zulu article about oil.\n")
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"^indexed 3,")
        self.assertEqual(self.found("alpha"), 1)
        self.assertEqual(self.found("zulu"), 1)

    def test_record_over_the_limit_is_reported_and_skipped(self):
        lines = [json.dumps({"id": "small1", "title": "Small one", "body": "A small article about cranes."}),
                 json.dumps({"id": "huge", "title": "Huge", "body": "x" * (17 << 20)}),
                 json.dumps({"id": "small2", "title": "Small two", "body": "Another small article about cranes."})]
        self.write("r.jsonl", "\n".join(lines) + "\n")
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertIn("r.jsonl:2: record too large", err)
        self.assertRegex(out, r"^indexed 2, updated 0, removed 0, skipped 1 \(1 record too large\)")
        self.assertEqual(self.found("cranes"), 2)

    def test_unclosed_trec_doc_does_not_swallow_the_next(self):
        self.write("u.trec", "<DOC>\n<DOCNO>T1</DOCNO>\n<TEXT>first, never closed\n"
                             "<DOC>\n<DOCNO>T2</DOCNO>\n<TEXT>second, complete</TEXT>\n</DOC>\n")
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertIn("u.trec:1: unclosed <DOC> (no </DOC> before the next record at line 4), skipped", err)
        self.assertRegex(out, r"^indexed 1, .*skipped 1 \(1 unclosed <DOC>\)")
        self.assertEqual(self.ids(), {"T2"})

    def test_unclosed_reuters_record_does_not_swallow_the_next(self):
        rec = ('<REUTERS NEWID="{n}">\n<DATE> 2-MAR-1987 10:00:00.00</DATE>\n<TEXT><TITLE>STORY {n}</TITLE>\n'
               '<BODY>Body of story {n} about sugar.</BODY></TEXT>\n')
        self.write("u.sgm", rec.format(n=1) + rec.format(n=2) + "</REUTERS>\n" + rec.format(n=3) + "</REUTERS>\n")
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertIn("u.sgm:1: unclosed <REUTERS>", err)
        self.assertEqual(self.ids(), {"2", "3"})

    def test_changed_file_of_near_identical_copies_is_indexed_again(self):
        # Re-reading such a file once aborted the run with Xapian's
        # "Unexpected end of posting list" on a band term all its articles
        # shared.
        recs = [json.dumps({"id": f"r{i}", "date": "2026-01-01", "title": f"Story {i}",
                            "body": f"Article number {i} about harbour cranes in Rotterdam. " * 20}) for i in range(900)]
        self.write("c.jsonl", "\n".join(recs) + "\n")
        run(build_args(self.db, [self.root]), check_code=0)
        with open(os.path.join(self.root, "c.jsonl"), "a") as f:
            f.write(json.dumps({"id": "new1", "date": "2026-01-02", "title": "New", "body": "A new one."}) + "\n")
        code, out, err = run(build_args(self.db, [self.root]))
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"^indexed 0, updated 901, removed 0, skipped 0")
        self.assertEqual(len(self.ids()), 901)

    def test_truncated_gzip_keeps_what_was_read_and_says_where(self):
        import gzip
        recs = [json.dumps({"id": f"r{i}", "title": f"Story {i}",
                            "body": f"Article {i} about harbour cranes in Rotterdam. " * 20}) for i in range(987)]
        data = gzip.compress(("\n".join(recs) + "\n").encode())
        self.write("t.jsonl.gz", data[: len(data) * 9 // 10], "wb")
        code, out, err = run(build_args(self.db, [self.root]))
        m = re.search(r"t\.jsonl\.gz: gzip stream truncated at byte \d+ of the file, after line (\d+); "
                      r"(\d+) articles before it are indexed, the rest of the file is lost", err)
        self.assertTrue(m, err)
        self.assertEqual(m.group(1), m.group(2))
        self.assertEqual(len(self.ids()), int(m.group(2)))
        self.assertIn("1 broken file", out)
        # The next run reads it again, and adds nothing twice.
        run(build_args(self.db, [self.root]))
        self.assertEqual(len(self.ids()), int(m.group(2)))


class ThreadSafety(unittest.TestCase):
    """No memory is touched by two indexing threads without synchronisation.

    newsindex runs under valgrind's helgrind, which reports every pair of
    accesses to one location from two threads that no lock, condition or
    thread start/join orders -- whether or not they happened to collide in
    this run. It checks what a test of outputs cannot: Xapian's handles
    (Document, Database, Stem...) count their references without atomics, so
    a worker that kept a handle on a document the writer thread adds corrupts
    the count only now and then, as a rare crash. Both ways articles reach
    Xapian are covered (a fresh build through segment writers, a sharded build
    through the ordering thread). Skipped in the sanitizer build (valgrind
    cannot run it) and without Reuters-21578."""

    ARTICLES = 200

    @classmethod
    def setUpClass(cls):
        if SANITIZED:
            raise unittest.SkipTest("valgrind cannot run a sanitizer build")
        if not have_reuters():
            raise unittest.SkipTest(f"Reuters-21578 is not in {reuters_dir()}")
        cls.valgrind = shutil.which("valgrind")
        if not cls.valgrind:
            raise AssertionError("valgrind is missing (tools/setup.sh installs it)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-helgrind-")
        src = os.path.join(cls.tmp.name, "sgm")
        converted = os.path.join(cls.tmp.name, "converted")
        cls.input = os.path.join(cls.tmp.name, "reuters")
        for d in (src, converted, cls.input):
            os.mkdir(d)
        os.symlink(os.path.join(reuters_dir(), "reut2-000.sgm"), os.path.join(src, "reut2-000.sgm"))
        run([sys.executable, reuters_converter(), src, converted], check_code=0)
        for name in sorted(os.listdir(converted))[: cls.ARTICLES]:
            shutil.move(os.path.join(converted, name), os.path.join(cls.input, name))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assertNoRace(self, threads, *extra):
        db = tempfile.mkdtemp(prefix="db-", dir=self.tmp.name)
        supp = os.path.join(SOURCE, "tests", "robust", "helgrind.supp")
        code, out, err = run([self.valgrind, "--tool=helgrind", f"--suppressions={supp}", NEWSINDEX, "build",
                              "--db", os.path.join(db, "index.db"), "--threads", str(threads), *extra, self.input])
        self.assertEqual(code, 0, err[-4000:])
        self.assertEqual(summary_counts(out), (self.ARTICLES, 0, 0, 0), out)
        reports = [r for r in err.split("-" * 64) if "Possible data race" in r or "lock order" in r]
        if reports:
            self.fail(f"helgrind, --threads {threads} {' '.join(extra)}: {len(reports)} reports; the first:\n"
                      f"{reports[0][:6000]}")

    def test_fresh_build_threads_share_nothing_unsynchronised(self):
        for threads in (1, 3):
            self.assertNoRace(threads)

    def test_sharded_build_threads_share_nothing_unsynchronised(self):
        for threads in (1, 3):
            self.assertNoRace(threads, "--shard-by", "month")


class Compaction(unittest.TestCase):
    """newsindex build compacts every database (or shard) the run at least
    doubled, keeping docids, and says so on a second stdout line; --no-compact
    skips it. An interrupted in-place swap (DB -> DB.compact-old,
    DB.compact-tmp -> DB) is put right by the next open for writing.
    newsindex compact compacts a sharded folder shard by shard."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-compact-")
        # corpus/ twice: compacted (the default) and --no-compact. Sizes are
        # taken at once, before anything opens the databases again.
        cls.full = os.path.join(cls.tmp.name, "full.db")
        cls.full_out = run([NEWSINDEX, "build", "--db", cls.full, "--quiet", corpus_dir()], check_code=0)[1]
        cls.full_bytes = folder_bytes(cls.full)
        cls.plain = os.path.join(cls.tmp.name, "plain.db")
        cls.plain_out = run([NEWSINDEX, "build", "--db", cls.plain, "--quiet", "--no-compact", corpus_dir()],
                            check_code=0)[1]
        cls.plain_bytes = folder_bytes(cls.plain)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="t-", dir=self.tmp.name)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers --

    def build(self, db, roots, *options, code=0):
        """newsindex build; returns its stdout."""
        _, out, _ = run([NEWSINDEX, "build", "--db", db, "--quiet", *options, *roots], check_code=code)
        return out

    def compact(self, db, code=0):
        return run([NEWSINDEX, "compact", "--db", db], check_code=code)

    def copy_corpus(self, only=None):
        """A copy of corpus/ named corpus (so its articles get the ids a build
        of corpus/ gives them), or of the files in `only`."""
        root = os.path.join(self.dir, "corpus")
        if only is None:
            shutil.copytree(corpus_dir(), root)
        else:
            os.mkdir(root)
            for name in only:
                shutil.copy(os.path.join(corpus_dir(), name), root)
        return root

    def copy_db(self, src, dst):
        shutil.copytree(src, dst)
        return dst

    def assertCompactedLine(self, out, db, smaller=True):
        """stdout is the summary line, then `compacted DB: N KiB -> M KiB`
        with M < N (M <= N unless `smaller`: a database of one article
        does not shrink); returns (N, M)."""
        lines = out.splitlines()
        self.assertEqual(len(lines), 2, out)
        self.assertEqual(lines[0], summary_line(out), "the summary line comes first")
        m = COMPACTED.fullmatch(lines[1])
        if m is None and not smaller:
            kept = NOT_COMPACTED.fullmatch(lines[1])
            self.assertIsNotNone(kept, f"second line is not a compaction line: {lines[1]!r}")
            self.assertEqual(kept.group(1), db)
            return int(kept.group(2)), int(kept.group(2))
        self.assertIsNotNone(m, f"second line is not a compacted line: {lines[1]!r}")
        self.assertEqual(m.group(1), db)
        before, after = int(m.group(2)), int(m.group(3))
        self.assertGreater(before, 0)
        if smaller:
            self.assertLess(after, before, lines[1])
        else:
            self.assertLessEqual(after, before, lines[1])
        return before, after

    def assertNotCompacted(self, out):
        self.assertEqual(compacted_lines(out), [], out)
        self.assertEqual(len(out.splitlines()), 1, out)

    def assertNothingRead(self, out, files):
        self.assertEqual(summary_counts(out), (0, 0, 0, 0), out)
        self.assertEqual(FILES_READ.search(summary_line(out)).groups(), ("0", str(files)), out)

    def files_of(self, out):
        read, total = FILES_READ.search(summary_line(out)).groups()
        return int(total)

    def leftovers(self, folder):
        """Compaction folders left in `folder` (a sharded index's folder or
        the folder holding a single database)."""
        return sorted(n for n in os.listdir(folder) if n.endswith((".compact-old", ".compact-tmp")))

    def layout(self, folder):
        """A sharded index as a reader sees it: its entries and stub text."""
        with open(os.path.join(folder, "XAPIANDB")) as f:
            stub = f.read()
        return sorted(os.listdir(folder)), stub

    def shards(self, folder):
        return sorted(n for n in os.listdir(folder) if os.path.isfile(os.path.join(folder, n, "iamglass")))

    def assertFoundSomething(self, a):
        self.assertGreaterEqual(sum(code == 0 for code, _ in a.values()), 4, "the queries should find something")

    # The first file read (files go in path order), dated 2026-03-04: docid 1
    # of its database, or of the 2026 shard.
    CHANGED = "000_dbe4ead79ec420c1.txt"

    def change_article(self, root, name=CHANGED):
        """Appends a sentence to an article file: the next run deletes its
        document and adds it again under a new docid, leaving docid 1 unused."""
        with open(os.path.join(root, name), "a", encoding="utf-8") as f:
            f.write("\nA spokesman declined to comment further on Wednesday.\n")

    def assertDocidGap(self, ids, what):
        """Xapian's compaction, unless told to keep docids, shifts them so
        that they start at 1: "docids kept" shows only where docid 1 is unused."""
        self.assertGreater(min(v["docid"] for v in ids.values()), 1, f"{what}: docid 1 is in use")

    def add_article(self, root, name, date, words=60):
        """Writes a small new article file dated `date` under `root`."""
        text = (f" date {date} Harbour pilots in Valletta ended a one-day walkout on Tuesday "
                "after the port authority agreed to review night shift rosters. "
                + "The pilots union said talks would resume next week. " * (words // 10) + "\n")
        with open(os.path.join(root, name), "w", encoding="utf-8") as f:
            f.write(text)

    # -- a fresh build --

    def test_fresh_build_prints_compacted_line_after_the_unchanged_summary(self):
        before, after = self.assertCompactedLine(self.full_out, self.full)
        # The summary line is the one a --no-compact build prints, and that
        # build prints nothing else.
        self.assertNotCompacted(self.plain_out)
        self.assertEqual(summary_line(self.full_out), summary_line(self.plain_out))
        self.assertGreater(summary_counts(self.full_out)[0], 10)
        # M is the compacted database's size; N that of the database before,
        # i.e. about what the --no-compact build of the same input holds.
        self.assertEqual(after, -(-self.full_bytes // 1024), f"{after} KiB vs {self.full_bytes} bytes on disk")
        plain_kib = self.plain_bytes / 1024
        self.assertLess(abs(before - plain_kib), 0.1 * plain_kib, f"{before} KiB vs {self.plain_bytes} bytes")

    def test_fresh_build_equals_a_no_compact_build(self):
        full, plain = dump(self.full), dump(self.plain)
        self.assertEqual(plain["documents"], summary_counts(self.plain_out)[0])
        self.assertEqual(full["documents"], plain["documents"])
        self.assertEqual(full["duplicate_ids"], [])
        self.assertEqual(sorted(full["ids"]), sorted(plain["ids"]))
        # Same docid, story, date, path and whole-document digest per id.
        diff = [i for i in plain["ids"] if full["ids"][i] != plain["ids"][i]]
        self.assertEqual(diff, [], f"documents differ: {[(full['ids'][i], plain['ids'][i]) for i in diff[:3]]}")
        a = answers(self.plain)
        self.assertFoundSomething(a)
        self.assertEqual(answers(self.full), a)

    def test_fresh_build_is_smaller_than_a_no_compact_build(self):
        self.assertLess(self.full_bytes, self.plain_bytes)
        self.assertEqual(self.leftovers(self.tmp.name), [])
        # The compacted database stays an index newsindex updates: its file
        # states came through, so a re-run reads nothing.
        db = self.copy_db(self.full, os.path.join(self.dir, "full.db"))
        out = self.build(db, [corpus_dir()])
        self.assertNothingRead(out, self.files_of(self.full_out))
        self.assertNotCompacted(out)

    # -- updates --

    def test_rerun_with_nothing_to_do_does_not_compact(self):
        root = self.copy_corpus()
        db = os.path.join(self.dir, "index.db")
        first = self.build(db, [root])
        self.assertCompactedLine(first, db)
        docs = dump(db)
        inode = os.stat(db).st_ino
        out = self.build(db, [root])
        self.assertNothingRead(out, self.files_of(first))
        self.assertNotCompacted(out)
        # Not swapped: the same folder, the same documents.
        self.assertEqual(os.stat(db).st_ino, inode)
        self.assertEqual(dump(db)["ids"], docs["ids"])
        self.assertEqual(self.leftovers(self.dir), [])

    def test_small_update_of_a_larger_index_does_not_compact(self):
        root = self.copy_corpus()
        db = os.path.join(self.dir, "index.db")
        first = self.build(db, [root])
        self.assertCompactedLine(first, db)
        old = dump(db)
        inode = os.stat(db).st_ino
        self.add_article(root, "900_valletta_pilots.txt", "2026-04-14")
        out = self.build(db, [root])
        self.assertEqual(summary_counts(out), (1, 0, 0, 0), out)
        self.assertNotCompacted(out)
        self.assertEqual(os.stat(db).st_ino, inode, "the database folder was swapped")
        new = dump(db)
        self.assertEqual(new["documents"], old["documents"] + 1)
        self.assertEqual({i: new["ids"][i] for i in old["ids"]}, old["ids"])
        out = self.build(db, [root])
        self.assertNothingRead(out, self.files_of(first) + 1)
        self.assertNotCompacted(out)
        self.assertEqual(os.stat(db).st_ino, inode)
        self.assertEqual(self.leftovers(self.dir), [])

    def test_update_that_doubles_a_database_compacts_it(self):
        first_files = ["000_dbe4ead79ec420c1.txt", "001_d377f9111801e515.txt", "002_d100f074147ca4fc.txt"]
        root = self.copy_corpus(only=first_files)
        db = os.path.join(self.dir, "index.db")
        self.build(db, [root])
        small = dump(db)
        self.assertEqual(small["documents"], 3)
        inode = os.stat(db).st_ino
        for name in os.listdir(corpus_dir()):
            if name not in first_files:
                shutil.copy(os.path.join(corpus_dir(), name), root)
        # Also one article changed: re-added under a new docid in this run.
        self.change_article(root)
        out = self.build(db, [root])
        indexed, updated, removed, skipped = summary_counts(out)
        self.assertEqual((updated, removed, skipped), (1, 0, 0), out)
        self.assertGreaterEqual(indexed, 6, out)
        self.assertCompactedLine(out, db)
        self.assertNotEqual(os.stat(db).st_ino, inode, "compacted, yet the same folder")
        self.assertEqual(self.leftovers(self.dir), [])
        grown = dump(db)
        plain_db = os.path.join(self.dir, "plain.db")
        self.build(plain_db, [root], "--no-compact")
        plain = dump(plain_db)
        # Docids kept through the compaction; the index holds what a build of
        # the same files in one run holds (content compared without the story,
        # which depends on what the index held when an article was added).
        unchanged = [i for i, v in small["ids"].items() if os.path.basename(v["path"]) != self.CHANGED]
        self.assertEqual(len(unchanged), 2)
        self.assertEqual({i: grown["ids"][i]["docid"] for i in unchanged},
                         {i: small["ids"][i]["docid"] for i in unchanged}, "docids renumbered")
        self.assertDocidGap(grown["ids"], "after the update")
        self.assertEqual(sorted(grown["ids"]), sorted(plain["ids"]))
        diff = [i for i in plain["ids"] if grown["ids"][i]["content"] != plain["ids"][i]["content"]]
        self.assertEqual(diff, [])

    def test_sharded_update_compacts_only_the_shards_it_doubled(self):
        root = self.copy_corpus()
        db = os.path.join(self.dir, "year")
        first = self.build(db, [root], "--shard-by", "year")
        self.assertCompactedLine(first, db)
        shards = self.shards(db)
        self.assertIn("2026", shards)
        inodes = {n: os.stat(os.path.join(db, n)).st_ino for n in shards}
        # A 2024 article: a new shard, doubled from nothing, is compacted;
        # the others keep their folders.
        self.add_article(root, "900_valletta_pilots.txt", "2024-04-14")
        out = self.build(db, [root], "--shard-by", "year")
        self.assertEqual(summary_counts(out), (1, 0, 0, 0), out)
        self.assertCompactedLine(out, db, smaller=False)
        self.assertEqual(self.shards(db), sorted(shards + ["2024"]))
        self.assertEqual({n: os.stat(os.path.join(db, n)).st_ino for n in shards}, inodes)
        self.assertIn("auto 2024\n", self.layout(db)[1])
        # One more 2026 article: nothing doubled, nothing compacted.
        inodes = {n: os.stat(os.path.join(db, n)).st_ino for n in self.shards(db)}
        self.add_article(root, "901_valletta_pilots.txt", "2026-04-15")
        out = self.build(db, [root], "--shard-by", "year")
        self.assertEqual(summary_counts(out), (1, 0, 0, 0), out)
        self.assertNotCompacted(out)
        self.assertEqual({n: os.stat(os.path.join(db, n)).st_ino for n in self.shards(db)}, inodes)
        self.assertEqual(self.leftovers(db), [])
        self.assertEqual(stats(db)["documents"], summary_counts(first)[0] + 2)

    # -- a swap interrupted between its two renames, put right by a re-run --

    def interrupted_single(self, db_state, pending_copy=False):
        """A --no-compact build of corpus/ as it is when a compaction is
        killed between its renames: DB moved to DB.compact-old, and DB
        missing (db_state "missing") or a folder without iamglass
        ("incomplete"); with `pending_copy` also the finished
        DB.compact-tmp. Returns (db, dump before, files)."""
        db = os.path.join(self.dir, "index.db")
        out = self.build(db, [corpus_dir()], "--no-compact")
        before = dump(db)
        os.rename(db, db + ".compact-old")
        if db_state == "incomplete":
            os.mkdir(db)
            shutil.copy(os.path.join(db + ".compact-old", "postlist.glass"), db)
        if pending_copy:
            self.copy_db(self.full, db + ".compact-tmp")
        return db, before, self.files_of(out)

    def assertRecoveredByRerun(self, db, before, files, *options):
        out = self.build(db, [corpus_dir()], *options)
        self.assertNothingRead(out, files)
        self.assertNotCompacted(out)
        self.assertFalse(os.path.exists(db + ".compact-old"), "DB.compact-old is still there")
        after = dump(db)
        self.assertEqual(after["documents"], before["documents"])
        self.assertEqual(after["ids"], before["ids"])
        self.assertFoundSomething(answers(db))

    def test_rerun_restores_database_moved_aside_when_killed_between_renames(self):
        db, before, files = self.interrupted_single("missing")
        self.assertRecoveredByRerun(db, before, files)

    def test_rerun_restores_database_when_db_folder_is_incomplete(self):
        db, before, files = self.interrupted_single("incomplete")
        self.assertRecoveredByRerun(db, before, files)

    def test_rerun_restores_database_with_compacted_copy_pending(self):
        db, before, files = self.interrupted_single("missing", pending_copy=True)
        self.assertRecoveredByRerun(db, before, files)

    def test_rerun_removes_leftover_old_next_to_complete_database(self):
        # Killed after the swap, before the clean-up: DB is the compacted
        # database. The leftover here is another, smaller database, so that
        # keeping the wrong one shows.
        db = self.copy_db(self.full, os.path.join(self.dir, "index.db"))
        before = dump(db)
        self.build(db + ".compact-old", [os.path.join(corpus_dir(), "004_storm_iberia.txt")], "--no-compact")
        self.assertRecoveredByRerun(db, before, self.files_of(self.full_out))

    def sharded(self, *options, root=None):
        """A --shard-by year build of corpus/ (or `root`); returns (folder, files)."""
        db = os.path.join(self.dir, "year")
        out = self.build(db, [root or corpus_dir()], "--shard-by", "year", *options)
        self.assertEqual(self.leftovers(db), [])
        return db, self.files_of(out)

    def test_rerun_restores_shard_moved_aside_when_killed_between_renames(self):
        db, files = self.sharded()
        layout, before = self.layout(db), dump_shards(db)
        os.rename(os.path.join(db, "2026"), os.path.join(db, "2026.compact-old"))
        out = self.build(db, [corpus_dir()], "--shard-by", "year")
        self.assertNothingRead(out, files)
        self.assertEqual(self.layout(db), layout)
        self.assertEqual(dump_shards(db), before)

    def test_rerun_removes_leftover_old_next_to_complete_shard(self):
        db, files = self.sharded()
        layout, before = self.layout(db), dump_shards(db)
        self.copy_db(os.path.join(db, "2025"), os.path.join(db, "2026.compact-old"))
        out = self.build(db, [corpus_dir()], "--shard-by", "year")
        self.assertNothingRead(out, files)
        self.assertEqual(self.layout(db), layout)
        self.assertEqual(dump_shards(db), before)

    def test_rerun_restores_shard_with_compacted_copy_pending(self):
        db, files = self.sharded()
        layout, before = self.layout(db), dump_shards(db)
        documents = stats(db)["documents"]
        shard = os.path.join(db, "2026")
        self.copy_db(shard, shard + ".compact-tmp")
        os.rename(shard, shard + ".compact-old")
        out = self.build(db, [corpus_dir()], "--shard-by", "year")
        self.assertNothingRead(out, files)
        self.assertEqual(self.layout(db)[1], layout[1], "XAPIANDB lists other shards")
        self.assertEqual(stats(db)["documents"], documents)
        self.assertEqual(dump_shards(db), before)

    # -- newsindex compact --

    def test_compact_sharded_index_keeps_layout_and_answers(self):
        root = self.copy_corpus()
        db, files = self.sharded("--no-compact", root=root)
        self.change_article(root)
        out = self.build(db, [root], "--shard-by", "year", "--no-compact")
        self.assertEqual(summary_counts(out), (0, 1, 0, 0), out)
        self.assertNotCompacted(out)
        layout = self.layout(db)
        shards = self.shards(db)
        self.assertGreaterEqual(len(shards), 3, shards)  # 2025, 2026, undated
        sizes = {n: folder_bytes(os.path.join(db, n)) for n in shards}
        dumps = dump_shards(db)
        self.assertDocidGap(dumps["2026"], "2026 shard")
        documents = stats(db)["documents"]
        stub = os.path.join(db, "XAPIANDB")
        a, a_stub = answers(db), answers(stub)
        self.assertFoundSomething(a)
        with open(os.path.join(db, "files.state"), "rb") as f:
            states = f.read()

        code, out, err = self.compact(db)
        m = COMPACTED.fullmatch(out.strip())
        self.assertIsNotNone(m, out)
        self.assertEqual(m.group(1), db)
        self.assertLess(int(m.group(3)), int(m.group(2)), out)

        # The same folder layout (no merged database, no leftovers), each
        # shard no bigger, holding the same documents under the same docids.
        self.assertEqual(self.layout(db), layout)
        self.assertFalse(os.path.exists(os.path.join(db, "iamglass")), "the shards were merged into one database")
        for n in shards:
            self.assertLessEqual(folder_bytes(os.path.join(db, n)), sizes[n], n)
        self.assertEqual(dump_shards(db), dumps)
        self.assertEqual(stats(db)["documents"], documents)
        self.assertLess(sum(folder_bytes(os.path.join(db, n)) for n in shards), sum(sizes.values()))
        self.assertEqual(answers(db), a)
        self.assertEqual(answers(stub), a_stub)
        with open(os.path.join(db, "files.state"), "rb") as f:
            self.assertEqual(f.read(), states)
        # Still the sharded index newsindex updates.
        out = self.build(db, [root], "--shard-by", "year")
        self.assertNothingRead(out, files)

    def test_compact_after_normal_build_and_rerun_still_works(self):
        db, files = self.sharded()
        out = self.build(db, [corpus_dir()], "--shard-by", "year")
        self.assertNothingRead(out, files)
        self.assertNotCompacted(out)
        layout, whole, a = self.layout(db), dump_shards(db), answers(db)
        for attempt in (1, 2):
            code, out, err = self.compact(db)
            # (The second finds nothing to gain and keeps the databases.)
            self.assertRegex(out.strip(), COMPACTED if attempt == 1 else NOT_COMPACTED, f"compact #{attempt}")
            self.assertEqual(self.layout(db), layout, f"compact #{attempt}")
            self.assertEqual(dump_shards(db), whole, f"compact #{attempt}")
            self.assertEqual(answers(db), a, f"compact #{attempt}")

    def test_compact_single_database(self):
        root = self.copy_corpus()
        db = os.path.join(self.dir, "index.db")
        self.build(db, [root], "--no-compact")
        self.change_article(root)
        self.build(db, [root], "--no-compact")
        before, size, a = dump(db), folder_bytes(db), answers(db)
        self.assertDocidGap(before["ids"], "before compact")
        code, out, err = self.compact(db)
        m = COMPACTED.fullmatch(out.strip())
        self.assertIsNotNone(m, out)
        self.assertEqual(m.group(1), db)
        self.assertLess(folder_bytes(db), size)
        self.assertEqual(dump(db)["ids"], before["ids"])
        self.assertEqual(answers(db), a)
        self.assertEqual(self.leftovers(self.dir), [])
        out = self.build(db, [root])
        self.assertEqual(summary_counts(out), (0, 0, 0, 0), out)

    def test_compact_removes_leftover_old_next_to_complete_database(self):
        db = self.copy_db(self.full, os.path.join(self.dir, "index.db"))
        before = dump(db)
        self.build(db + ".compact-old", [os.path.join(corpus_dir(), "004_storm_iberia.txt")], "--no-compact")
        self.compact(db)
        self.assertEqual(self.leftovers(self.dir), [])
        self.assertEqual(dump(db)["ids"], before["ids"])

    def test_compact_restores_database_moved_aside_when_killed_between_renames(self):
        db, before, files = self.interrupted_single("missing")
        self.compact(db)
        self.assertFalse(os.path.exists(db + ".compact-old"))
        self.assertEqual(dump(db)["ids"], before["ids"])

    def test_compact_restores_shard_moved_aside_when_killed_between_renames(self):
        db, files = self.sharded()
        layout, before = self.layout(db), dump_shards(db)
        os.rename(os.path.join(db, "2026"), os.path.join(db, "2026.compact-old"))
        self.compact(db)
        self.assertEqual(self.layout(db), layout)
        self.assertEqual(dump_shards(db), before)

    def test_compact_removes_leftover_old_next_to_complete_shard(self):
        db, files = self.sharded()
        layout, before = self.layout(db), dump_shards(db)
        self.copy_db(os.path.join(db, "2025"), os.path.join(db, "2026.compact-old"))
        self.compact(db)
        self.assertEqual(self.layout(db), layout)
        self.assertEqual(dump_shards(db), before)

    def test_compact_refuses_while_an_indexing_run_writes(self):
        root = self.copy_corpus()
        db = os.path.join(self.dir, "year")
        first = self.build(db, [root], "--shard-by", "year")
        layout, whole = self.layout(db), dump_shards(db)
        documents = stats(db)["documents"]
        # 1,000 more articles of February 2026 in files of their own, so the
        # update is still running when it first reports progress.
        more = os.path.join(self.dir, "more")
        os.mkdir(more)
        words = []
        for name in sorted(os.listdir(root)):
            if name.endswith(".txt"):
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    words += f.read().split()
        rng = random.Random(7)
        for i in range(1000):
            with open(os.path.join(more, f"m{i:04d}.txt"), "w", encoding="utf-8") as f:
                f.write(f" date 2026-02-{i % 28 + 1:02d} " + " ".join(rng.choice(words) for _ in range(200)) + "\n")
        r = IndexerRun([NEWSINDEX, "build", "--db", db, "--shard-by", "year", root, more])
        try:
            self.assertTrue(r.wait_for_articles(1), "the update ended before reporting progress")
            # Frozen while it holds the write lock of every shard.
            os.kill(r.proc.pid, signal.SIGSTOP)
            self.assertTrue(r.running(), "the update ended before it could be stopped")
            code, out, err = self.compact(db, code=2)
            self.assertIn("an indexing run is writing to it", err)
            self.assertNotIn("compacted", out)
            self.assertEqual(self.layout(db), layout)
            os.kill(r.proc.pid, signal.SIGCONT)
            code, out, err = r.finish()
        finally:
            if r.running():
                r.kill()
        self.assertEqual(code, 0, err[-2000:])
        self.assertEqual(summary_counts(out), (1000, 0, 0, 0), out)
        # The update more than doubled 2026: compacted at its end.
        self.assertCompactedLine(out, db)
        self.assertEqual(self.layout(db), layout)
        self.assertEqual(stats(db)["documents"], documents + 1000)
        # The shards the update left alone are unchanged, docids included.
        done = dump_shards(db)
        self.assertEqual({n: ids for n, ids in done.items() if n != "2026"},
                         {n: ids for n, ids in whole.items() if n != "2026"})
        code, out, err = self.compact(db)
        self.assertRegex(out.strip(), COMPACTED)
        self.assertEqual(stats(db)["documents"], documents + 1000)

    def test_second_run_leaves_what_a_running_one_writes_alone(self):
        """A run holds DB.lock from before it puts anything right beside the
        database: a second build or compaction started meanwhile refuses
        without touching the first one's compaction copy in the making."""
        db = self.copy_db(self.full, os.path.join(self.dir, "index.db"))
        before = contents(db)
        # What a running build or compaction holds, as that run would.
        with open(db + ".lock", "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            copy = db + ".compact-tmp"
            os.mkdir(copy)
            with open(os.path.join(copy, "being-written"), "w") as f:
                f.write("x")
            for args in (["build", "--db", db, "--quiet", corpus_dir()], ["compact", "--db", db],
                         ["build", "--db", db + "/", "--quiet", corpus_dir()]):
                code, out, err = run([NEWSINDEX, *args])
                self.assertEqual(code, 2, f"{args}: {out}{err}")
                self.assertIn("an indexing run is writing to it", err, args)
                self.assertTrue(os.path.exists(os.path.join(copy, "being-written")), f"{args} removed the copy")
        # Released: the next run clears the copy the "killed" run left.
        self.assertEqual(summary_counts(self.build(db, [corpus_dir()])), (0, 0, 0, 0))
        self.assertFalse(os.path.exists(copy))
        self.assertEqual(contents(db), before)

    def test_db_in_folders_that_do_not_exist_yet(self):
        """--db a/b/index.db creates a/b, for a single database as for a
        sharded one (their lock file DB.lock goes beside the database)."""
        for options in ((), ("--shard-by", "month")):
            db = os.path.join(self.dir, "new-" + "-".join(options).strip("-"), "a", "b", "index.db")
            self.assertEqual(summary_counts(self.build(db, [corpus_dir()], *options))[0],
                             summary_counts(self.full_out)[0], options)
            self.assertTrue(os.path.exists(db + ".lock"), options)

    def test_db_path_with_a_trailing_slash(self):
        """`--db DIR/` (as shells complete it) names DIR: the compaction copy
        and the swap are beside DIR, not inside it."""
        db = os.path.join(self.dir, "index.db")
        out = self.build(db + "/", [corpus_dir()])
        self.assertCompactedLine(out, db + "/")
        self.assertEqual(sorted(os.listdir(self.dir)), ["index.db", "index.db.lock"])
        self.assertEqual(contents(db), contents(self.full))
        code, out, err = self.compact(db + "/")
        # (Compacted at the build's end already: this one may find nothing to gain.)
        self.assertRegex(out.strip(), f"{COMPACTED.pattern}|{NOT_COMPACTED.pattern}")
        self.assertEqual(sorted(os.listdir(self.dir)), ["index.db", "index.db.lock"])
        self.assertEqual(contents(db), contents(self.full))


def main():
    global NEWSINDEX, NEWSSEARCH, DUMP, SOURCE, SANITIZED
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--newsindex")
    ap.add_argument("--newssearch")
    ap.add_argument("--dump")
    ap.add_argument("--sanitized", action="store_true", help="the programs are a sanitizer build")
    ap.add_argument("--source", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..")))
    ap.add_argument("--list", action="store_true", help="print the test ids and exit")
    opts, rest = ap.parse_known_args()
    if opts.list:
        print("\n".join(ctest_unittest.test_ids(__name__)))
        return 0
    if not (opts.newsindex and opts.newssearch and opts.dump):
        ap.error("--newsindex, --newssearch and --dump are required")
    NEWSINDEX, NEWSSEARCH, DUMP = opts.newsindex, opts.newssearch, opts.dump
    SOURCE = os.path.abspath(opts.source)
    SANITIZED = opts.sanitized
    return ctest_unittest.run(rest)


if __name__ == "__main__":
    sys.exit(main())
