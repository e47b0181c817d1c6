#!/usr/bin/env python3
"""Robustness tests of the indexing pipeline with real processes.

Determinism: the index built with --threads 1, 2 and 3 from the same input is
the same (documents, ids, docids, story ids, whole-document digests, search
results). Crash safety: newsindex killed with SIGKILL at moments chosen by
watching its --progress output (never by sleeping) leaves a database that
opens and searches; re-running the same command completes it with every
article exactly once, and a further re-run indexes nothing -- also when the
kill falls inside one long JSON-lines file, after commits of part of it.
Searching while the indexer commits never fails.

The large input is Reuters-21578 from ../shared/data (converted to one text
file per article with ../shared/acceptance/lib/reuters_to_txt.py); tests that
need it are skipped with a message when it is absent. Standard library only.

    robust_test.py --newsindex BIN --newssearch BIN --dump BIN --source DIR [unittest args]
    robust_test.py --list          (one test id per line, for ctest)
"""


import argparse
import json
import os
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

    def __init__(self, args):
        # args is [newsindex, "build", ...]: --progress goes before the roots.
        self.args = args[:2] + ["--progress"] + args[2:]
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.err = b""
        self.articles = 0

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
        return True

    def wait_for_articles(self, n, timeout=RUN_TIMEOUT):
        """Blocks until the run reports at least `n` articles written; returns
        True then, False when the run ended first."""
        deadline = time.monotonic() + timeout
        while self.articles < n:
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"newsindex reported {self.articles} articles in {timeout} s, waited for {n}")
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
    """One input, indexed with 1, 2 and 3 worker threads: the same index."""

    THREADS = (1, 2, 3)

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


def main():
    global NEWSINDEX, NEWSSEARCH, DUMP, SOURCE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--newsindex")
    ap.add_argument("--newssearch")
    ap.add_argument("--dump")
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
    return ctest_unittest.run(rest)


if __name__ == "__main__":
    sys.exit(main())
