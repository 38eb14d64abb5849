#!/usr/bin/python3
"""Prints one line "N passed, N failed, N skipped" from meson's testlog.json.

Each TAP subtest counts: meson's log records a test program's result and its output; for TAP
programs the subtests are counted from the "ok"/"not ok" lines of the output. Exits 1 when any
test failed or none ran.
"""
import json
import re
import sys

passed = failed = skipped = 0
programs_failed = 0
ran = 0

with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        line = line.strip()
        if not line:
            continue
        entry = json.loads(line)
        ran += 1
        result = entry.get("result")
        if result in ("FAIL", "TIMEOUT", "ERROR", "UNEXPECTEDPASS"):
            programs_failed += 1
        subtests = 0
        failed_here = 0
        for out in (entry.get("stdout") or "").splitlines():
            m = re.match(r"^(not ok|ok)\b(.*)$", out)
            if not m:
                continue
            subtests += 1
            rest = m.group(2)
            if re.search(r"#\s*SKIP", rest, re.IGNORECASE):
                skipped += 1
            elif m.group(1) == "ok" or re.search(r"#\s*TODO", rest, re.IGNORECASE):
                passed += 1
            else:
                failed_here += 1
        failed += failed_here
        if subtests == 0:
            # A program without TAP subtests (a validator, a skipped program) counts once.
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP" or re.search(r"1\.\.0\s*#\s*SKIP", entry.get("stdout") or ""):
                skipped += 1
            else:
                failed += 1
        elif result in ("FAIL", "TIMEOUT", "ERROR") and failed_here == 0:
            # The program died after its last subtest (a crash, a leak check): count it.
            failed += 1

print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or programs_failed or ran == 0 else 0)
