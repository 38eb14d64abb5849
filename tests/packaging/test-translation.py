#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A translation is complete, valid, and up to date with the sources.

msgfmt --check on po/LANG.po (format strings, headers, plural forms), no untranslated and no
fuzzy message; then a fresh template is extracted from po/POTFILES.in with the same xgettext
options as meson's `poste-restante-pot` target, merged into a copy of LANG.po, and the merge
must still be complete: a string added to the sources without its translation fails here.
Mnemonics (the _ before a letter) and c-format specifiers survive translation.

Arguments: SOURCE_ROOT LANG
"""

import os
import re
import subprocess
import sys
import tempfile

from packaging_tap import Tap, check

source_root, lang = sys.argv[1:3]
po_dir = os.path.join(source_root, 'po')
po_file = os.path.join(po_dir, lang + '.po')
tap = Tap()
tmp = tempfile.TemporaryDirectory(prefix='poste-po-')
env = dict(os.environ, LC_ALL='C')

# meson's i18n 'glib' preset, as po/meson.build uses it.
XGETTEXT_ARGS = [
    '--from-code=UTF-8', '--add-comments', '-k_',
    '--keyword=_', '--keyword=N_', '--keyword=C_:1c,2', '--keyword=NC_:1c,2',
    '--keyword=g_dcgettext:2', '--keyword=g_dngettext:2,3', '--keyword=g_dpgettext2:2c,3',
    '--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
    '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
    '--flag=g_string_printf:2:c-format', '--flag=g_string_append_printf:2:c-format',
    '--flag=g_error_new:3:c-format', '--flag=g_set_error:4:c-format',
    '--flag=g_markup_printf_escaped:1:c-format', '--flag=g_log:3:c-format',
    '--flag=g_print:1:c-format', '--flag=g_printerr:1:c-format', '--flag=g_printf:1:c-format',
    '--flag=g_fprintf:2:c-format', '--flag=g_sprintf:2:c-format',
    '--flag=g_snprintf:3:c-format',
]


def run(*argv):
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)


def statistics(path):
    """(translated, fuzzy, untranslated) from msgfmt --check --statistics."""
    out = run('msgfmt', '--check', '--statistics', '-o', os.devnull, path)
    check(out.returncode == 0, f'msgfmt --check {path}: {out.stderr}')
    numbers = {}
    for kind in ('translated', 'fuzzy', 'untranslated'):
        match = re.search(rf'(\d+) {kind} (?:message|translation)', out.stderr)
        numbers[kind] = int(match.group(1)) if match else 0
    return numbers['translated'], numbers['fuzzy'], numbers['untranslated'], out.stderr.strip()


def listing(path, *which):
    out = run('msgattrib', *which, '--no-wrap', '--no-location', path)
    return re.findall(r'^msgid "(.+)"$', out.stdout, re.M)


@tap.test
def catalogue_is_valid_and_complete():
    translated, fuzzy, untranslated, text = statistics(po_file)
    print(f'# {lang}.po: {text}')
    check(translated > 0, 'something is translated')
    check(fuzzy == 0, f"{fuzzy} fuzzy: {listing(po_file, '--only-fuzzy')[:20]}")
    check(untranslated == 0,
          f"{untranslated} untranslated: {listing(po_file, '--untranslated')[:20]}")


@tap.test
def catalogue_is_up_to_date_with_the_sources():
    template = os.path.join(tmp.name, 'fresh.pot')
    out = run('xgettext', '--package-name=poste-restante', '-f',
              os.path.join(po_dir, 'POTFILES.in'), '-D', source_root, '-o', template,
              *XGETTEXT_ARGS)
    check(out.returncode == 0, f'xgettext: {out.stderr}')
    in_template = len(re.findall(r'^msgid ', open(template, encoding='utf-8').read(), re.M)) - 1
    check(in_template > 100, f'the fresh template has {in_template} messages')
    merged = os.path.join(tmp.name, 'merged.po')
    out = run('msgmerge', '--quiet', '--previous', '-o', merged, po_file, template)
    check(out.returncode == 0, f'msgmerge: {out.stderr}')
    translated, fuzzy, untranslated, text = statistics(merged)
    print(f'# merged with the sources: {text}')
    check(fuzzy == 0 and untranslated == 0,
          f'{lang}.po is behind the sources ({fuzzy} fuzzy, {untranslated} untranslated after '
          f"msgmerge; run `ninja poste-restante-update-po` and translate): "
          f"{(listing(merged, '--only-fuzzy') + listing(merged, '--untranslated'))[:20]}")
    check(translated == in_template, f'{translated} translated of {in_template}')


SPECIFIER = re.compile(r"%(?:(\d+)\$)?[-#0 +']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t)?[sdiuxXcpfgeE%]")
MNEMONIC = re.compile(r'(?:^|[^_])_[^\W_]')


def read_po(path):
    """The translated, non-fuzzy entries of a .po file: (msgid, [msgstr...], flags)."""
    entries, entry, field = [], None, None

    def finish():
        if entry and entry['msgid'] and 'fuzzy' not in entry['flags']:
            entries.append((entry['msgid'], [v for k, v in sorted(entry.items())
                                             if k.startswith('msgstr')], entry['flags']))

    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('#~'):
                continue
            if line.startswith('#,'):
                finish()
                entry, field = {'msgid': '', 'flags': line[2:]}, None
                continue
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                if match.group(1) in ('msgctxt', 'msgid') and (entry is None or 'msgstr' in
                                                              ''.join(entry)):
                    finish()
                    entry = {'msgid': '', 'flags': ''}
                field = match.group(1)
                entry[field] = entry.get(field, '') + match.group(2)
            elif line.startswith('"') and field:
                entry[field] += line[1:-1]
    finish()
    return entries


def specifiers(text):
    return sorted(m.group(0).replace(f'{m.group(1)}$', '') if m.group(1) else m.group(0)
                  for m in SPECIFIER.finditer(text))


@tap.test
def mnemonics_and_placeholders_survive():
    entries = read_po(po_file)
    check(len(entries) > 100, f'{len(entries)} entries read')
    for msgid, msgstrs, flags in entries:
        for msgstr in msgstrs:
            if not msgstr:
                continue
            check(specifiers(msgid) == specifiers(msgstr),
                  f'placeholders of {msgid!r} differ in {msgstr!r}')
            if MNEMONIC.search(msgid) and msgid.count('_') == 1 and ' ' not in msgid.strip('_')[:1]:
                check(MNEMONIC.search(msgstr) is not None and msgstr.count('_') == 1,
                      f'the mnemonic of {msgid!r} is lost in {msgstr!r}')


@tap.test
def french_typography():
    if lang != 'fr':
        return 'only French has these rules here'
    for msgid, msgstrs, flags in read_po(po_file):
        for msgstr in msgstrs:
            # Before ; : ! ? French puts a (narrow) no-break space, never a plain one; a colon
            # in what is not prose (commands, formats, addresses) is left alone.
            for match in re.finditer(r' ([;:!?])', msgstr):
                context = msgstr[max(0, match.start() - 12):match.end() + 12]
                if re.search(r'[a-z]+=|%|HH:MM|://|\\n', context):
                    continue
                raise AssertionError(f'a plain space before {match.group(1)!r} in {msgstr!r}')
            # English quotes become guillemets.
            check('\u201c' not in msgstr and '\u201d' not in msgstr,
                  f'English quotation marks in {msgstr!r}')


@tap.test
def french_terms():
    if lang != 'fr':
        return 'only French has these terms here'
    # A schedule of fetches is a "planification": a "calendrier" is a calendar of dates.
    for msgid, msgstrs, flags in read_po(po_file):
        for msgstr in msgstrs:
            check('calendrier' not in msgstr.lower(), f'"calendrier" for a schedule in {msgstr!r}')
        if msgid == 'Schedule':
            check(msgstrs == ['Planification'], f'"Schedule" is {msgstrs!r}')


sys.exit(tap.run())
