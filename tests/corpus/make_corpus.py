#!/usr/bin/env python3
"""Writes the Satchel test corpus of .eml messages into a directory.

Usage: make_corpus.py OUTPUT_DIR

Every message is written here, byte for byte, with no downloads: well-formed messages (simple,
nested multipart, attachments, forwarded message/rfc822 inside forwarded, RFC 2047 and RFC 2231
headers, 8-bit and non-UTF-8 charsets) and the malformed cases the MIME parser must survive
(missing and unterminated boundaries, boundaries that are prefixes of each other, header lines
without a colon, a 1 MB header line, NUL bytes, bare CR and LF, 8-bit headers, deep nesting).
File names say what each message exercises. Line ends are CRLF unless the case is about them.
"""
import base64
import os
import quopri
import sys


def crlf(text):
    """Joins lines given with \\n into CRLF text (bytes)."""
    if isinstance(text, str):
        text = text.encode("utf-8")
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def hdr(subject, extra=""):
    return ("Date: Mon, 7 Feb 1994 21:52:25 -0800\n"
            "From: Fred Foobar <foobar@Blurdybloop.example>\n"
            "To: mooch@owatagu.example\n"
            "Message-ID: <%s@corpus.example>\n"
            "Subject: %s\n"
            "MIME-Version: 1.0\n%s") % (subject.replace(" ", "-"), subject, extra)


def simple():
    return crlf(hdr("simple text") + "Content-Type: text/plain; charset=us-ascii\n\n"
                "Hello Joe, do you think we can meet at 3:30 tomorrow?\n")


def no_content_type():
    return crlf("From: a@example.org\nSubject: no mime\n\nPlain old RFC 822 mail.\n")


def nested_multipart():
    return crlf(hdr("nested multipart",
                    'Content-Type: multipart/mixed; boundary="outer"\n') + """
This is the preamble.
--outer
Content-Type: multipart/alternative; boundary=alt

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Caf=C3=A9 cr=C3=A8me, soft line=
 break.
--alt
Content-Type: multipart/related; boundary="rel"; type="text/html"

--rel
Content-Type: text/html; charset=utf-8

<html><body><img src="cid:logo@x"> Caf\u00e9</body></html>
--rel
Content-Type: image/png
Content-ID: <logo@x>
Content-Transfer-Encoding: base64
Content-Disposition: inline; filename="logo.png"

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGA
hKmMIQAAAABJRU5ErkJggg==
--rel--
--alt--
--outer
Content-Type: application/pdf; name="report.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="report.pdf"; size=40
Content-Description: Quarterly report
Content-Language: en, fr
Content-Location: http://example.org/report.pdf
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==

%s
--outer--
This is the epilogue.
""" % base64.encodebytes(b"%PDF-1.4\n% fake pdf for the corpus\n%%EOF\n").decode().strip())


def forwarded_twice():
    innermost = hdr("innermost") + "Content-Type: text/plain\n\nThe original words.\n"
    middle = (hdr("middle", 'Content-Type: multipart/mixed; boundary="m"\n') +
              "\n--m\nContent-Type: text/plain\n\nSee below.\n--m\n"
              "Content-Type: message/rfc822\nContent-Disposition: inline\n\n" + innermost +
              "--m--\n")
    outer = (hdr("Fwd: Fwd: forwarded twice", 'Content-Type: multipart/mixed; boundary="o"\n') +
             "\n--o\nContent-Type: text/plain\n\nForwarding again.\n--o\n"
             "Content-Type: message/rfc822\n\n" + middle + "--o--\n")
    return crlf(outer)


def digest():
    return crlf(hdr("digest", 'Content-Type: multipart/digest; boundary="d"\n') +
                "\n--d\n\nFrom: one@x.example\nSubject: first\n\nFirst.\n"
                "--d\n\nFrom: two@x.example\nSubject: second\n\nSecond.\n--d--\n")


def rfc2047_headers():
    return crlf("Date: Tue, 8 Feb 1994 10:00:00 +0100\n"
                "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be.example>\n"
                "To: =?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.example>\n"
                "Cc: =?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.example>\n"
                "Subject: =?utf-8?B?0J/RgNC40LLQtdGC?= =?koi8-r?B?8NLJ18XU?=\n"
                " =?windows-1252?Q?=80_price?=\n"
                "Content-Type: text/plain; charset=utf-8\n\nEncoded words in headers.\n")


def rfc2231_params():
    return crlf(hdr("rfc2231", 'Content-Type: multipart/mixed; boundary="b"\n') +
                "\n--b\nContent-Type: application/octet-stream;\n"
                " name*0=\"a very long file name that \";\n name*1=\"continues.txt\"\n"
                "Content-Disposition: attachment;\n filename*=utf-8''na%C3%AFve%20r%C3%A9sum%C3%A9.txt\n"
                "\nZGF0YQ==\n--b\nContent-Type: text/plain; title*0*=us-ascii'en'This%20is%20;\n"
                " title*1*=%2A%2A%2Afun%2A%2A%2A; title*2=\" isn't it\"\n\nText.\n--b--\n")


