#!/usr/bin/env python3
"""newssearch.cgi under FastCGI, behind a real lighttpd on a free loopback
port, configured by tools/lighttpd-conf.sh exactly as tools/run does: the
long-lived processes answer like the CGI, see new commits of the index, keep
the index path away from requests, and come back when one is killed.

    fastcgi_test.py --newsindex BIN --cgi BIN --source DIR [test ...]
"""
import argparse
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
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import ctest_unittest  # noqa: E402  (tests/ctest_unittest.py)

NEWSINDEX = CGI = SOURCE = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(ready, what, timeout=30):
    end = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


class FastCgi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not shutil.which("lighttpd"):
            raise unittest.SkipTest("lighttpd is not installed (apt-get install lighttpd)")
        cls.tmp = tempfile.TemporaryDirectory(prefix="newssearch-fcgi-")
        cls.corpus = os.path.join(cls.tmp.name, "corpus")
        shutil.copytree(os.path.join(SOURCE, "corpus"), cls.corpus)
        cls.db = os.path.join(cls.tmp.name, "news.db")
        cls.index()
        cls.port = free_port()
        conf = os.path.join(cls.tmp.name, "lighttpd.conf")
        subprocess.run(["bash", "-c", f'. "{SOURCE}/tools/lighttpd-conf.sh" && write_lighttpd_conf "$@"', "conf",
                        conf, str(cls.port), CGI, os.path.join(SOURCE, "searcher", "web"), cls.db, cls.tmp.name,
                        "", "fastcgi"], check=True)
        cls.server = subprocess.Popen(["lighttpd", "-D", "-f", conf], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)

        def up():
            if cls.server.poll() is not None:
                raise AssertionError(f"lighttpd exited {cls.server.returncode}")
            try:
                return cls.get("/static/style.css")[0] == 200
            except OSError:
                return False
        wait_until(up, "lighttpd")

    @classmethod
    def tearDownClass(cls):
        cls.server.terminate()
        cls.server.wait(timeout=30)
        cls.tmp.cleanup()

    @classmethod
    def index(cls):
        p = subprocess.run([NEWSINDEX, "build", "--db", cls.db, "--quiet", cls.corpus], capture_output=True, text=True)
        if p.returncode not in (0, 1):
            raise AssertionError(p.stderr)

    @classmethod
    def get(cls, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{cls.port}{path}", timeout=30) as r:
                return r.status, dict(r.headers), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode()

    def search(self, **params):
        status, headers, body = self.get("/search?" + urllib.parse.urlencode(params))
        return status, headers, body

    def cgi_processes(self):
        out = subprocess.run(["pgrep", "-f", "-x", CGI], capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]

    def test_answers_as_the_cgi_does(self):
        status, headers, body = self.search(q="strike", format="json")
        self.assertEqual(status, 200, body)
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        self.assertIn("script-src 'self'", headers["Content-Security-Policy"])
        page = json.loads(body)
        self.assertTrue(page["results"])
        self.assertTrue(page["total"]["exact"])
        # The same answer as one CGI process run from a shell.
        env = dict(os.environ, QUERY_STRING="q=strike&format=json", NEWS_DB=self.db, REQUEST_METHOD="GET")
        cgi = subprocess.run([CGI], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True).stdout
        want = json.loads(cgi.split("\n\n", 1)[1])  # (text mode reads \r\n as \n)
        for k in ("seconds",):
            want.pop(k), page.pop(k)
        self.assertEqual(page, want)
        status, _, body = self.search(q="strike")
        self.assertEqual(status, 200)
        self.assertIn("<mark>", body)

    def test_article_pages_as_the_cgi_serves_them_and_404_for_unknown_ids(self):
        first = json.loads(self.search(q="strike", format="json")[2])["results"][0]
        status, _, body = self.search(q="strike", id=first["id"], format="json")
        self.assertEqual(status, 200, body)
        article = json.loads(body)
        self.assertEqual(article["id"], first["id"])
        self.assertTrue(article["paragraphs"])
        env = dict(os.environ, QUERY_STRING=urllib.parse.urlencode({"q": "strike", "id": first["id"], "format": "json"}),
                   NEWS_DB=self.db, REQUEST_METHOD="GET")
        cgi = subprocess.run([CGI], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True).stdout
        self.assertEqual(article, json.loads(cgi.split("\n\n", 1)[1]))
        status, _, body = self.search(q="strike", id=first["id"])
        self.assertEqual(status, 200)
        self.assertIn('<h1 id="article-title">', body)
        status, _, body = self.search(id="no/such/../article")
        self.assertEqual(status, 404)
        self.assertIn("no article with id no/such/../article in this index", body)
        self.assertEqual(self.search(q="strike")[0], 200)  # and the process serves on

    def test_help_from_a_shell_prints_usage_not_a_page(self):
        env = {k: v for k, v in os.environ.items() if k not in ("NEWS_DB", "QUERY_STRING")}
        for flag in ("--help", "-h"):
            p = subprocess.run([CGI, flag], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("NEWS_DB", p.stdout)
            self.assertIn("QUERY_STRING='q=iran", p.stdout)
            self.assertNotIn("Status:", p.stdout)

    def test_bad_requests_get_readable_errors_and_the_process_serves_on(self):
        status, _, body = self.search(q="<script>alert(1)</script>")
        self.assertEqual(status, 200)
        self.assertNotIn("<script>alert(1)", body)
        status, _, body = self.get("/search?q=a%00b")
        self.assertEqual(status, 400, body)
        status, _, body = self.search(q="(" * 500 + "oil")
        self.assertIn(status, (200, 400), body)
        status, _, body = self.search(q="strike", page="999999")
        self.assertIn(status, (200, 400), body)
        self.assertEqual(self.search(q="strike")[0], 200)

    def test_the_index_path_never_comes_from_a_request(self):
        status, _, body = self.get("/search?q=root&db=/etc&NEWS_DB=/etc&DB=/etc")
        self.assertEqual(status, 200)
        self.assertNotIn("root:x:0", body)
        # A header becomes HTTP_NEWS_DB, never NEWS_DB.
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/search?q=strike&format=json",
                                     headers={"NEWS_DB": "/etc", "News-Db": "/etc"})
        with urllib.request.urlopen(req, timeout=30) as r:
            self.assertTrue(json.loads(r.read())["results"])

    def test_a_running_process_sees_articles_indexed_after_it_started(self):
        before = json.loads(self.search(q="zanzibar", format="json")[2])
        self.assertEqual(before["results"], [])
        pids = self.cgi_processes()
        self.assertTrue(pids, "no newssearch.cgi process is running")
        with open(os.path.join(self.corpus, "zanzibar.jsonl"), "w") as f:
            f.write(json.dumps({"id": "zz1", "date": "2026-03-01", "title": "Zanzibar ferry",
                                "body": "The ferry to Zanzibar was delayed by the storm."}) + "\n")
        self.index()
        after = json.loads(self.search(q="zanzibar", format="json")[2])
        self.assertEqual([r["id"] for r in after["results"]], ["zz1"])
        # Served by the processes that were already running, not new ones.
        self.assertEqual(sorted(self.cgi_processes()), sorted(pids))

    def test_a_killed_process_is_replaced(self):
        pids = self.cgi_processes()
        self.assertTrue(pids)
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        wait_until(lambda: not set(pids) & set(self.cgi_processes()), "the killed processes to go")
        codes = [self.search(q="strike")[0] for _ in range(6)]
        # lighttpd may answer the request that finds a backend gone with 503;
        # after that the respawned processes serve.
        self.assertEqual(codes[-3:], [200, 200, 200], codes)
        self.assertTrue(set(self.cgi_processes()) - set(pids))


def main():
    global NEWSINDEX, CGI, SOURCE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--newsindex")
    ap.add_argument("--cgi")
    ap.add_argument("--source", default=os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..")))
    ap.add_argument("--list", action="store_true", help="print the test ids and exit")
    opts, rest = ap.parse_known_args()
    if opts.list:
        print("\n".join(ctest_unittest.test_ids(__name__)))
        return 0
    if not opts.newsindex or not opts.cgi:
        ap.error("--newsindex and --cgi are required")
    NEWSINDEX, CGI, SOURCE = opts.newsindex, os.path.abspath(opts.cgi), os.path.abspath(opts.source)
    return ctest_unittest.run(rest)


if __name__ == "__main__":
    sys.exit(main())
