#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The AppStream metainfo describes the application as it is built and shipped.

appstreamcli validates the format (tests/data); this checks the content against the project:
a real description, a release for the project's version (newest first) and notes for every
release, the developer with an id, branding colours for light and dark, an OARS content rating, the launchable desktop file that exists, the binaries the build makes, and screenshots
that are the PNGs in data/screenshots (each one listed, each listed one present, with a
caption and a size software centres can show).

Arguments: METAINFO(built) SOURCE_ROOT BUILD_ROOT APP_ID VERSION
"""

import os
import re
import struct
import sys
import xml.etree.ElementTree as ET

from packaging_tap import Tap, check

metainfo, source_root, build_root, app_id, version = sys.argv[1:6]
tap = Tap()
root = ET.parse(metainfo).getroot()
SCREENSHOT_URL = 'https://raw.githubusercontent.com/posterestante/poste-restante/main/'


def untranslated(elements):
    return [e for e in elements if '{http://www.w3.org/XML/1998/namespace}lang' not in e.attrib]


@tap.test
def identity():
    check(root.get('type') == 'desktop-application', 'a desktop application')
    check(root.findtext('id') == app_id, f"id {root.findtext('id')}")
    check(root.findtext('metadata_license') == 'CC0-1.0', 'metadata under CC0-1.0')


@tap.test
def real_description():
    description = untranslated(root.findall('description'))
    check(len(description) == 1, 'one description')
    paragraphs = untranslated(description[0].findall('p'))
    words = sum(len(''.join(p.itertext()).split()) for p in paragraphs)
    check(len(paragraphs) >= 2 and words >= 60, f'{len(paragraphs)} paragraphs, {words} words')
    translated = [e for e in root.iter('p')
                  if e.get('{http://www.w3.org/XML/1998/namespace}lang') == 'fr']
    check(translated, 'the French translation was merged')


@tap.test
def releases_and_content_rating():
    releases = root.findall('releases/release')
    check(releases, 'releases are listed')
    check(releases[0].get('version') == version,
          f"the newest release {releases[0].get('version')} is the project's version {version}")
    for release in releases:
        check(re.fullmatch(r'\d{4}-\d{2}-\d{2}', release.get('date', '')) is not None,
              f"release {release.get('version')} has a date")
        notes = untranslated(release.findall('description'))
        words = sum(len(''.join(e.itertext()).split()) for e in notes)
        check(len(notes) == 1 and words >= 10, f"release {release.get('version')} has notes")
    rating = root.find('content_rating')
    check(rating is not None and rating.get('type') in ('oars-1.0', 'oars-1.1'), 'OARS rating')


@tap.test
def developer_and_branding():
    # Flathub wants the developer as <developer id=...> with a name (AppStream 1.0), not the
    # older <developer_name>.
    developer = root.find('developer')
    check(developer is not None and re.fullmatch(r'[a-z0-9]+(\.[a-z0-9-]+)+',
                                                 developer.get('id', '')) is not None,
          'a developer with a reverse-DNS id')
    check(untranslated(developer.findall('name')) and developer.findtext('name').strip(),
          'the developer has a name')
    check(root.find('developer_name') is None, 'no deprecated <developer_name>')
    colours = {c.get('scheme_preference'): c.text for c in root.findall('branding/color')
               if c.get('type') == 'primary'}
    check(set(colours) == {'light', 'dark'}, f'primary colours for light and dark: {colours}')
    for scheme, colour in colours.items():
        check(re.fullmatch(r'#[0-9a-f]{6}', colour or '') is not None, f'{scheme}: {colour}')
    check(colours['light'] != colours['dark'], 'the two colours differ')


@tap.test
def launchable_and_provided_binaries():
    launchable = root.find("launchable[@type='desktop-id']")
    check(launchable is not None and launchable.text == app_id + '.desktop', 'launchable')
    check(os.path.exists(os.path.join(build_root, 'data', launchable.text)),
          'the desktop file it names is built')
    binaries = sorted(b.text for b in root.findall('provides/binary'))
    check(binaries == ['poste-restante', 'poste-restante-cli'], f'provides {binaries}')
    for binary, folder in (('poste-restante', 'poste-restante'),
                           ('poste-restante-cli', 'poste-restante-cli')):
        check(os.access(os.path.join(build_root, 'src', folder, binary), os.X_OK),
              f'{binary} is built')


@tap.test
def screenshots_are_the_shipped_pngs():
    folder = os.path.join(source_root, 'data', 'screenshots')
    shipped = sorted(f for f in os.listdir(folder) if f.endswith('.png'))
    screenshots = root.findall('screenshots/screenshot')
    check(screenshots, 'screenshots are listed')
    check(sum(1 for s in screenshots if s.get('type') == 'default') == 1, 'one default')
    listed = []
    for screenshot in screenshots:
        image = screenshot.findtext('image', '')
        check(image.startswith(SCREENSHOT_URL + 'data/screenshots/'), f'{image} is in the repo')
        name = image.rsplit('/', 1)[1]
        listed.append(name)
        check(untranslated(screenshot.findall('caption')), f'{name} has a caption')
        with open(os.path.join(folder, name), 'rb') as f:
            header = f.read(24)
        check(header[:8] == b'\x89PNG\r\n\x1a\n', f'{name} is a PNG')
        width, height = struct.unpack('>II', header[16:24])
        check(width >= 360 and height >= 300, f'{name} is {width}x{height}')
    check(sorted(listed) == shipped, f'listed {sorted(listed)}, shipped {shipped}')


sys.exit(tap.run())
