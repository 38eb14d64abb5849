#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""desktop-file-validate on the desktop file, knowing one key it is too old to know.

SingleMainWindow (a boolean of the Desktop Entry Specification 1.5, 2022) tells docks and
software centres that the application has one main window. desktop-file-validate learnt it in
0.27; Debian 12 ships 0.26, which calls it an unknown key. That one complaint, about that key in
the [Desktop Entry] group, is allowed here; any other message fails, as does the validator's
exit status when anything else is wrong.

Arguments: DESKTOP_FILE_VALIDATE DESKTOP_FILE
"""

import re
import subprocess
import sys

validator, desktop_file = sys.argv[1:3]
result = subprocess.run([validator, desktop_file], capture_output=True, text=True, check=False)
TOO_OLD = re.compile(r'error: file contains key "SingleMainWindow" in group "Desktop Entry", '
                     r'but keys extending the format should start with "X-"$')
problems = [line for line in (result.stdout + result.stderr).splitlines()
            if line.strip() and not TOO_OLD.search(line)]
for line in problems:
    print(line)
if problems or (result.returncode != 0 and not TOO_OLD.search(result.stdout + result.stderr)):
    sys.exit(1)
print(f'{desktop_file}: valid' + (' (SingleMainWindow is newer than this validator)'
                                  if result.returncode != 0 else ''))
