#!/usr/bin/python3
"""The demo: a provider on loopback holding real mail, fetched by Poste Restante.

Builds the project (installing what the build needs first), starts the test provider on
127.0.0.1 with STARTTLS and a certificate made for the demo, spools Python's real-world sample
messages (Debian's libpython3.11-testsuite) plus a few large generated ones, fetches them with
poste-restante-cli into demo/Maildir and demo/mbox, checks that every message arrived identical
(apart from the added Received: header and LF line ends), prints what arrived, has each provider
spool a few new messages and fetches again to check that they arrive too, and then opens the
application on the same configuration when a display is present.

The providers keep running while the application is open, each spooling a few new messages every
minute, so that the schedule and Fetch now find mail; they stop when the application quits (or
the demo is interrupted). The demo exits non-zero when the application fails to start.

Usage: tools/demo [--no-build] [--no-app] (the shell wrapper tools/demo installs the build's
packages, Python among them, then runs this)
"""
import os
import pathlib
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build"
DEMO = ROOT / "demo"
SAMPLES = pathlib.Path("/usr/lib/python3.11/test/test_email/data")
CLI = BUILD / "src" / "poste-restante-cli" / "poste-restante-cli"
APP = BUILD / "src" / "poste-restante" / "poste-restante"
PROVIDER = BUILD / "tests" / "provider" / "poste-test-provider"
# The living providers: a few new messages every minute, and never more than this in all.
NEW_EVERY = 60
NEW_COUNT = 3
NEW_MAX = 60
APP_ID = "io.github.posterestante.PosteRestante"
# An application that fails within this many seconds did not start.
APP_START_SECONDS = 5
PASSWORD = "demo-" + "".join(random.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(16))
DOMAINS = ["example.org", "example.com"]


def step(text):
    if sys.stdout.isatty():
        print(f"\n\033[1m==> {text}\033[0m", flush=True)
    else:
        print(f"\n==> {text}", flush=True)


def build():
    step("Building")
    # Reconfigures _build/, or sets it up again when an interrupted or failed run (of the demo or
    # of tools/test) left it half made.
    subprocess.run([str(ROOT / "tools" / "setup-build"), str(BUILD)], check=True)
    subprocess.run(["ninja", "-C", str(BUILD)], check=True)


def make_large(path, size, seed):
    """A generated message of about `size` bytes: headers and a base64-looking body."""
    rng = random.Random(seed)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    with open(path, "w", encoding="ascii", newline="\n") as out:
        out.write(f"From: Archive <archive@example.net>\nTo: office@example.org\n"
                  f"Subject: Large generated message ({size // (1024 * 1024)} MiB)\n"
                  f"Message-ID: <large-{seed}@example.net>\nMIME-Version: 1.0\n"
                  f"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n")
        line = "".join(rng.choice(alphabet) for _ in range(76))
        written = 0
        n = 0
        while written < size:
            # Vary the lines a little so the content is not one repeated line.
            text = line[n % 76:] + line[:n % 76]
            out.write(text + "\n")
            written += 77
            n += 1


def prepare():
    step("Preparing the demo folder " + str(DEMO))
    if DEMO.exists():
        shutil.rmtree(DEMO)
    spool = DEMO / "spool"
    spool.mkdir(parents=True)
    samples = sorted(p for p in SAMPLES.glob("msg_*.txt"))
    if not samples:
        sys.exit(f"No sample messages in {SAMPLES}: is libpython3.11-testsuite installed?")
    for p in samples:
        shutil.copyfile(p, spool / p.name)
    for i, size in enumerate([1, 8, 32]):
        make_large(spool / f"zz_large_{i + 1}.eml", size * 1024 * 1024, i)
    password_file = DEMO / "password"
    password_file.write_text(PASSWORD + "\n")
    password_file.chmod(0o600)
    return sorted(spool.iterdir())


