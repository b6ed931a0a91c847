"""Helpers for test_message_corpus.py: the corpus, raw header access, and a small IMAP
response reader/tokenizer (RFC 3501 §9 response syntax, literals included) used to check
FETCH answers byte for byte.
"""

import os
import re
import subprocess
import sys

CRLF_RE = re.compile(rb"\r\n|\r(?!\n)|\n")


def crlf(raw):
    """RFC 5322 §2.3 line ends: bare CR and bare LF become CRLF (as imaplib and satcheld do)."""
    return CRLF_RE.sub(b"\r\n", raw)


def served(raw):
    """What FETCH BODY[] returns: the CRLF form with NUL sent as 0x80 (RFC 3501 §9 CHAR8)."""
    return crlf(raw).replace(b"\0", b"\x80")


def make_corpus(source, out_dir):
    """Runs tests/corpus/make_corpus.py; returns {name: raw bytes} in name order."""
    subprocess.run([sys.executable, os.path.join(source, "tests", "corpus", "make_corpus.py"),
                    out_dir], check=True, capture_output=True)
    corpus = {}
    for name in sorted(os.listdir(out_dir)):
        if name.endswith(".eml"):
            with open(os.path.join(out_dir, name), "rb") as f:
                corpus[name[:-4]] = f.read()
    return corpus


def split_message(text):
    """(header incl. the blank line, body) of a CRLF message (RFC 5322 §2.1)."""
    if text.startswith(b"\r\n"):
        return b"\r\n", text[2:]
    end = text.find(b"\r\n\r\n")
    if end < 0:
        return text, b""
    return text[:end + 4], text[end + 4:]


def header_fields(text):
    """[(name, raw field bytes incl. CRLF)] of the top-level header of a CRLF message."""
    header, _ = split_message(text)
    fields = []
    for line in re.split(rb"(?<=\r\n)", header):
        if not line or line == b"\r\n":
            continue
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + line)
        else:
            fields.append((line.split(b":", 1)[0].strip().lower(), line))
    return fields


def field_value(text, name):
    """The first `name` field's value, unfolded (RFC 5322 §2.2.3) and trimmed; None if absent."""
    for n, raw in header_fields(text):
        if n == name.lower().encode() and b":" in raw:
            value = raw.split(b":", 1)[1].replace(b"\r\n", b"")
            return value.strip(b" \t")
    return None


# --- response reading ----------------------------------------------------------------------

LITERAL_AT_END = re.compile(rb"~?\{(\d+)\}\r\n$")


def read_response(client):
    """One whole response line from an imaplib client's connection, literals included."""
    data = b""
    while True:
        line = client.readline()
        if not line:
            raise EOFError("connection closed")
        data += line
        m = LITERAL_AT_END.search(line)
        if not m:
            return data
        data += client.read(int(m.group(1)))


def command(client, text):
    """Sends `tag text` and returns ([untagged raw responses], tagged raw line)."""
    tag = client._new_tag()
    client.send(tag + b" " + (text.encode() if isinstance(text, str) else text) + b"\r\n")
    untagged = []
    while True:
        response = read_response(client)
        if response.startswith(tag + b" "):
            return untagged, response
        untagged.append(response)


class Atom(bytes):
    """An atom (or number, NIL, flag, FETCH item name): distinct from a string."""


class ParseError(Exception):
    pass


def tokenize(data):
    """Parses one response (bytes, ending in CRLF) into a list of tokens: Atom, bytes (quoted
    or literal strings), None (NIL) and lists for parenthesized groups. FETCH item names such
    as BODY[HEADER.FIELDS (FROM)]<0> are one Atom."""
    pos = 0
    root = []
    stack = [root]
    n = len(data)
    while pos < n:
        c = data[pos:pos + 1]
        if c == b" ":
            pos += 1
        elif c == b"\r":
            if data[pos:pos + 2] != b"\r\n" or pos + 2 != n:
                raise ParseError("CR inside the response at %d" % pos)
            pos += 2
        elif c == b"(":
            new = []
            stack[-1].append(new)
            stack.append(new)
            pos += 1
        elif c == b")":
            if len(stack) == 1:
                raise ParseError("unbalanced ) at %d" % pos)
            stack.pop()
            pos += 1
        elif c == b'"':
            pos += 1
            out = bytearray()
            while True:
                if pos >= n:
                    raise ParseError("unterminated quoted string")
                ch = data[pos:pos + 1]
                if ch == b"\\":
                    if data[pos + 1:pos + 2] not in (b"\\", b'"'):
                        raise ParseError("bad quoted escape at %d" % pos)
                    out += data[pos + 1:pos + 2]
                    pos += 2
                elif ch == b'"':
                    pos += 1
                    break
                elif ch in (b"\r", b"\n"):
                    raise ParseError("CR/LF in a quoted string at %d" % pos)
                else:
                    out += ch
                    pos += 1
            stack[-1].append(bytes(out))
        elif c == b"{" or data[pos:pos + 2] == b"~{":
            m = re.compile(rb"~?\{(\d+)\}\r\n").match(data, pos)
            if not m:
                raise ParseError("bad literal header at %d" % pos)
            size = int(m.group(1))
            start = m.end()
            if start + size > n:
                raise ParseError("literal past the end")
            stack[-1].append(data[start:start + size])
            pos = start + size
        else:
            start = pos
            depth = 0
            while pos < n:
                ch = data[pos:pos + 1]
                if ch == b"[":
                    depth += 1
                elif ch == b"]":
                    depth -= 1
                elif depth == 0 and ch in (b" ", b"(", b")", b"\r", b'"', b"{"):
                    break
                elif ch in (b"\r", b"\n"):
                    raise ParseError("CR/LF in an atom")
                pos += 1
            if depth != 0:
                raise ParseError("unbalanced [ in atom at %d" % start)
            word = data[start:pos]
            stack[-1].append(None if word == b"NIL" else Atom(word))
    if len(stack) != 1:
        raise ParseError("unbalanced (")
    return root


def fetch_items(response):
    """{ITEM NAME (upper case): value} of an untagged `* n FETCH (...)` response."""
    tokens = tokenize(response)
    if len(tokens) != 4 or tokens[0] != b"*" or tokens[2].upper() != b"FETCH":
        raise ParseError("not a FETCH response: %r" % response[:80])
    items = tokens[3]
    if not isinstance(items, list) or len(items) % 2:
        raise ParseError("odd FETCH item list")
    out = {}
    for i in range(0, len(items), 2):
        out[bytes(items[i]).upper().decode()] = items[i + 1]
    return out


def imap_quote(s):
    """A quoted string for a command argument."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
