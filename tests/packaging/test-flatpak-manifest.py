#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Flatpak manifest agrees with the build.

Flathub cannot be reached from the test machines, so nothing is built in a sandbox here;
instead the manifest is read by flatpak-builder itself (--show-manifest, when it is installed:
its parser is stricter than JSON's about comments and knows every property), parsed, and checked
against the project: the application id, the command (a program the build makes and installs),
a current GNOME runtime, the modules (every library the project asks meson for is in the runtime
or built by a module, each module's sources pinned by a checksum, the application by a release
tag and its commit), the meson options given to the app, and finish-args limited to exactly what
the application needs. The development manifest must be the same but for the application's
source, which is the working tree.

Arguments: MANIFEST DEVEL_MANIFEST APP_ID SOURCE_ROOT BUILD_ROOT FLATPAK_BUILDER|-
"""

import json
import os
import re
import shutil
import subprocess
import sys

from flatpak_manifest import comments, load
from packaging_tap import Tap, check

manifest_path, devel_path, app_id, source_root, build_root, flatpak_builder = sys.argv[1:7]
tap = Tap()

# What the application may ask of the sandbox, and nothing broader.
ALLOWED_FINISH_ARGS = {
    '--share=network',              # the providers, the local MTA
    '--share=ipc',                  # X11 shared memory
    '--socket=wayland',
    '--socket=fallback-x11',
    '--device=dri',                 # GL rendering
    '--talk-name=org.kde.StatusNotifierWatcher',  # the tray icon
    '--filesystem=~/Maildir:create',  # the editor's default target, where Maildir readers look
    '--filesystem=~/mail',          # mbox readers' folders, when the user has them
}
# The oldest GNOME runtime Flathub still supports (the newest two: 50 and 51 in December 2026).
OLDEST_SUPPORTED_GNOME = 50

# pkg-config names the GNOME runtime (with the freedesktop SDK underneath) provides.
RUNTIME_PROVIDES = {
    'glib-2.0', 'gobject-2.0', 'gio-2.0', 'gio-unix-2.0', 'gmodule-2.0', 'gtk4',
    'libadwaita-1', 'gnutls', 'libsecret-1', 'json-glib-1.0', 'libidn2', 'libnotify',
    'libportal', 'libportal-gtk4', 'systemd', 'bash-completion', 'libsystemd',
}
# pkg-config names the manifest's own modules build, by module name.
MODULE_PROVIDES = {
    'gsasl': {'libgsasl'},
}


raw, manifest = load(manifest_path)
modules = manifest.get('modules', [])
devel_raw, devel = load(devel_path)


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
def flatpak_builder_reads_both_manifests():
    # json-glib 1.6 (flatpak-builder 1.2) ends a comment at any slash inside it: none may hold one.
    for path, text in ((manifest_path, raw), (devel_path, devel_raw)):
        for comment in comments(text):
            check('/' not in comment, f'{path}: a comment holds a slash: {comment[:60]!r}')
    if flatpak_builder == '-':
        return 'flatpak-builder is not installed (tools/install-deps installs it)'
    for path in (manifest_path, devel_path):
        result = subprocess.run([flatpak_builder, '--show-manifest', path],
                                capture_output=True, text=True, check=False)
        check(result.returncode == 0, f'{path}: {result.stderr.strip()}')
        # An unknown property is only a warning to flatpak-builder; here it is a mistake.
        check(result.stderr.strip() == '', f'{path}: {result.stderr.strip()}')
        shown = json.loads(result.stdout)
        check(shown.get('id', shown.get('app-id')) == app_id, f'{path}: flatpak-builder sees {app_id}')
    return None


@tap.test
def runtime_is_a_current_gnome_platform():
    check(manifest.get('runtime') == 'org.gnome.Platform', 'runtime is org.gnome.Platform')
    check(manifest.get('sdk') == 'org.gnome.Sdk', 'sdk is org.gnome.Sdk')
    version = str(manifest.get('runtime-version'))
    check(version.isdigit() and int(version) >= OLDEST_SUPPORTED_GNOME,
          f'runtime-version {version} is {OLDEST_SUPPORTED_GNOME} or newer')
    # Why this runtime is said next to it.
    check(f'GNOME {version}' in raw, f'the comment explains the choice of GNOME {version}')


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
    for broad in ('--filesystem=home', '--filesystem=host', '--socket=session-bus',
                  '--socket=system-bus', '--device=all', '--talk-name=org.freedesktop.Flatpak'):
        check(not any(a.startswith(broad) for a in args), f'nothing like {broad}')
    # The editor's default target is inside a grant that creates it: it works out of the box.
    check('--filesystem=~/Maildir:create' in args, 'the default target maildir:~/Maildir is granted')


@tap.test
def modules_are_the_libraries_then_the_application():
    names = [m.get('name') if isinstance(m, dict) else m for m in modules]
    check(names == ['gsasl', 'poste-restante'], f'modules {names}')
    app = modules[-1]
    check(app.get('buildsystem') == 'meson', 'the application builds with meson')
    sources = app.get('sources', [])
    check(len(sources) == 1 and sources[0].get('type') == 'git', 'the release is built from git')
    source = sources[0]
    check(source.get('url', '').startswith('https://'), f"git over https: {source.get('url')}")
    version = manifest_version()
    check(source.get('tag') == f'v{version}', f"tag {source.get('tag')} is v{version}")
    commit = source.get('commit', '')
    check(re.fullmatch(r'[0-9a-f]{40}', commit) is not None, f'the tag\'s commit in full: {commit}')
    check('branch' not in source, 'a tag and its commit, not a branch that moves')
    git = shutil.which('git')
    if git is not None and os.path.exists(os.path.join(source_root, '.git')):
        result = subprocess.run([git, '-C', source_root, 'cat-file', '-e', commit + '^{commit}'],
                                capture_output=True, check=False)
        check(result.returncode == 0, f'{commit} is a commit of this repository')


def manifest_version():
    with open(os.path.join(source_root, 'meson.build'), encoding='utf-8') as f:
        return re.search(r"version:\s*'([^']+)'", f.read()).group(1)


@tap.test
def development_manifest_builds_this_tree_and_is_otherwise_the_same():
    check(os.path.basename(devel_path) == app_id + '.json', 'the development manifest is named after the id')
    sources = devel.get('modules', [{}])[-1].get('sources', [])
    check(len(sources) == 1 and sources[0].get('type') == 'dir', 'built from this tree')
    tree = os.path.normpath(os.path.join(os.path.dirname(devel_path), sources[0]['path']))
    check(os.path.samefile(tree, source_root), f'the dir source {tree} is the source root')
    check('_build' in sources[0].get('skip', []), 'the host\'s build tree is not copied in')
    release = json.loads(json.dumps(manifest))
    release['modules'][-1]['sources'] = sources
    check(release == devel, 'the two manifests differ only in the application\'s source')


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
    given = set()
    for opt in opts:
        match = re.fullmatch(r'-D([a-z_-]+)=(.+)', opt)
        check(match is not None and match.group(1) in options, f'{opt} is a project option')
        given.add(match.group(1))
    # Every option is given, so a new one is a decision for the Flatpak too.
    check(given == options, f'options not given to the Flatpak build: {sorted(options - given)}')


sys.exit(tap.run())
