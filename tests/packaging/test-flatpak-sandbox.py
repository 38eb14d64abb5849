#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""poste-restante-cli fetch inside a sandbox that sees what the Flatpak would see.

The GNOME runtime cannot be downloaded here, so this is not flatpak itself: bubblewrap, which
flatpak runs underneath, builds the same filesystem view from the manifest's finish-args. The
root is an empty tmpfs with the host's /usr (standing in for the runtime) read-only, the CLI
at /app/bin, a private /tmp, and a home directory that is empty except for the folders the
manifest grants (bound from the real home, made first for a grant ending in ":create", as
Flatpak does) and the application's own ~/.var/app/ID, with XDG_CONFIG_HOME and the others
pointing into it. /.flatpak-info lists the same grants, as Flatpak writes it. The network is
shared only if the manifest shares it.

Two providers hold mail, each a poste-test-provider on loopback with STARTTLS:
  - "granted" delivers to the editor's default target, maildir:~/Maildir: the mail must land
    in the real home's ~/Maildir, and the provider must have handed it all over;
  - "elsewhere" delivers to ~/Documents/Maildir, which exists in the real home but is not
    granted: the fetch must fail with exit status 10 and a message saying why, nothing may be
    written anywhere, and the provider must still hold every message.

The test is skipped only when this machine cannot make the user namespace bubblewrap needs
(an unprivileged user where unprivileged user namespaces are turned off, or a container that
forbids them); any other failure of bubblewrap is a failure.

Arguments: MANIFEST APP_ID CLI PROVIDER_TOOL BWRAP|-
"""

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

from flatpak_manifest import load
from packaging_tap import Tap, check, skip_all

manifest_path, app_id, cli, provider_tool, bwrap = sys.argv[1:6]
tap = Tap()
raw, manifest = load(manifest_path)
finish_args = manifest.get('finish-args', [])

USER = 'example.org'
PASSWORD = 'sandbox-secret'
DEADLINE = 60

MESSAGES = [
    'From: Alice <alice@sender.example>\nTo: postmaster@example.org\n'
    'Subject: first, through the sandbox\nMessage-ID: <one@sender.example>\n\nHello.\n',
    'From: Bob <bob@sender.example>\nTo: postmaster@example.org\n'
    'Subject: second, through the sandbox\nMessage-ID: <two@sender.example>\n\n'
    'From the sandbox with love.\n',
]

if bwrap == '-':
    bwrap = shutil.which('bwrap') or '-'
if bwrap == '-':
    # bubblewrap is in tools/install-deps: a machine set up for the tests has it.
    print('# bubblewrap (bwrap) is not installed')
    print('1..1\nnot ok 1 - bubblewrap is installed')
    sys.exit(1)

# Markers of a kernel or container that refuses the namespaces, in bubblewrap's own words.
NAMESPACE_REFUSED = re.compile(r'(No permissions to creat\w* new namespace|'
                               r'setting up uid map|Creating new namespace failed|'
                               r'unshare.*Operation not permitted|'
                               r'user namespaces? (are|is) (disabled|not available))', re.I)


def probe_bwrap():
    """The extra arguments bubblewrap needs here, or a reason it cannot run at all."""
    base = [bwrap, '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true']
    errors = []
    for extra in ([], ['--unshare-user']):
        result = subprocess.run(base[:1] + extra + base[1:], capture_output=True, text=True,
                                check=False, timeout=DEADLINE)
        if result.returncode == 0:
            return extra, None
        errors.append(result.stderr.strip())
    if all(NAMESPACE_REFUSED.search(e) for e in errors):
        return None, ('this machine cannot create the user namespace bubblewrap needs '
                      f'(running as uid {os.getuid()}): {errors[-1]}')
    raise AssertionError(f'bubblewrap fails for another reason: {errors}')


def home_grants():
    """(path relative to home, writable, create) for each --filesystem= of the manifest."""
    grants = []
    for arg in finish_args:
        if not arg.startswith('--filesystem='):
            continue
        spec = arg[len('--filesystem='):]
        mode = ''
        if re.search(r':(ro|rw|create)$', spec):
            spec, mode = spec.rsplit(':', 1)
        # This test knows how Flatpak mounts a folder of the home directory; a broader or other
        # grant needs this test taught first (and a reason Flathub would accept).
        check(spec.startswith('~/') and '..' not in spec, f'a grant this test can mount: {arg}')
        grants.append((spec[2:], mode != 'ro', mode == 'create'))
    return grants


def flatpak_info():
    """/.flatpak-info as Flatpak writes it: the application and its final context."""
    def values(prefix):
        return ''.join(a[len(prefix):] + ';' for a in finish_args if a.startswith(prefix))
    return ('[Application]\n'
            f'name={app_id}\n'
            'runtime=runtime/org.gnome.Platform/x86_64/' + str(manifest['runtime-version']) + '\n'
            '\n[Context]\n'
            f'shared={values("--share=")}\n'
            f'sockets={values("--socket=")}\n'
            f'devices={values("--device=")}\n'
            f'filesystems={values("--filesystem=")}\n')


class Provider:
    """A poste-test-provider holding MESSAGES for USER, on loopback with STARTTLS."""

    def __init__(self, workdir, name, cert_dir):
        self.spool = []
        for i, text in enumerate(MESSAGES):
            path = os.path.join(workdir, f'{name}-{i}.eml')
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            self.spool += ['--spool', path]
        self.process = subprocess.Popen(
            [provider_tool, '--port', '0', '--tls', 'starttls', '--cert-dir', cert_dir,
             '--account', f'{USER}:{PASSWORD}:example.org', '--timeout', '30'] + self.spool,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # Its lines arrive through a thread, so that a provider that says nothing cannot hang
        # the test past the deadline.
        self.lines = queue.Queue()
        threading.Thread(target=self.read_all, daemon=True).start()
        self.ca_file = None
        self.port = None
        while self.port is None:
            line = self.readline()
            if line.startswith('CA file: '):
                self.ca_file = line[len('CA file: '):].strip()
            match = re.match(r'listening on 127\.0\.0\.1:(\d+)', line)
            if match:
                self.port = int(match.group(1))

    def read_all(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put('')

    def readline(self):
        try:
            line = self.lines.get(timeout=DEADLINE)
        except queue.Empty:
            raise AssertionError('the test provider says nothing within the deadline') from None
        check(line != '', f'the test provider exited early (status {self.process.poll()})')
        return line

    def stop(self):
        """Stops the provider; returns how many messages it still holds."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=DEADLINE)
        while True:
            match = re.match(r'spooled (\d+)$', self.readline())
            if match:
                return int(match.group(1))


