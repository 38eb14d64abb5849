# SPDX-License-Identifier: GPL-3.0-or-later
"""Reading the Flatpak manifest as flatpak-builder does: JSON with /* */ comments."""

import json


def comments(text):
    """The /* */ comments outside strings."""
    found = []
    i = 0
    in_string = False
    while i < len(text):
        c = text[i]
        if in_string:
            if c == '\\':
                i += 1
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif text.startswith('/*', i):
            end = text.index('*/', i + 2)
            found.append(text[i + 2:end])
            i = end + 1
        i += 1
    return found


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


def load(path):
    """Returns (the raw text, the manifest as a dict)."""
    with open(path, encoding='utf-8') as f:
        raw = f.read()
    return raw, json.loads(strip_comments(raw))