class Provider:
    """A running poste-test-provider: its port, CA file, and the new messages it has spooled."""

    def __init__(self, name, spool_dir, process_group):
        self.name = name
        cert_dir = DEMO / f"tls-{name}"
        cert_dir.mkdir()
        # Its standard input is a pipe that only this process holds: however the demo ends, the
        # provider sees end of file and exits (--exit-on-eof).
        self.proc = subprocess.Popen(
            [str(PROVIDER), "--port", "0", "--tls", "starttls", "--cert-dir", str(cert_dir),
             "--account", f"demo:{PASSWORD}:{','.join(DOMAINS)}", "--spool-dir", str(spool_dir),
             "--new-every", str(NEW_EVERY), "--new-count", str(NEW_COUNT),
             "--new-max", str(NEW_MAX), "--exit-on-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            process_group=process_group)
        self.port = None
        self.ca_file = str(cert_dir / "ca.pem")
        self.made = 0
        self.report = False
        self.changed = threading.Condition()
        for line in self.proc.stdout:
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
            m = re.search(r"CA file:? (\S+)", line)
            if m:
                self.ca_file = m.group(1)
        if not self.port:
            self.proc.kill()
            sys.exit(f"The test provider {name} did not start")
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        """Follows the provider's "new N (M in all)" lines for as long as it runs."""
        for line in self.proc.stdout:
            m = re.match(r"new (\d+) \((\d+) in all\)", line)
            if not m:
                continue
            with self.changed:
                self.made = int(m.group(2))
                self.changed.notify_all()
            if self.report and int(m.group(1)) > 0:
                print(f"  {self.name}: {m.group(1)} new messages arrived at the provider",
                      flush=True)

    def spool_new_now(self, timeout=30):
        """Has the provider spool its next few new messages now; returns how many it made in all."""
        with self.changed:
            before = self.made
            self.proc.send_signal(signal.SIGUSR1)
            if not self.changed.wait_for(lambda: self.made > before, timeout):
                sys.exit(f"The test provider {self.name} spooled no new message")
            return self.made


def stop_providers(providers):
    """Stops the providers' process group: end of file on their input, then SIGTERM, then SIGKILL."""
    for p in providers:
        if p.proc.stdin:
            p.proc.stdin.close()
    if providers:
        try:
            os.killpg(providers[0].proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for p in providers:
        try:
            p.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.proc.kill()
            p.proc.wait()


def write_config(ports, intervals=None):
    """The configuration; `intervals` maps a provider to its minutes between fetches (default 0)."""
    config_home = DEMO / "config"
    (config_home / "poste-restante").mkdir(parents=True, exist_ok=True)
    config = config_home / "poste-restante" / "poste-restante.conf"
    text = "# The demo's configuration: two providers on loopback, one per local mail store.\n"
    for name, target in (("demo-maildir", f"maildir:{DEMO / 'Maildir'}"),
                         ("demo-mbox", f"mbox:{DEMO / 'mbox'}")):
        port, ca_file = ports[name]
        interval = (intervals or {}).get(name, 0)
        text += (f"\n[provider {name}]\nhost=127.0.0.1\nport={port}\nsecurity=starttls\n"
                 f"username=demo\ndomains={';'.join(DOMAINS)}\nauth=auto\n"
                 f"delivery={target}\ninterval={interval}\nca-file={ca_file}\n"
                 f"password-file={DEMO / 'password'}\n")
    config.write_text(text)
    config.chmod(0o600)
    return config_home, config


def normalise(data):
    """What a stored message must equal: LF line ends, a final newline."""
    data = data.replace(b"\r\n", b"\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    return data


def strip_received(data):
    """Removes the Received: header Poste Restante adds at the top (it may be folded)."""
    lines = data.split(b"\n")
    if not lines or not lines[0].startswith(b"Received: from "):
        return None
    i = 1
    while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
        i += 1
    return b"\n".join(lines[i:])


def read_maildir(path):
    messages = []
    for sub in ("new", "cur"):
        d = path / sub
        if d.is_dir():
            messages += [f.read_bytes() for f in sorted(d.iterdir())]
    return messages


def read_mboxrd(path):
    """Splits an mboxrd file and undoes its quoting (one '>' off every ^>+From line)."""
    if not path.exists():
        return []
    messages = []
    current = None
    for line in path.read_bytes().split(b"\n"):
        if line.startswith(b"From ") and (current is None or (current and current[-1] == b"")):
            if current is not None:
                messages.append(b"\n".join(current[:-1]) + b"\n")
            current = []
            continue
        if re.match(rb"^>+From ", line):
            line = line[1:]
        current.append(line)
    if current is not None:
        while current and current[-1] == b"":
            current.pop()
        messages.append(b"\n".join(current) + b"\n")
    return messages


def is_generated(body):
    """A message the provider made while running (--new-every), not one of the spooled files."""
    head = body.split(b"\n\n", 1)[0] + b"\n"
    return b"\nX-Generated-By: poste-test-provider\n" in head


STORES = (("Maildir", "demo-maildir"), ("mbox", "demo-mbox"))


def read_store(store):
    return read_maildir(DEMO / "Maildir") if store == "Maildir" else read_mboxrd(DEMO / "mbox")


def verify(spooled):
    """Every spooled file arrived identical in both stores. New messages are counted apart."""
    step("Checking what arrived")
    expected = {normalise(p.read_bytes()): p.name for p in spooled}
    ok = True
    for store, _ in STORES:
        found = {}
        bad = 0
        new = 0
        for m in read_store(store):
            body = strip_received(m)
            if body is not None and is_generated(body):
                new += 1
                continue
            if body is None or body not in expected:
                bad += 1
                continue
            found[expected[body]] = len(body)
        missing = sorted(set(expected.values()) - set(found))
        total = sum(found.values())
        print(f"  {store:8} {len(found):3} of {len(expected)} messages identical "
              f"({total / 1e6:.1f} MB), {bad} unexpected, {len(missing)} missing"
              + (f", {new} new" if new else ""))
        for name in missing:
            print(f"           missing: {name}")
        ok = ok and not missing and bad == 0
    return ok


def verify_new(made):
    """At least the `made[provider]` new messages each provider spooled arrived in its store."""
    ok = True
    for store, name in STORES:
        new = sum(1 for m in read_store(store)
                  if (body := strip_received(m)) is not None and is_generated(body))
        print(f"  {store:8} {new:3} of the {made[name]} new messages {name} spooled")
        ok = ok and new >= made[name]
    return ok


def fetch(config, env):
    step("Fetching: poste-restante-cli fetch")
    result = subprocess.run([str(CLI), "--config", str(config), "fetch"], env=env)
    subprocess.run([str(CLI), "--config", str(config), "history"], env=env)
    return result.returncode == 0


def app_command(build=BUILD):
    """The application as `meson devenv` runs it: from the build tree, with its compiled schemas.
    tests/ui/test-app-start.py runs it the same way."""
    app = pathlib.Path(build) / APP.relative_to(BUILD)
    return ["meson", "devenv", "-C", str(build), "-w", str(ROOT), str(app)]


def app_environment(base):
    """What the application needs to run from the build tree, on top of `base` (the XDG
    directories of the demo). meson devenv adds the rest: GSETTINGS_SCHEMA_DIR (the schemas
    compiled in _build/data) and XDG_DATA_DIRS (data/, for the icons; data/meson.build). Settings
    go to a key file in the demo's XDG_CONFIG_HOME, not to the desktop's dconf."""
    return dict(base, GSETTINGS_BACKEND="keyfile")


def already_running(env):
    """Whether Poste Restante already runs on this session bus: GApplication would hand it the
    command line and exit, and the demo's configuration would not be used."""
    try:
        result = subprocess.run(
            ["gdbus", "call", "--session", "--dest", "org.freedesktop.DBus",
             "--object-path", "/org/freedesktop/DBus",
             "--method", "org.freedesktop.DBus.NameHasOwner", APP_ID],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "true" in result.stdout


def run_app(providers, env):
    """Opens the application until it quits. Exits non-zero when it does not start or does not
    end well."""
    step("Opening Poste Restante on the demo configuration")
    if already_running(env):
        sys.exit("Poste Restante is already running on this desktop, without the demo's "
                 "configuration: quit it, then run tools/demo --no-build.")
    for p in providers:
        p.spool_new_now()
        p.report = True
    print(f"  Each provider holds {NEW_COUNT} new messages, and gets {NEW_COUNT} more every "
          f"minute.\n  demo-maildir is fetched every minute; demo-mbox when you press "
          f"Fetch now.\n  Quit the application (Ctrl+Q) to end the demo and stop the providers.",
          flush=True)
    started = time.monotonic()
    # Its own process group: meson devenv runs the program as its child, and both must go when
    # the demo is stopped.
    app = subprocess.Popen(app_command(), env=app_environment(env), process_group=0)
    try:
        status = app.wait()
    except BaseException:
        # The demo was stopped (Ctrl+C, SIGTERM, SIGHUP) with the application open: it goes too.
        close_app(app)
        raise
    if status != 0 and time.monotonic() - started < APP_START_SECONDS:
        sys.exit(f"The application did not start: it exited with status {status} "
                 f"(its messages are above).")
    if status != 0:
        sys.exit(f"The application exited with status {status}")


def close_app(app):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(app.pid, sig)
        except ProcessLookupError:
            return
        try:
            app.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            pass


def on_signal(signum, frame):
    # SIGTERM and SIGHUP end the demo as Ctrl+C does: through main()'s cleanup.
    raise KeyboardInterrupt


def demo():
    if "--no-build" not in sys.argv:
        build()
    spooled = prepare()
    step("Starting two test providers on loopback (STARTTLS, SCRAM, real sample mail)")
    providers = []
    try:
        for name in ("demo-maildir", "demo-mbox"):
            # One process group for the providers, so that they stop together.
            group = providers[0].proc.pid if providers else 0
            providers.append(Provider(name, DEMO / "spool", group))
            print(f"  {name}: 127.0.0.1:{providers[-1].port}, {len(spooled)} messages held")
        ports = {p.name: (p.port, p.ca_file) for p in providers}
        config_home, config = write_config(ports)
        env = dict(os.environ, XDG_CONFIG_HOME=str(config_home),
                   XDG_STATE_HOME=str(DEMO / "state"), XDG_DATA_HOME=str(DEMO / "data"))

        fetched = fetch(config, env)
        good = verify(spooled) and fetched
        print(f"\n  Maildir: {DEMO / 'Maildir'}\n  mbox:    {DEMO / 'mbox'}")
        if not good:
            sys.exit("The demo did not deliver every message intact")

        step(f"New mail: each provider spools {NEW_COUNT} new messages")
        made = {p.name: p.spool_new_now() for p in providers}
        fetched = fetch(config, env)
        step("Checking that the new mail arrived")
        if not (verify_new(made) and fetched):
            sys.exit("The demo did not deliver the new messages")

        if "--no-app" in sys.argv:
            return
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            print("\nNo display: not opening the application (tools/demo --no-build opens it "
                  "from a desktop session).")
            return
        # The application schedules one provider and leaves the other to Fetch now.
        write_config(ports, {"demo-maildir": 1})
        run_app(providers, env)
    finally:
        stop_providers(providers)


def main():
    # Ctrl+C (or SIGTERM, SIGHUP) at any step, the build included: the providers are stopped by
    # demo(), and the next run of the demo or of tools/test picks up what was left (setup-build).
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        demo()
    except KeyboardInterrupt:
        print("\nInterrupted", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
