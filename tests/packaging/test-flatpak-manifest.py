#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest agrees with the build.

Flathub cannot be reached from the test machines, so nothing is built in a sandbox here;
instead the manifest is parsed and checked against the project: the application id, the
command (a program the build makes and installs), a current GNOME runtime, the modules (every
library the project asks meson for is in the runtime or built by a module, each module's
sources pinned by a checksum), the meson options given to the app, and finish-args limited to
exactly what the application needs.

Arguments: MANIFEST APP_ID SOURCE_ROOT BUILD_ROOT
"""

import json
import os
import re
import sys

from packaging_tap import Tap, check

manifest_path, app_id, source_root, build_root = sys.argv[1:5]
tap = Tap()

# What the application may ask of the sandbox, and nothing broader.
ALLOWED_FINISH_ARGS = {
    '--share=network',              # the providers, the local MTA
    '--share=ipc',                  # X11 shared memory
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',                 # GL rendering
    '--talk-name=org.kde.StatusNotifierWatcher',  # the tray icon
}

# pkg-config names the GNOME 47 runtime (with the freedesktop SDK underneath) provides.
RUNTIME_PROVIDES = {
    'glib-2.0', 'gobject-2.0', 'gio-2.0', 'gio-unix-2.0', 'gmodule-2.0', 'gtk4',
    'libadwaita-1', 'gnutls', 'libsecret-1', 'json-glib-1.0', 'libidn2', 'libnotify',
    'libportal', 'libportal-gtk4', 'systemd', 'bash-completion', 'libsystemd',
}
# pkg-config names the manifest's own modules build, by module name.
MODULE_PROVIDES = {
    'gsasl': {'libgsasl'},
}


def strip_comments(text):
    """Removes /* */ comments outside strings (flatpak-builder's JSON parser allows them)."""
    out = []
    i = 0
    in_string = False
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            if c == '\\':
                out.append(text[i + 1])
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
            out.append(c)
        elif text.startswith('/*', i):
            end = text.index('*/', i + 2)
            i = end + 1
        else:
            out.append(c)
        i += 1
    return ''.join(out)


with open(manifest_path, encoding='utf-8') as f:
    raw = f.read()
manifest = json.loads(strip_comments(raw))
modules = manifest.get('modules', [])


def meson_dependencies():
    """Every dependency('NAME', ...) in the project's meson.build files, tests excluded."""
    names = set()
    for top, dirs, files in os.walk(source_root):
        rel = os.path.relpath(top, source_root)
        dirs[:] = [d for d in dirs if not d.startswith('.') and not
                   (rel == '.' and d in ('tests', 'bench', 'subprojects', 'flatpak'))]
        if 'meson.build' in files:
            with open(os.path.join(top, 'meson.build'), encoding='utf-8') as f:
                names.update(re.findall(r"\bdependency\(\s*'([^']+)'", f.read()))
    return names


@tap.test
def manifest_parses_and_names_the_application():
    check(manifest.get('app-id') == app_id, f"app-id {manifest.get('app-id')!r} is not {app_id!r}")
    check(os.path.basename(manifest_path) == app_id + '.json', 'the file is named after the id')


@tap.test
def runtime_is_a_current_gnome_platform():
    check(manifest.get('runtime') == 'org.gnome.Platform', 'runtime is org.gnome.Platform')
    check(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk is org.gnome.Sdk')
    version = str(manifest.get('runtime-version'))
    check(version.isdigit() and int(version) >= 47, f'runtime-version {version} is 47 or newer')


@tap.test
def command_is_the_program_the_build_installs():
    command = manifest.get('command')
    check(command == 'poste-restante', f'command is {command!r}')
    program = os.path.join(build_root, 'src', 'poste-restante', command)
    check(os.access(program, os.X_OK), f'{program} was built')
    # The desktop file starts the same program.
    with open(os.path.join(build_root, 'data', app_id + '.desktop'), encoding='utf-8') as f:
        execs = [line.split('=', 1)[1].split()[0] for line in f if line.startswith('Exec=')]
    check(execs and all(e == command for e in execs), f'desktop Exec lines {execs}')


@tap.test
def finish_args_are_only_the_allowed_ones():
    args = manifest.get('finish-args', [])
    check(len(args) == len(set(args)), 'no finish-arg twice')
    extra = [a for a in args if a not in ALLOWED_FINISH_ARGS]
    check(not extra, f'finish-args beyond what the application needs: {extra}')
    for needed in ('--share=network', '--socket=wayland', '--socket=fallback-x11'):
        check(needed in args, f'{needed} is there')
    for broad in ('--filesystem', '--socket=session-bus', '--socket=system-bus', '--device=all'):
        check(not any(a.startswith(broad) for a in args), f'nothing like {broad}')


@tap.test
def modules_are_the_libraries_then_the_application():
    names = [m.get('name') if isinstance(m, dict) else m for m in modules]
    check(names == ['gsasl', 'poste-restante'], f'modules {names}')
    app = modules[-1]
    check(app.get('buildsystem') == 'meson', 'the application builds with meson')
    sources = app.get('sources', [])
    check(len(sources) == 1 and sources[0].get('type') == 'dir', 'built from this tree')
    tree = os.path.normpath(os.path.join(os.path.dirname(manifest_path), sources[0]['path']))
    check(os.path.samefile(tree, source_root), f'the dir source {tree} is the source root')


@tap.test
def every_library_comes_from_the_runtime_or_a_module():
    provided = set(RUNTIME_PROVIDES)
    for module in modules:
        provided |= MODULE_PROVIDES.get(module.get('name'), set())
    wanted = meson_dependencies()
    check('libgsasl' in wanted, f'meson asks for libgsasl ({sorted(wanted)})')
    missing = sorted(wanted - provided)
    check(not missing, f'libraries neither in the runtime nor built by a module: {missing}')


@tap.test
def library_sources_are_release_tarballs_with_checksums():
    for module in modules[:-1]:
        for source in module.get('sources', []):
            check(source.get('type') == 'archive', f"{module['name']}: an archive")
            url = source.get('url', '')
            check(url.startswith('https://'), f"{module['name']}: {url} over https")
            check(re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')) is not None,
                  f"{module['name']}: a sha256 checksum")
    gsasl = modules[0]['sources'][0]
    version = re.search(r'gsasl-(\d+)\.(\d+)\.(\d+)\.tar\.gz$', gsasl['url'])
    check(version is not None, f"GNU SASL from ftp.gnu.org's release tarball: {gsasl['url']}")
    check(tuple(int(v) for v in version.groups()) >= (1, 10, 0), 'GNU SASL 1.10 or newer')
    # Where a checksum comes from is said next to it.
    check('checksum' in raw and '.dsc' in raw, 'the checksum has its provenance in a comment')


@tap.test
def application_options_are_meson_options_of_the_project():
    with open(os.path.join(source_root, 'meson_options.txt'), encoding='utf-8') as f:
        options = set(re.findall(r"option\('([^']+)'", f.read()))
    opts = modules[-1].get('config-opts', [])
    check('-Dtests=false' in opts, 'the tests are not built inside the sandbox')
    for opt in opts:
        match = re.fullmatch(r'-D([a-z_-]+)=(.+)', opt)
        check(match is not None and match.group(1) in options, f'{opt} is a project option')


sys.exit(tap.run())
