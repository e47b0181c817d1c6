#!/usr/bin/env python3
"""End-to-end tests of `newssearch watch`: saved searches that report the
stories new since they last ran, not new copies of stories already known.

Each test indexes a few articles, adds watches, indexes more (new stories
and reprints of old ones) and checks what `watch run` reports as text, JSON
and an Atom feed (checked against RFC 4287's required elements with an XML
parser). Standard library only.

    watch_test.py --newsindex BIN --newssearch BIN [unittest args]
    watch_test.py --list          (one test id per line, for ctest)
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)

NEWSINDEX = NEWSSEARCH = None
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

OLD = {
    "id": "old-1", "date": "2026-03-02", "source": "Reuters", "title": "Dockworkers strike at Rotterdam port",
    "body": ("Dockworkers at the port of Rotterdam walked off the job on Monday in protest at plans to automate "
             "two more container terminals, leaving more than forty vessels waiting at anchor in the North Sea. "
             "The union said about three thousand of its members had joined the stoppage, the first full strike "
             "at the terminals since 2019, and that talks with the operators had broken down over job guarantees."),
}
OTHER = {
    "id": "old-2", "date": "2026-03-02", "source": "AP", "title": "Cocoa prices rise",
    "body": "Cocoa prices rose in London on Monday as dry weather in West Africa cut the outlook for the harvest.",
}
NEW = {
    "id": "new-1", "date": "2026-03-05", "source": "AP", "title": "Rotterdam strike ends after deal on jobs",
    "body": ("The strike at the port of Rotterdam ended on Thursday after the union and the terminal operators "
             "agreed that no dockworker would lose a job to automation before 2030, officials said. Ships began "
             "to berth again within hours, and the backlog of vessels in the North Sea is expected to clear."),
}


def reprint(article, new_id, source):
    return dict(article, id=new_id, source=source)


def run(args, code=0):
    p = subprocess.run(args, capture_output=True, timeout=300)
    if code is not None and p.returncode != code:
        raise AssertionError(f"{args} exited {p.returncode}, expected {code}\nstdout:\n{p.stdout.decode()}\n"
                             f"stderr:\n{p.stderr.decode()}")
    return p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


class Watch(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="watch-test-")
        self.corpus = os.path.join(self.tmp, "corpus")
        os.makedirs(self.corpus)
        self.db = os.path.join(self.tmp, "db")
        self.files = 0
        self.index(OLD, OTHER)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def index(self, *articles):
        """A new file of these articles, then `newsindex build` (which reads only new files)."""
        self.files += 1
        with open(os.path.join(self.corpus, f"batch{self.files}.jsonl"), "w", encoding="utf-8") as f:
            for a in articles:
                f.write(json.dumps(a) + "\n")
        run([NEWSINDEX, "build", "--db", self.db, "--quiet", self.corpus])

    def watch(self, *args, code=0):
        return run([NEWSSEARCH, "--db", self.db, "watch", *args], code=code)

    def run_json(self, name, code=0):
        out, _ = self.watch("run", name, "--json", code=code)
        return json.loads(out)

    def test_a_new_watch_has_seen_everything_indexed_so_far(self):
        self.watch("add", "port", "rotterdam")
        report = self.run_json("port", code=1)
        self.assertEqual(report["stories"], [])
        self.assertEqual(report["watch"], "port")
        self.assertEqual(report["query"], "rotterdam")

    def test_a_new_story_is_reported_once_and_a_reprint_of_an_old_one_never(self):
        self.watch("add", "port", "rotterdam")
        self.index(NEW, reprint(OLD, "old-1-copy", "Gazette"))
        # The reprint folded into the old story (else this test proves nothing).
        out, _ = run([NEWSSEARCH, "--db", self.db, "--json", "rotterdam", "strike", "automate"])
        old = [r for r in json.loads(out)["results"] if r["id"] in ("old-1", "old-1-copy")]
        self.assertEqual(len(old), 1)
        self.assertEqual(len(old[0]["duplicates"]), 1)

        report = self.run_json("port")
        self.assertEqual([s["id"] for s in report["stories"]], ["new-1"])
        self.assertEqual(report["stories"][0]["title"], NEW["title"])
        self.assertEqual(self.run_json("port", code=1)["stories"], [])

    def test_a_new_story_with_its_copies_counts_them_once(self):
        self.watch("add", "port", "rotterdam")
        self.index(NEW, reprint(NEW, "new-1-copy", "Gazette"))
        stories = self.run_json("port")["stories"]
        self.assertEqual(len(stories), 1)
        self.assertEqual(stories[0]["story"], "new-1")
        self.assertEqual(stories[0]["copies"], 2)

    def test_each_watch_keeps_its_own_place(self):
        self.watch("add", "port", "rotterdam")
        self.watch("add", "cocoa", "cocoa")
        self.index(NEW)
        self.assertEqual(len(self.run_json("port")["stories"]), 1)
        self.index(dict(OTHER, id="cocoa-2", title="Cocoa falls", date="2026-03-06",
                        body="Cocoa prices fell in New York on Friday as rain returned to the growing regions."))
        out, _ = self.watch("run", "--json")
        reports = {r["watch"]: r for r in map(json.loads, out.splitlines())}
        self.assertEqual([s["id"] for s in reports["cocoa"]["stories"]], ["cocoa-2"])
        self.assertEqual(reports["port"]["stories"], [])
        text, _ = self.watch("run", code=1)
        self.assertIn("port: 0 new stories since", text)

    def test_atom_feed_is_valid_rfc_4287(self):
        self.watch("add", "port", "rotterdam")
        self.index(dict(NEW, title='Deal <ends> "strike" & more', url="https://example.org/a?x=1&y=2"))
        self.watch("run", "port")
        out, _ = self.watch("run", "port", "--atom", code=1)
        feed = ET.fromstring(out.encode("utf-8"))
        self.assertEqual(feed.tag, ATOM + "feed")
        for el in ("id", "title", "updated"):
            self.assertEqual(len(feed.findall(ATOM + el)), 1, el)
        self.assertTrue(feed.find(ATOM + "author/" + ATOM + "name").text)
        self.assertRegex(feed.find(ATOM + "updated").text, RFC3339)
        entries = feed.findall(ATOM + "entry")
        self.assertEqual(len(entries), 1)  # the feed keeps what earlier runs found
        e = entries[0]
        for el in ("id", "title", "updated"):
            self.assertEqual(len(e.findall(ATOM + el)), 1, el)
        self.assertRegex(e.find(ATOM + "updated").text, RFC3339)
        self.assertTrue(e.find(ATOM + "id").text.startswith("urn:uuid:"))
        self.assertEqual(e.find(ATOM + "title").text, 'Deal <ends> "strike" & more')
        self.assertEqual(e.find(ATOM + "link").get("href"), "https://example.org/a?x=1&y=2")
        self.assertNotEqual(e.find(ATOM + "id").text, feed.find(ATOM + "id").text)

    def test_list_remove_and_bad_names(self):
        self.watch("add", "port", "rotterdam")
        self.watch("add", "port", "cocoa", code=2)
        _, err = self.watch("add", "../etc", "x", code=2)
        self.assertIn("watch name", err)
        self.watch("add", "bad", '"unclosed AND (', code=None)
        listed = json.loads(self.watch("list", "--json")[0])
        self.assertEqual([w["name"] for w in listed][:1], ["port"])
        self.assertIsNone(listed[0]["last_run"])
        self.watch("remove", "port")
        self.watch("remove", "port", code=1)
        self.assertNotIn("port", [w["name"] for w in json.loads(self.watch("list", "--json")[0])])

    def test_the_watch_file_is_replaced_whole_and_a_broken_one_is_not_overwritten(self):
        self.watch("add", "port", "rotterdam")
        path = self.db + ".watches"
        with open(path, encoding="utf-8") as f:
            self.assertEqual(json.load(f)["watches"][0]["name"], "port")
        self.assertEqual([n for n in os.listdir(self.tmp) if ".tmp" in n], [])
        with open(path, "w") as f:
            f.write('{"version": 1, "watches": [')  # as a crash of another program might leave it
        _, err = self.watch("run", code=2)
        self.assertIn("not a watch file", err)
        with open(path, encoding="utf-8") as f:
            self.assertEqual(f.read(), '{"version": 1, "watches": [')


if __name__ == "__main__":
    sys.exit(ctest_unittest.main_with_programs(__doc__))