def bwrap_command(extra, real_home, workdir):
    """bubblewrap with the Flatpak's view: the manifest's grants and nothing else of the home."""
    app_dir = os.path.join(real_home, '.var', 'app', app_id)
    info = os.path.join(workdir, 'flatpak-info')
    with open(info, 'w', encoding='utf-8') as f:
        f.write(flatpak_info())
    runtime_dir = f'/run/user/{os.getuid()}'
    command = [bwrap] + extra + [
        '--die-with-parent', '--unshare-pid', '--unshare-ipc', '--unshare-uts',
        '--ro-bind', '/usr', '/usr',
        '--ro-bind', '/etc', '/etc',
        '--dev', '/dev', '--proc', '/proc',
        '--tmpfs', '/tmp', '--dir', '/var/tmp', '--dir', runtime_dir,
        '--ro-bind', cli, '/app/bin/poste-restante-cli',
        '--ro-bind', info, '/.flatpak-info',
        '--dir', real_home,
        '--bind', app_dir, app_dir,
    ]
    for name in ('bin', 'lib', 'lib64', 'lib32', 'sbin'):
        # Debian 12 has merged /usr: these are links into it.
        target = os.path.join('/', name)
        if os.path.islink(target):
            command += ['--symlink', os.readlink(target), target]
    if '--share=network' not in finish_args:
        command.append('--unshare-net')
    for relative, writable, create in home_grants():
        source = os.path.join(real_home, relative)
        if create:
            os.makedirs(source, exist_ok=True)
        if os.path.exists(source):     # Flatpak skips a granted path that does not exist
            command += ['--bind' if writable else '--ro-bind', source, source]
    command += [
        '--clearenv',
        '--setenv', 'HOME', real_home,
        '--setenv', 'PATH', '/app/bin:/usr/bin',
        '--setenv', 'LC_ALL', 'C.UTF-8',
        '--setenv', 'XDG_CONFIG_HOME', os.path.join(app_dir, 'config'),
        '--setenv', 'XDG_DATA_HOME', os.path.join(app_dir, 'data'),
        '--setenv', 'XDG_CACHE_HOME', os.path.join(app_dir, 'cache'),
        '--setenv', 'XDG_STATE_HOME', os.path.join(app_dir, '.local', 'state'),
        '--setenv', 'XDG_RUNTIME_DIR', runtime_dir,
        '--setenv', 'DBUS_SESSION_BUS_ADDRESS', 'unix:path=/nonexistent/bus',
        '--setenv', 'FLATPAK_ID', app_id,
        '/app/bin/poste-restante-cli',
    ]
    return command


def count(folder):
    return len(os.listdir(folder)) if os.path.isdir(folder) else 0


