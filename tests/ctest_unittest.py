"""Shared by the Python test suites (tests/e2e, tests/robust, tests/shards):
lists their test ids for CMake, and runs them with the exit codes ctest
reads: 0 passed, 1 failed, 77 every test skipped (SKIP_RETURN_CODE)."""
import sys
import unittest


def test_ids(module_name):
    """'Class.method' for every test of the module, in load order."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[module_name])
    ids = []

    def walk(s):
        for t in s:
            if isinstance(t, unittest.TestSuite):
                walk(t)
            else:
                ids.append(t.id().split(".", 1)[1])
    walk(suite)
    return ids


def run(args):
    """Runs the __main__ module's tests named in `args` (all when empty)."""
    prog = unittest.main(module="__main__", argv=[sys.argv[0], "-v", *args], exit=False)
    r = prog.result
    if not r.wasSuccessful():
        return 1
    # Every test skipped: tell ctest rather than pass silently.
    if r.testsRun and len(r.skipped) == r.testsRun:
        return 77
    return 0


def main_with_programs(doc):
    """The main() of a suite that runs newsindex and newssearch: reads
    --newsindex, --newssearch and --list, sets the __main__ module's
    NEWSINDEX and NEWSSEARCH, and runs the tests named in what is left."""
    import argparse
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--newsindex")
    ap.add_argument("--newssearch")
    ap.add_argument("--list", action="store_true", help="print the test ids and exit")
    opts, rest = ap.parse_known_args()
    if opts.list:
        print("\n".join(test_ids("__main__")))
        return 0
    if not opts.newsindex or not opts.newssearch:
        ap.error("--newsindex and --newssearch are required")
    module = sys.modules["__main__"]
    module.NEWSINDEX, module.NEWSSEARCH = opts.newsindex, opts.newssearch
    return run(rest)
