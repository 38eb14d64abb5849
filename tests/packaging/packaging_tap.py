# SPDX-License-Identifier: GPL-3.0-or-later
"""A little TAP producer for the packaging tests (meson runs them with protocol: 'tap')."""

import sys
import traceback


class Tap:
    def __init__(self):
        self.tests = []

    def test(self, function):
        """Registers @function (no arguments) as one test case."""
        self.tests.append(function)
        return function

    def run(self):
        print(f'1..{len(self.tests)}', flush=True)
        failed = 0
        for number, function in enumerate(self.tests, 1):
            name = function.__name__.replace('_', ' ')
            try:
                skip = function()
            except Exception:  # noqa: BLE001 - every failure is reported, then the next case runs
                failed += 1
                for line in traceback.format_exc().rstrip().split('\n'):
                    print(f'# {line}')
                print(f'not ok {number} - {name}', flush=True)
                continue
            if isinstance(skip, str):
                print(f'ok {number} - {name} # SKIP {skip}', flush=True)
            else:
                print(f'ok {number} - {name}', flush=True)
        return 1 if failed else 0


def skip_all(reason):
    print(f'1..0 # SKIP {reason}', flush=True)
    sys.exit(0)


def check(condition, message):
    """Fails the current test case with @message unless @condition holds."""
    if not condition:
        raise AssertionError(message)
