#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The bash completion of poste-restante-cli, sourced into a real bash and asked for candidates.

Commands come from the program's --help, options from each command's --help, and provider
names from the [provider NAME] groups of the configuration file (--config FILE or the default
path under XDG_CONFIG_HOME).

Arguments: COMPLETION_SCRIPT CLI
"""

import os
import shutil
import subprocess
import sys
import tempfile

from packaging_tap import Tap, check, skip_all

script, cli = sys.argv[1:3]
bash = shutil.which('bash')
if bash is None:
    skip_all('bash is not installed')

tap = Tap()
tmp = tempfile.TemporaryDirectory(prefix='poste-completion-')
config_home = os.path.join(tmp.name, 'config')
os.makedirs(os.path.join(config_home, 'poste-restante'))
with open(os.path.join(config_home, 'poste-restante', 'poste-restante.conf'), 'w') as f:
    f.write('# the default file\n[provider acme]\nhost=odmr.acme.example\n'
            'delivery=maildir:~/Maildir\n\n[provider backup-mx]\nhost=mx2.example\n'
            'delivery=mbox:~/mbox\n\n[outbox]\nlisten=127.0.0.1\nport=2525\n')
other = os.path.join(tmp.name, 'other.conf')
with open(other, 'w') as f:
    f.write('[provider elsewhere]\nhost=odmr.elsewhere.example\ndelivery=mbox:/tmp/x\n')


BASH_COMPLETION = '/usr/share/bash-completion/bash_completion'


def complete(*words, framework=False):
    """The candidates bash offers for a command line whose last word is being completed.

    With @framework, bash-completion itself is loaded first (as in an interactive shell), and
    the words are split at '=' as readline splits them (COMP_WORDBREAKS)."""
    comp_words = []
    for word in (cli,) + words:
        if framework and '=' in word:
            before, after = word.split('=', 1)
            comp_words += [before, '=', after]
        else:
            comp_words.append(word)
    line = ' '.join(f"'{w}'" for w in comp_words)
    preamble = f'source {BASH_COMPLETION} || exit 89' if framework else ''
    program = f'''
{preamble}
source "$1" || exit 90
declare -F _poste_restante_cli >/dev/null || exit 91
[[ $(complete -p poste-restante-cli) == *"-F _poste_restante_cli"* ]] || exit 92
COMP_WORDS=({line})
COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
COMP_LINE="{' '.join((cli,) + words)}"
COMP_POINT=${{#COMP_LINE}}
COMPREPLY=()
_poste_restante_cli
printf '%s\\n' "${{COMPREPLY[@]}}"
'''
    env = dict(os.environ, XDG_CONFIG_HOME=config_home, HOME=tmp.name)
    out = subprocess.run([bash, '--norc', '--noprofile', '-c', program, 'bash', script],
                         env=env, capture_output=True, text=True, timeout=60)
    check(out.returncode == 0, f'bash exited {out.returncode}: {out.stderr}')
    return sorted(w for w in out.stdout.split('\n') if w)


@tap.test
def f_completes_to_fetch():
    got = complete('f')
    check(got == ['fetch'], f'poste-restante-cli f<TAB> gives {got}')


@tap.test
def every_command_is_offered():
    env = dict(os.environ, LC_ALL='C')
    text = subprocess.run([cli, '--help'], env=env, capture_output=True, text=True,
                          timeout=60).stdout
    listed = text.split('Commands:\n', 1)[1].split('\n\n', 1)[0]
    commands = sorted({line.split()[0] for line in listed.split('\n')} | {'help'})
    got = complete('')
    check(got == commands, f'{got} != {commands}')
    check(complete('im') == ['import-fetchmailrc'], 'im<TAB>')


@tap.test
def global_and_command_options():
    check(complete('--c') == ['--config'], '--c<TAB>')
    check('--version' in complete('--'), '--<TAB> offers --version')
    check(complete('history', '--l') == ['--limit'], 'history --l<TAB>')
    check(complete('import-fetchmailrc', '--d') == ['--dry-run'], 'import-fetchmailrc --d<TAB>')
    send = complete('send', '-')
    check({'-f', '-t', '-i', '-oi'} <= set(send), f'send -<TAB> gives {send}')
    check(complete('send', '-o') == ['-oi'], 'send -o<TAB>')


@tap.test
def provider_names_from_the_default_configuration():
    check(complete('fetch', '') == ['acme', 'backup-mx'], f"fetch: {complete('fetch', '')}")
    check(complete('fetch', 'acme', 'b') == ['backup-mx'], 'fetch takes several providers')
    check(complete('check', 'a') == ['acme'], 'check a<TAB>')
    check(complete('check', 'acme', '') == [], 'check takes one provider')
    check(complete('history', '-p', '') == ['acme', 'backup-mx'], 'history -p <TAB>')
    check(complete('-v', 'check', '') == ['acme', 'backup-mx'], 'after a global option')


@tap.test
def provider_names_from_the_config_option():
    check(complete('--config', other, 'fetch', '') == ['elsewhere'], '--config FILE')
    check(complete(f'--config={other}', 'check', '') == ['elsewhere'], '--config=FILE')
    check(complete('-c', os.path.join(tmp.name, 'missing.conf'), 'fetch', '') == [],
          'a file that does not exist gives no names')


@tap.test
def inside_bash_completion():
    if not os.path.exists(BASH_COMPLETION):
        return 'bash-completion is not installed'
    check(complete('f', framework=True) == ['fetch'], 'f<TAB> with bash-completion loaded')
    check(complete('fetch', '', framework=True) == ['acme', 'backup-mx'], 'providers')
    check(complete(f'--config={other}', 'fetch', '', framework=True) == ['elsewhere'],
          '--config=FILE split by readline at the =')
    check(complete('history', '--provider', 'b', framework=True) == ['backup-mx'],
          'history --provider b<TAB>')


sys.exit(tap.run())
