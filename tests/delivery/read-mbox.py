#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# read-mbox.py MBOX OUTDIR: reads MBOX with Python's mailbox module and writes, for each message
# N (from 0), OUTDIR/N.msg (its content with the mboxrd quoting undone) and OUTDIR/N.from (its
# "From " line). Prints the number of messages. Python's mbox class splits messages but does not
# undo mboxrd quoting itself, so the one rule is applied here: "^>(>*From )" loses one '>'.
import mailbox
import os
import re
import sys

box = mailbox.mbox(sys.argv[1], create=False)
count = 0
for key in box.keys():
    data = box.get_bytes(key)
    data = re.sub(rb'(?m)^>(>*From )', rb'\1', data)
    with open(os.path.join(sys.argv[2], '%d.msg' % count), 'wb') as f:
        f.write(data)
    with open(os.path.join(sys.argv[2], '%d.from' % count), 'w') as f:
        f.write(box.get_message(key).get_from())
    count += 1
print(count)
