#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""`meson install` puts everything where the desktop, D-Bus, systemd, man and bash look for it.

Installs the build into a temporary DESTDIR (meson install --no-rebuild: meson test runs after
the build) and checks the tree: both programs, the desktop file, the metainfo, the icon at every
hicolor size plus the scalable and symbolic ones, the GSettings schema, the D-Bus service, the
systemd user unit, the man page, the bash completion and the French catalogue.

Arguments: MESON BUILD_ROOT APP_ID PREFIX BINDIR DATADIR MANDIR LOCALEDIR COMPLETIONSDIR
           USERUNITDIR MAN_BUILT(0|1)
"""

import configparser
import os
import struct
import subprocess
import sys
import tempfile

from packaging_tap import Tap, check

(meson, build_root, app_id, prefix, bindir, datadir, mandir, localedir, completionsdir,
 userunitdir, man_built) = sys.argv[1:12]
tap = Tap()
ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512]

destdir = tempfile.TemporaryDirectory(prefix='poste-install-')
result = subprocess.run([meson, 'install', '--destdir', destdir.name, '-C', build_root,
                         '--no-rebuild', '--quiet'],
                        capture_output=True, text=True, timeout=300)
installed = set()
for top, dirs, files in os.walk(destdir.name):
    for name in files:
        installed.add('/' + os.path.relpath(os.path.join(top, name), destdir.name))
print(f'# meson install exited {result.returncode}; {len(installed)} files installed')
for line in (result.stdout + result.stderr).strip().split('\n')[-20:]:
    if line:
        print(f'# {line}')


def under(directory, *parts):
    """An absolute installed path, prefix-relative directories made absolute."""
    directory = directory if os.path.isabs(directory) else os.path.join(prefix, directory)
    return os.path.normpath(os.path.join(directory, *parts))


def real(path):
    return os.path.join(destdir.name, path.lstrip('/'))


def check_installed(path):
    check(path in installed, f'{path} is installed')


def read(path):
    with open(real(path), encoding='utf-8') as f:
        return f.read()


@tap.test
def meson_install_succeeds_inside_the_prefix():
    check(result.returncode == 0, f'meson install failed: {result.stderr}')
    outside = sorted(p for p in installed if not p.startswith(prefix.rstrip('/') + '/'))
    check(not outside, f'installed outside {prefix}: {outside}')


@tap.test
def both_programs():
    for program in ('poste-restante', 'poste-restante-cli'):
        path = under(bindir, program)
        check_installed(path)
        check(os.access(real(path), os.X_OK), f'{path} is executable')


@tap.test
def desktop_file_and_metainfo():
    desktop = under(datadir, 'applications', app_id + '.desktop')
    check_installed(desktop)
    entry = configparser.ConfigParser(interpolation=None, strict=False)
    entry.optionxform = str
    entry.read_string(read(desktop))
    check(entry['Desktop Entry']['DBusActivatable'] == 'true', 'DBusActivatable=true')
    check(entry['Desktop Entry']['Actions'].rstrip(';') == 'fetch-now', 'a Fetch now action')
    check('Desktop Action fetch-now' in entry, 'its group')
    check('Comment[fr]' in entry['Desktop Entry'], 'translated')
    metainfo = under(datadir, 'metainfo', app_id + '.metainfo.xml')
    check_installed(metainfo)
    text = read(metainfo)
    check(f'<launchable type="desktop-id">{app_id}.desktop</launchable>' in text, 'launchable')
    check('<binary>poste-restante-cli</binary>' in text, 'provides the CLI')


@tap.test
def icons_at_every_size_and_symbolic():
    icons = under(datadir, 'icons', 'hicolor')
    for size in ICON_SIZES:
        path = os.path.join(icons, f'{size}x{size}', 'apps', app_id + '.png')
        check_installed(path)
        with open(real(path), 'rb') as f:
            header = f.read(29)
        check(header[:8] == b'\x89PNG\r\n\x1a\n' and header[12:16] == b'IHDR', f'{path}: PNG')
        width, height, depth, colour = struct.unpack('>IIBB', header[16:26])
        check((width, height) == (size, size), f'{path} is {width}x{height}, not {size}x{size}')
        check(depth == 8 and colour == 6, f'{path} is 8-bit RGBA')
    check_installed(os.path.join(icons, 'scalable', 'apps', app_id + '.svg'))
    symbolic = os.path.join(icons, 'symbolic', 'apps', app_id + '-symbolic.svg')
    check_installed(symbolic)
    check('<svg' in read(symbolic), 'the symbolic icon is an SVG')
    # The tray's own status icons, scalable and at every size (poste-tray.c names them).
    for state in ('tray', 'tray-fetching', 'tray-attention'):
        check_installed(os.path.join(icons, 'scalable', 'status', f'{app_id}-{state}.svg'))
        for size in ICON_SIZES:
            check_installed(os.path.join(icons, f'{size}x{size}', 'status', f'{app_id}-{state}.png'))


@tap.test
def gsettings_schema():
    check_installed(under(datadir, 'glib-2.0', 'schemas', app_id + '.gschema.xml'))


@tap.test
def dbus_service():
    path = under(datadir, 'dbus-1', 'services', app_id + '.service')
    check_installed(path)
    service = read(path)
    check(f'Name={app_id}' in service, 'names the application id')
    check(f"Exec={under(bindir, 'poste-restante')} --gapplication-service" in service,
          'starts the installed program as a GApplication service')


@tap.test
def systemd_user_unit():
    check(userunitdir != '', 'data/meson.build defines systemd_user_unit_dir')
    path = under(userunitdir, 'poste-restante.service')
    check_installed(path)
    unit = read(path)
    check(f"ExecStart={under(bindir, 'poste-restante-cli')} run" in unit,
          'runs the installed poste-restante-cli run')
    check('WantedBy=default.target' in unit, 'can be enabled for the user session')


@tap.test
def man_page():
    if man_built != '1':
        return 'scdoc was not found: no man page built'
    for page in ('poste-restante-cli', 'poste-restante'):
        path = under(mandir, 'man1', page + '.1')
        check_installed(path)
        check(f'.TH "{page}" "1"' in read(path), 'a section 1 page')


@tap.test
def bash_completion():
    path = under(completionsdir, 'poste-restante-cli')
    check_installed(path)
    check('complete -F _poste_restante_cli poste-restante-cli' in read(path), 'the script')


@tap.test
def french_catalogue():
    path = under(localedir, 'fr', 'LC_MESSAGES', 'poste-restante.mo')
    check_installed(path)
    with open(real(path), 'rb') as f:
        magic, _, count = struct.unpack('<III', f.read(12))
    check(magic == 0x950412de, f'{path} is a GNU .mo catalogue')
    check(count > 100, f'{path} holds {count} messages')


sys.exit(tap.run())
