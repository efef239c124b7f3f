#!/usr/bin/env python3
"""Keeps the stable log message numbers of the module in order.

Every message the module logs starts with a number of its own, ACLOGNO(nnnnn)
-> "AC01234: ", the way httpd's APLOGNO tags its messages: an operator can
grep for one message, and a search for the number finds the line of code.

    python3 test/lognos.py            check: every ap_log_*error() and
                                      ac_audit() call in mod_auth_client.c
                                      and src/ carries ACLOGNO(nnnnn), and no
                                      number is used twice (the test command)
    python3 test/lognos.py --assign   give each call that lacks one the next
                                      free number (before its format string)

A number, once given, stays with its message: reword the message freely,
but do not reuse the number of a removed one for a different message.
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CALL = re.compile(r'\b(ap_log_rerror|ap_log_error|ap_log_cerror|ap_log_perror|ac_audit)\s*\(')
NUMBER = re.compile(r'ACLOGNO\((\d{5})\)')


def sources():
    yield os.path.join(TOP, 'mod_auth_client.c')
    src = os.path.join(TOP, 'src')
    for name in sorted(os.listdir(src)):
        if name.endswith('.c'):
            yield os.path.join(src, name)


def call_end(text, start):
    """Index just past the ')' that closes the call opened at text[start-1]."""
    depth, i = 1, start
    while depth and i < len(text):
        c = text[i]
        if c == '"' or c == "'":
            i += 1
            while text[i] != c:
                i += 2 if text[i] == '\\' else 1
        elif c == '(':
            depth += 1
        elif c == ')':
            depth -= 1
        i += 1
    return i


def calls(text):
    """(start of the arguments, end of the call) of each logging call,
    skipping the declaration of ac_audit itself."""
    for m in CALL.finditer(text):
        line_start = text.rfind('\n', 0, m.start()) + 1
        before = text[line_start:m.start()]
        if before.strip() and not before.strip().endswith(('=', '(', ',', 'return')):
            continue    # a declaration or definition ("void ac_audit(")
        if text.rfind('lognos: numbered by the caller', 0, m.start()) > \
                text.rfind('\n}', 0, m.start()):
            continue    # passes on its caller's number (audit.c)
        yield m.end(), call_end(text, m.end())


def line_of(text, i):
    return text.count('\n', 0, i) + 1


def check():
    seen, problems = {}, []
    for path in sources():
        text = open(path, encoding='utf-8').read()
        rel = os.path.relpath(path, TOP)
        for start, end in calls(text):
            numbers = NUMBER.findall(text[start:end])
            where = '%s:%d' % (rel, line_of(text, start))
            if len(numbers) != 1:
                problems.append('%s: a log call with %d ACLOGNO numbers (need one; '
                                'python3 test/lognos.py --assign)' % (where, len(numbers)))
                continue
            if numbers[0] in seen:
                problems.append('%s: ACLOGNO(%s) is already used at %s'
                                % (where, numbers[0], seen[numbers[0]]))
            seen[numbers[0]] = where
    for p in problems:
        print('lognos: ' + p)
    if not problems:
        print('lognos: %d log calls, each with a number of its own' % len(seen))
    return 1 if problems else 0


def first_string(text, start, end):
    m = re.compile(r'"').search(text, start, end)
    return m.start() if m else None


def insert(text, at, tag):
    """The tag before text[at]; when the line grows past 80 columns the rest
    moves to a line of its own, under the call's first argument."""
    line_start = text.rfind('\n', 0, at) + 1
    line_end = text.find('\n', at)
    if line_end - line_start + len(tag) <= 80:
        return text[:at] + tag + text[at:]
    indent = text.index('(', line_start) + 1 - line_start
    return text[:at] + tag.rstrip() + '\n' + ' ' * indent + text[at:]


def assign():
    used = set()
    texts = {}
    for path in sources():
        texts[path] = open(path, encoding='utf-8').read()
        used.update(int(n) for n in NUMBER.findall(texts[path]))
    nxt = max(used) + 1 if used else 1001
    for path, text in texts.items():
        edits = []
        for start, end in calls(text):
            if NUMBER.search(text, start, end):
                continue
            # ac_audit takes its number as the second argument
            at = (text.index(',', start) + 2 if text[:start].endswith('ac_audit(')
                  else first_string(text, start, end))
            if at is None:
                print('lognos: %s:%d: no format string to number'
                      % (os.path.relpath(path, TOP), line_of(text, start)))
                continue
            sep = ', ' if text[:start].endswith('ac_audit(') else ' '
            edits.append((at, 'ACLOGNO(%05d)%s' % (nxt, sep)))
            nxt += 1
        for at, tag in reversed(edits):
            text = insert(text, at, tag)
        if edits:
            open(path, 'w', encoding='utf-8').write(text)
            print('lognos: %s: %d call(s) numbered' % (os.path.relpath(path, TOP), len(edits)))
    return check()


if __name__ == '__main__':
    sys.exit(assign() if sys.argv[1:] == ['--assign'] else check())
