#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The application starts from the build tree as tools/demo starts it, and quits cleanly.

Run under xvfb-run and dbus-run-session (tests/ui/meson.build). It takes the command and the
environment from the demo itself (app_command() and app_environment() of tools/demo.py), so it
tests what the demo does, and leaves out the test suites' own GSETTINGS_SCHEMA_DIR and
GSETTINGS_BACKEND: finding the schemas compiled in the build tree is the environment's job. It
waits for the window titled "Poste Restante" (xdotool), quits through the application's "quit"
action on the session bus, and checks the exit status and that nothing was logged as a warning
or worse.

Usage: test-app-start.py SOURCE_ROOT BUILD_ROOT
"""
import importlib.machinery
import importlib.util
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

APP_ID = "io.github.posterestante.PosteRestante"
# Deadlines, not delays: each wait polls and stops as soon as its condition holds.
WINDOW_SECONDS = 60
QUIT_SECONDS = 30
POLL_SECONDS = 0.1


def load_demo(source_root):
    path = str(pathlib.Path(source_root) / "tools" / "demo.py")
    loader = importlib.machinery.SourceFileLoader("poste_demo", path)
    spec = importlib.util.spec_from_loader("poste_demo", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def poll(condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL_SECONDS)
    return condition()


def window_shown():
    result = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "^Poste Restante$"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return result.returncode == 0 and result.stdout.strip() != b""


def main():
    source_root, build_root = sys.argv[1], sys.argv[2]
    for tool in ("xdotool", "gapplication", "meson"):
        if shutil.which(tool) is None:
            print(f"1..0 # SKIP needs {tool}: run tools/install-deps")
            return 0
    demo = load_demo(source_root)
    print("1..4", flush=True)

    with tempfile.TemporaryDirectory(prefix="test-app-start-") as tmp:
        tmp = pathlib.Path(tmp)
        config_dir = tmp / "config" / "poste-restante"
        config_dir.mkdir(parents=True)
        # One provider fetched only on demand: the application shows it and connects nowhere.
        (config_dir / "poste-restante.conf").write_text(
            "[provider start]\nhost=127.0.0.1\nport=9\nsecurity=starttls\nusername=demo\n"
            "domains=example.org\ndelivery=maildir:" + str(tmp / "Maildir") + "\ninterval=0\n")
        base = {k: v for k, v in os.environ.items()
                if k not in ("GSETTINGS_SCHEMA_DIR", "GSETTINGS_BACKEND")}
        base.update(HOME=str(tmp), XDG_CONFIG_HOME=str(tmp / "config"),
                    XDG_STATE_HOME=str(tmp / "state"), XDG_DATA_HOME=str(tmp / "data"),
                    XDG_CACHE_HOME=str(tmp / "cache"))
        env = demo.app_environment(base)
        log = open(tmp / "stderr", "w+b")
        app = subprocess.Popen(demo.app_command(build_root), env=env,
                               stdout=subprocess.DEVNULL, stderr=log)
        try:
            shown = poll(lambda: app.poll() is not None or window_shown(), WINDOW_SECONDS)
            shown = shown and app.poll() is None
            print(("ok" if shown else "not ok") + " 1 - its window is shown", flush=True)

            quit_sent = subprocess.run(["gapplication", "action", APP_ID, "quit"],
                                       env=env).returncode == 0 if shown else False
            print(("ok" if quit_sent else "not ok") + " 2 - it takes the quit action",
                  flush=True)
        finally:
            try:
                status = app.wait(timeout=QUIT_SECONDS)
            except subprocess.TimeoutExpired:
                app.kill()
                status = app.wait()
        print(("ok" if status == 0 else "not ok") + f" 3 - it exits with status 0 ({status})",
              flush=True)

        log.seek(0)
        messages = log.read().decode("utf-8", "replace")
        bad = [line for line in messages.splitlines()
               if any(word in line for word in ("-WARNING **", "-CRITICAL **", "-ERROR **",
                                                "is not installed", "Aborted"))]
        for line in messages.splitlines():
            print("# " + line)
        print(("ok" if not bad else "not ok") + " 4 - no warning, critical or error logged",
              flush=True)
        return 0 if shown and quit_sent and status == 0 and not bad else 1


if __name__ == "__main__":
    sys.exit(main())