def files_under(folder):
    return sorted(os.path.join(top, name) for top, _, names in os.walk(folder) for name in names)


extra_args, unavailable = probe_bwrap()
if unavailable is not None:
    skip_all(unavailable)

workdir = tempfile.mkdtemp(prefix='poste-sandbox-')
real_home = os.path.join(workdir, 'home')
app_dir = os.path.join(real_home, '.var', 'app', app_id)
config_dir = os.path.join(app_dir, 'config', 'poste-restante')
os.makedirs(config_dir)
os.makedirs(os.path.join(real_home, 'Documents'))
providers = {}
result = None


def setup():
    """Two providers, and the Flatpak's own configuration that names them."""
    password_file = os.path.join(config_dir, 'password')
    with open(password_file, 'w', encoding='utf-8') as f:
        f.write(PASSWORD + '\n')
    os.chmod(password_file, 0o600)
    lines = []
    for name, target in (('granted', 'maildir:~/Maildir'),
                         ('elsewhere', 'maildir:~/Documents/Maildir')):
        # The certificate is made where the sandbox can read it: its own config folder.
        provider = Provider(workdir, name, os.path.join(config_dir, f'{name}-cert'))
        providers[name] = provider
        lines += [f'[provider {name}]', 'host=127.0.0.1', f'port={provider.port}',
                  'security=starttls', f'username={USER}', 'domains=example.org',
                  f'delivery={target}', 'interval=0', f'ca-file={provider.ca_file}',
                  f'password-file={password_file}', '']
    with open(os.path.join(config_dir, 'poste-restante.conf'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))


def fetch(name):
    command = bwrap_command(extra_args, real_home, workdir) + ['fetch', name]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          timeout=DEADLINE * 2)
    print(f'# fetch {name}: exit {done.returncode}')
    for line in (done.stdout + done.stderr).splitlines():
        print(f'#   {line}')
    return done


@tap.test
def the_sandbox_sees_only_the_granted_folders():
    setup()
    listing = subprocess.run(bwrap_command(extra_args, real_home, workdir)[:-1] +
                             ['/usr/bin/ls', '-A', real_home],
                             capture_output=True, text=True, check=False, timeout=DEADLINE)
    check(listing.returncode == 0, f'ls in the sandbox: {listing.stderr}')
    seen = sorted(listing.stdout.split())
    granted = sorted({g[0].split('/')[0] for g in home_grants()
                      if os.path.exists(os.path.join(real_home, g[0]))} | {'.var'})
    check(seen == granted, f'the sandbox sees {seen} of the home, the manifest grants {granted}')
    check('Documents' not in seen, 'a folder that is not granted is not there')


@tap.test
def mail_for_the_default_target_lands_in_the_real_home():
    done = fetch('granted')
    check(done.returncode == 0, f'fetch exits 0 (mail delivered), not {done.returncode}')
    new = os.path.join(real_home, 'Maildir', 'new')
    check(count(new) == len(MESSAGES), f'{count(new)} messages in the real ~/Maildir/new')
    bodies = ''
    for path in files_under(new):
        with open(path, encoding='utf-8') as f:
            bodies += f.read()
    check('first, through the sandbox' in bodies and 'From the sandbox with love.' in bodies,
          'the messages are the ones the provider held')
    check(providers['granted'].stop() == 0, 'the provider handed everything over')


@tap.test
def a_target_outside_the_grants_is_refused_and_the_mail_stays():
    done = fetch('elsewhere')
    check(done.returncode == 10, f'fetch exits 10 (local delivery), not {done.returncode}')
    output = done.stdout + done.stderr
    check('cannot be reached from inside the Flatpak sandbox' in output,
          'the error says the sandbox cannot reach the target')
    check('flatpak override --user --filesystem=~/Documents/Maildir' in output,
          'the error says how to grant the folder')
    check(files_under(os.path.join(real_home, 'Documents')) == [],
          'nothing was written to the real ~/Documents')
    check(providers['elsewhere'].stop() == len(MESSAGES), 'the provider still holds the mail')


@tap.test
def check_refuses_it_too():
    done = subprocess.run(bwrap_command(extra_args, real_home, workdir) + ['check', 'elsewhere'],
                          capture_output=True, text=True, check=False, timeout=DEADLINE)
    check(done.returncode == 10, f'check exits 10, not {done.returncode}: {done.stdout}')
    check('cannot be reached from inside the Flatpak sandbox' in done.stdout, done.stdout)


try:
    status = tap.run()
finally:
    for provider in providers.values():
        if provider.process.poll() is None:
            provider.process.kill()
            provider.process.wait()
    shutil.rmtree(workdir, ignore_errors=True)
sys.exit(status)
