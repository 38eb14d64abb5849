#!/usr/bin/python3
"""Prints one line "N passed, N failed, N skipped" from meson's testlog.json.

Each TAP subtest counts: meson's log records a test program's result and its output; for TAP
programs the subtests are counted from the "ok"/"not ok" lines of the output. Exits 1 when any
test failed or none ran.

Every skip is listed with its reason before the line. Under CI (the environment variable CI is
"true", as .ci/run sets it) a skip is a failure unless it is one of the few in ALLOWED_SKIPS
below: a test skipped because Postfix, Dovecot, fetchmail, a keyring or root is missing would
otherwise leave CI green while testing nothing.
"""
import json
import os
import re
import sys

# (test program, regular expression on the skip's reason, why CI may skip it)
ALLOWED_SKIPS = [
    ("test-translation", r"^only French has these rules here$",
     "the French typography rules apply to French alone; every other language skips them"),
    ("test-delivery-faults", r"^mounting a tmpfs is not permitted here",
     "a full disk needs a small tmpfs; a container without CAP_SYS_ADMIN (Docker's default) "
     "cannot mount one even as root, and nothing else fills a disk safely"),
    ("test-fault-matrix", r"^mounting a tmpfs is not permitted here",
     "as test-delivery-faults: a full disk needs a small tmpfs"),
]


def allowed(program, reason):
    for name, pattern, _why in ALLOWED_SKIPS:
        if name == program and re.search(pattern, reason):
            return True
    return False


def main():
    ci = os.environ.get("CI", "") == "true"
    passed = failed = skipped = 0
    programs_failed = 0
    ran = 0
    skips = []  # (program, subtest, reason)

    with open(sys.argv[1], encoding="utf-8") as log:
        for line in log:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            ran += 1
            name = entry.get("name", "?")
            program = name.split(" / ")[-1]
            result = entry.get("result")
            stdout = entry.get("stdout") or ""
            if result in ("FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"):
                programs_failed += 1
            subtests = 0
            failed_here = 0
            for out in stdout.splitlines():
                m = re.match(r"^(not ok|ok)\b(.*)$", out)
                if not m:
                    continue
                subtests += 1
                rest = m.group(2)
                skip = re.search(r"#\s*SKIP\b\s*(.*)$", rest, re.IGNORECASE)
                if skip:
                    skipped += 1
                    subtest = rest[:skip.start()].strip(" -")
                    skips.append((program, subtest, skip.group(1).strip()))
                elif m.group(1) == "ok" or re.search(r"#\s*TODO", rest, re.IGNORECASE):
                    passed += 1
                else:
                    failed_here += 1
            failed += failed_here
            if subtests == 0:
                # A program without TAP subtests (a validator, a skipped program) counts once.
                whole = re.search(r"1\.\.0\s*#\s*SKIP\b\s*(.*)", stdout, re.IGNORECASE)
                if result in ("OK", "EXPECTEDFAIL") and not whole:
                    passed += 1
                elif result == "SKIP" or whole:
                    skipped += 1
                    # meson counts exit status 77 as a skip: a libFuzzer run that found a crash
                    # used to end so, and must never read as a skip.
                    skips.append((program, "", whole.group(1).strip() if whole
                                  else "exit status 77 (no reason given)"))
                else:
                    failed += 1
            elif result in ("FAIL", "TIMEOUT", "ERROR") and failed_here == 0:
                # The program died after its last subtest (a crash, a leak check): count it.
                failed += 1

    unexpected = 0
    for program, subtest, reason in skips:
        ok = allowed(program, reason)
        if ci and not ok:
            unexpected += 1
        label = "skipped" if ok or not ci else "UNEXPECTED SKIP (a failure in CI)"
        where = f"{program} {subtest}".strip()
        print(f"{label}: {where}: {reason}")
    failed += unexpected
    skipped -= unexpected

    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or programs_failed or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
