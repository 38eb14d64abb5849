#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The icons' PNG renderings are the SVGs', at every hicolor size, and the symbolic icon fits.

The PNGs under data/icons/hicolor/SIZExSIZE/apps (the application) and .../status (the tray's
idle, fetching and attention icons) are made from the scalable SVGs by data/icons/render-pngs
(rsvg-convert) and committed. This renders the SVG again and compares
pixels, so a changed SVG whose PNGs were not made again fails here. The symbolic icon is a
16x16 SVG, as the icon naming specification's symbolic icons are.

Arguments: SOURCE_ROOT APP_ID
"""

import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

from packaging_tap import Tap, check

source_root, app_id = sys.argv[1:3]
icons = os.path.join(source_root, 'data', 'icons', 'hicolor')
svg = os.path.join(icons, 'scalable', 'apps', app_id + '.svg')
# (category, icon name) of every icon with PNG renderings.
ICONS = [('apps', app_id)] + [('status', f'{app_id}-{state}')
                              for state in ('tray', 'tray-fetching', 'tray-attention')]
SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
tap = Tap()
tmp = tempfile.TemporaryDirectory(prefix='poste-icons-')


def decode_png(path):
    """(width, height, RGBA bytes) of an 8-bit RGBA, non-interlaced PNG."""
    with open(path, 'rb') as f:
        data = f.read()
    check(data[:8] == b'\x89PNG\r\n\x1a\n', f'{path} is a PNG')
    pos, idat, header = 8, b'', None
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            header = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    check((depth, colour, interlace) == (8, 6, 0), f'{path} is 8-bit RGBA, not interlaced')
    raw = zlib.decompress(idat)
    stride = width * 4
    out = bytearray()
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - 4] if x >= 4 else 0
            b = previous[x]
            c = previous[x - 4] if x >= 4 else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xff
            elif kind == 2:
                line[x] = (line[x] + b) & 0xff
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        out += line
        previous = line
    return width, height, bytes(out)


@tap.test
def every_size_is_there_and_not_empty():
    for (category, name), size in ((icon, size) for icon in ICONS for size in SIZES):
        path = os.path.join(icons, f'{size}x{size}', category, name + '.png')
        width, height, pixels = decode_png(path)
        check((width, height) == (size, size), f'{path} is {width}x{height}')
        opaque = sum(1 for i in range(3, len(pixels), 4) if pixels[i] > 200)
        check(opaque > size * size // 4, f'{path} has a visible icon ({opaque} opaque pixels)')


@tap.test
def pngs_are_renderings_of_the_svg():
    rsvg = shutil.which('rsvg-convert')
    if rsvg is None:
        return 'rsvg-convert is not installed (Debian package librsvg2-bin)'
    for (category, name), size in ((icon, size) for icon in ICONS for size in SIZES):
        source = os.path.join(icons, 'scalable', category, name + '.svg')
        fresh = os.path.join(tmp.name, f'{name}-{size}.png')
        subprocess.run([rsvg, '--width', str(size), '--height', str(size), '--keep-aspect-ratio',
                        '--output', fresh, source], check=True, timeout=60)
        _, _, want = decode_png(fresh)
        _, _, have = decode_png(os.path.join(icons, f'{size}x{size}', category, name + '.png'))
        worst = max(abs(p - q) for p, q in zip(want, have))
        check(worst <= 8, f'{name} at {size}x{size} differs from its SVG by up to {worst}: run '
              'data/icons/render-pngs')


@tap.test
def scalable_and_symbolic_svgs():
    root = ET.parse(svg).getroot()
    check(root.get('viewBox') == '0 0 128 128', 'the scalable icon is drawn on 128x128')
    for category, name in ICONS[1:]:
        root = ET.parse(os.path.join(icons, 'scalable', category, name + '.svg')).getroot()
        check(root.get('viewBox') == '0 0 128 128', f'{name} is drawn on 128x128')
    symbolic = os.path.join(icons, 'symbolic', 'apps', app_id + '-symbolic.svg')
    root = ET.parse(symbolic).getroot()
    check(root.get('viewBox') == '0 0 16 16', 'the symbolic icon is drawn on 16x16')


# An icon name in the sources: a "...-symbolic" string, or a .ui file's icon-name property.
ICON_NAME_SOURCES = ('src/poste-restante',)
SYMBOLIC_LITERAL = re.compile(r'"([a-z0-9][a-z0-9.-]*-symbolic)"')
ICON_NAME_PROPERTY = re.compile(r'<property name="icon[-_]name">([^<]+)</property>')
# Where GTK finds them: our own icons, and the theme every GTK application falls back to
# (Adwaita, then hicolor), as installed on the host and in the GNOME runtime.
THEME_DIRS = ['/usr/share/icons/Adwaita', '/usr/share/icons/hicolor']


def icon_names_used():
    names = {}
    for folder in ICON_NAME_SOURCES:
        for root, _dirs, files in os.walk(os.path.join(source_root, folder)):
            for name in files:
                if not name.endswith(('.c', '.ui')):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding='utf-8') as f:
                    text = f.read()
                for pattern in (SYMBOLIC_LITERAL, ICON_NAME_PROPERTY):
                    for match in pattern.finditer(text):
                        names.setdefault(match.group(1), os.path.relpath(path, source_root))
    return names


def icon_files():
    found = set()
    for top in [os.path.join(source_root, 'data', 'icons')] + THEME_DIRS:
        for _root, _dirs, files in os.walk(top):
            for name in files:
                stem, ext = os.path.splitext(name)
                if ext in ('.svg', '.png'):
                    found.add(stem)
    return found


@tap.test
def every_icon_name_the_ui_uses_exists():
    if not os.path.isdir(THEME_DIRS[0]):
        return 'no Adwaita icon theme here (Debian package adwaita-icon-theme)'
    names = icon_names_used()
    check(len(names) > 10, f'{len(names)} icon names found in the sources')
    files = icon_files()
    missing = sorted(f'{name} ({where})' for name, where in names.items() if name not in files)
    check(not missing, 'icons used but found nowhere: ' + ', '.join(missing))


sys.exit(tap.run())
