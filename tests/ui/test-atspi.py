#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The application as a screen reader finds it: through AT-SPI, on the accessibility bus.

test-accessibility checks every window through GTK's own accessible API; this checks the same
promises where a screen reader reads them, with the real program (run from the build tree, its
own private home) under Xvfb and dbus-run-session, which starts the accessibility bus:
- the provider editor's buttons have one name each, without a mnemonic: "Cancel", not
  "_Cancel Cancel";
- the keyboard moving into an entry row gives that row the focus, named by its title (GTK 4.8
  alone reports no focus there; poste_accessible_announce_entry_rows() works around it), and
  what is typed reaches the row's text.
Keys are pressed with xdotool, as a user would. Without python3-pyatspi the test is skipped
(exit status 77). Meson reads the exit status only: the accessibility registry, which the bus
starts, writes to the same standard output.

Arguments: PROGRAM APP_ID
"""

import os
import subprocess
import sys
import tempfile
import time

# libatspi warns about the objects it cannot find while windows come and go: not a failure here.
os.environ.pop('G_DEBUG', None)

try:
    import gi
    gi.require_version('Atspi', '2.0')
    from gi.repository import Atspi, GLib
except (ImportError, ValueError):
    print('SKIP: python3-pyatspi (gir1.2-atspi-2.0) is not installed', flush=True)
    sys.exit(77)

program, app_id = sys.argv[1:3]
# Every wait below asks again until the answer comes; this is only the limit, far above what a
# loaded machine takes, so that a broken promise fails rather than hangs.
DEADLINE = int(os.environ.get("POSTE_TEST_DEADLINE", "30"))


def wait_until(condition, what):
    """Runs the main loop until @condition() is true, asking again every 50 ms."""
    end = time.monotonic() + DEADLINE
    context = GLib.MainContext.default()
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f'gave up waiting until {what}')
        GLib.timeout_add(50, lambda: False)
        context.iteration(True)


def walk(accessible):
    yield accessible
    for i in range(accessible.get_child_count()):
        child = accessible.get_child_at_index(i)
        if child is not None:
            yield from walk(child)


def find_app():
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == 'poste-restante':
            return app
    return None


def find_frame(app, title):
    for i in range(app.get_child_count()):
        frame = app.get_child_at_index(i)
        if frame is not None and frame.get_name() == title:
            return frame
    return None


class Results:
    def __init__(self):
        self.cases = []

    def case(self, name, function):
        self.cases.append((name, function))

    def run(self):
        failed = False
        for number, (name, function) in enumerate(self.cases, 1):
            try:
                function()
                print(f'ok {number} - {name}', flush=True)
            except Exception as error:  # noqa: BLE001 - reported, then the next case runs
                failed = True
                print(f'# {error}', flush=True)
                print(f'not ok {number} - {name}', flush=True)
        return 1 if failed else 0


def main():
    home = tempfile.TemporaryDirectory(prefix='poste-test-atspi-')
    env = dict(os.environ)
    # The suite turns accessibility off for the other tests; here it is the point.
    for name in ('GTK_A11Y', 'NO_AT_BRIDGE', 'G_DEBUG'):
        env.pop(name, None)
    env.update({
        'HOME': home.name,
        'XDG_CONFIG_HOME': os.path.join(home.name, 'config'),
        'XDG_DATA_HOME': os.path.join(home.name, 'data'),
        'XDG_STATE_HOME': os.path.join(home.name, 'state'),
        'XDG_CACHE_HOME': os.path.join(home.name, 'cache'),
    })
    log = open(os.path.join(home.name, 'poste-restante.log'), 'w')
    app_process = subprocess.Popen([program], env=env, stdout=log, stderr=subprocess.STDOUT)
    Atspi.init()
    results = Results()
    state = {}

    def editor_buttons():
        state['app'] = wait_until(find_app, 'the program is on the accessibility bus')
        subprocess.run(['gapplication', 'action', app_id, 'add-provider'], env=env, check=True,
                       timeout=DEADLINE)
        frame = wait_until(lambda: find_frame(state['app'], 'Add Provider'),
                           'the provider editor is open')
        state['frame'] = frame
        names = [a.get_name() for a in walk(frame)
                 if a.get_role() in (Atspi.Role.PUSH_BUTTON, Atspi.Role.TOGGLE_BUTTON)]
        print(f'# the editor\'s buttons: {names}', flush=True)
        for expected in ('Cancel', 'Add', 'Test Connection'):
            assert expected in names, f'no button named “{expected}” in {names}'
        for name in names:
            assert '_' not in name, f'a mnemonic in the button name “{name}”'
            words = name.split(' ')
            half = len(words) // 2
            assert not (len(words) % 2 == 0 and words[:half] == words[half:]), \
                f'the button name “{name}” says it twice'

    def entry_row_focus():
        focused = []

        def on_focus(event):
            if event.detail1 == 1:
                focused.append((event.source.get_role(), event.source.get_name()))

        listener = Atspi.EventListener.new(on_focus)
        listener.register('object:state-changed:focused')
        # The editor opens with the focus on Cancel; Tab skips Add (nothing to add yet) and
        # enters the first field.
        subprocess.run(['xdotool', 'key', 'Tab'], env=env, check=True, timeout=DEADLINE)
        wait_until(lambda: (Atspi.Role.ENTRY, 'Name') in focused
                   or (Atspi.Role.TEXT, 'Name') in focused,
                   f'the Name field is focused (focus went to {focused})')
        subprocess.run(['xdotool', 'type', 'acme'], env=env, check=True, timeout=DEADLINE)
        row = next(a for a in walk(state['frame'])
                   if a.get_role() in (Atspi.Role.ENTRY, Atspi.Role.TEXT)
                   and a.get_name() == 'Name')
        try:
            wait_until(lambda: Atspi.Text.get_text(row, 0, 100) == 'acme',
                       'what was typed is in the Name field')
        except AssertionError as e:
            raise AssertionError(f'{e}: it holds “{Atspi.Text.get_text(row, 0, 100)}”, the focus '
                                 f'went to {focused}') from None
        listener.deregister('object:state-changed:focused')

    results.case('the editor buttons have one name each, without a mnemonic', editor_buttons)
    results.case('the keyboard focus entering an entry row is reported, with its name',
                 entry_row_focus)
    status = results.run()
    if status != 0:
        print(f'# the program is {"running" if app_process.poll() is None else "gone"}', flush=True)

    app_process.terminate()
    app_process.wait(timeout=DEADLINE)
    log.close()
    if status != 0:
        with open(os.path.join(home.name, 'poste-restante.log')) as f:
            for line in f:
                print(f'# {line.rstrip()}')
    return status


sys.exit(main())