def charsets():
    parts = [("iso-8859-1", "quoted-printable", quopri.encodestring("Fran\u00e7ais \u00e9t\u00e9".encode("latin-1"))),
             ("koi8-r", "8bit", "\u041f\u0440\u0438\u0432\u0435\u0442".encode("koi8-r")),
             ("windows-1252", "8bit", "\u20ac 5".encode("cp1252")),
             ("shift_jis", "base64", base64.encodebytes("\u65e5\u672c\u8a9e".encode("shift_jis"))),
             ("utf-8", "8bit", "\u00fcber \u2603".encode("utf-8"))]
    out = crlf(hdr("charsets", 'Content-Type: multipart/mixed; boundary="c"\n') + "\n")
    for cs, cte, body in parts:
        out += crlf("--c\nContent-Type: text/plain; charset=%s\nContent-Transfer-Encoding: %s\n\n"
                    % (cs, cte)) + crlf(body.rstrip(b"\n") + b"\n")
    return out + crlf("--c--\n")


def eightbit_headers():
    return crlf("From: J\u00fcrgen M\u00fcller <j@example.de>\n".encode("utf-8") +
                "Subject: Gr\u00fc\u00dfe\n".encode("latin-1") +
                b"To: <x@example.org>\n\nRaw 8-bit headers, one UTF-8 and one Latin-1.\n")


def missing_boundary():
    return crlf(hdr("missing boundary", 'Content-Type: multipart/mixed; boundary="never"\n') +
                "\nNo delimiter line ever appears.\n--nope\nStill text.\n")


def unterminated_boundary():
    return crlf(hdr("unterminated", 'Content-Type: multipart/mixed; boundary="u"\n') +
                "\n--u\nContent-Type: text/plain\n\nfirst\n--u\nContent-Type: text/plain\n\n"
                "second, and then the message just ends")


def prefix_boundaries():
    return crlf(hdr("prefix boundaries", 'Content-Type: multipart/mixed; boundary="ab"\n') +
                "\n--ab\nContent-Type: multipart/alternative; boundary=\"abc\"\n\n"
                "--abc\n\none\n--abcd\nnot a delimiter\n--abc\n\ntwo\n--abc--\n"
                "--ab\n\nthree\n--ab--\n")


def no_colon_headers():
    return crlf("From: a@example.org\nThis line has no colon\n: empty name\nSubject: ok\n"
                "\tcontinued subject\n\nbody\n")


def huge_header_line():
    return crlf(hdr("huge header") + "X-Huge: " + "x" * (1024 * 1024) + "\n\nbody\n")


def nul_bytes():
    return (crlf(hdr("nul bytes")) + b"X-Nul: a\x00b\r\n\r\nbody with \x00 NUL\r\n")


def bare_lf():
    return (hdr("bare lf") + "Content-Type: text/plain\n\nUnix line ends only.\n").encode()


def bare_cr():
    return (hdr("bare cr") + "Content-Type: text/plain\n\nOld Mac line ends.\n").replace(
        "\n", "\r").encode()


def mixed_line_ends():
    return b"Subject: mixed\r\nFrom: a@b\n\rX: y\r\r\nbody\rline\nend\r\n"


def deep_nesting(depth=60):
    text = hdr("deep nesting")
    for i in range(depth):
        text += 'Content-Type: multipart/mixed; boundary="d%d"\n\n--d%d\n' % (i, i)
    text += "Content-Type: text/plain\n\nat the bottom\n"
    for i in reversed(range(depth)):
        text += "--d%d--\n" % i
    return crlf(text)


def deep_rfc822(depth=60):
    text = "Content-Type: text/plain\n\nbottom\n"
    for i in range(depth):
        text = "Subject: level %d\nContent-Type: message/rfc822\n\n" % i + text
    return crlf(text)


def groups_and_routes():
    return crlf("From: \"Doe, John\" <john@example.org>\n"
                "Sender: (comment) sender@example.org (Real Name)\n"
                "To: undisclosed-recipients:;\n"
                "Cc: A Group: ed@x.example, \"Q \\\"quoted\\\"\" <q@y.example>; solo@z.example\n"
                "Bcc: <@r1.example,@r2.example:u@h.example>, \"john doe\"@example.com\n"
                "Reply-To: nodomain\n"
                "Subject: addresses\n\nbody\n")


def obsolete_date():
    return crlf("Date: 7 Feb 94 21:52 EST\nFrom: a@b.example\nSubject: obsolete date\n\nbody\n")


def no_body():
    return crlf("Subject: header only, no blank line\nFrom: a@b.example")


def empty():
    return b""


CASES = {
    "simple": simple, "no_content_type": no_content_type, "nested_multipart": nested_multipart,
    "forwarded_twice": forwarded_twice, "digest": digest, "rfc2047_headers": rfc2047_headers,
    "rfc2231_params": rfc2231_params, "charsets": charsets, "eightbit_headers": eightbit_headers,
    "groups_and_routes": groups_and_routes, "obsolete_date": obsolete_date,
    "malformed_missing_boundary": missing_boundary,
    "malformed_unterminated_boundary": unterminated_boundary,
    "malformed_prefix_boundaries": prefix_boundaries,
    "malformed_no_colon_headers": no_colon_headers,
    "malformed_huge_header_line": huge_header_line, "malformed_nul_bytes": nul_bytes,
    "malformed_bare_lf": bare_lf, "malformed_bare_cr": bare_cr,
    "malformed_mixed_line_ends": mixed_line_ends, "malformed_deep_nesting": deep_nesting,
    "malformed_deep_rfc822": deep_rfc822, "malformed_no_body": no_body, "malformed_empty": empty,
}


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: make_corpus.py OUTPUT_DIR\n")
        return 2
    out_dir = argv[1]
    os.makedirs(out_dir, exist_ok=True)
    for name, make in sorted(CASES.items()):
        with open(os.path.join(out_dir, name + ".eml"), "wb") as f:
            f.write(make())
    print("wrote %d messages to %s" % (len(CASES), out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
