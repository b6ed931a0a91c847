"""FETCH and SEARCH over imaplib on the whole test corpus (tests/corpus/make_corpus.py),
checked byte for byte against the messages themselves and RFC 3501 (issue 3)."""

import email.utils
import imaplib
import os
import shutil
import sys
import tempfile
import unittest

import corpus_support as cs
import satchel_harness as h

FETCH_ITEMS = ("(ENVELOPE BODYSTRUCTURE BODY RFC822.SIZE BODY.PEEK[] BODY.PEEK[HEADER] "
               "BODY.PEEK[TEXT] BODY.PEEK[1] BODY.PEEK[1.MIME] "
               "BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BINARY.PEEK[1] BINARY.SIZE[1])")

# Internal dates given at APPEND, for BEFORE/ON/SINCE (the others get the current time).
INTERNAL_DATES = {
    "simple": "01-Jan-2020 12:00:00 +0000",
    "digest": "15-Jun-2021 12:00:00 +0000",
    "charsets": "16-Jun-2021 12:00:00 +0000",
}
# Delivered as files with their raw line ends (bare LF / bare CR), next to the appended copy.
DELIVERED = ("malformed_bare_lf", "malformed_bare_cr", "malformed_mixed_line_ends")


class MessageCorpus(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="satchel-corpus-")
        cls.corpus = cs.make_corpus(h.SOURCE, cls.tmp)
        cls.srv = h.Instance(users=("alice",), tls=False, plaintext_auth=True)
        try:
            cls.setup_mailbox()
        except BaseException:
            cls.srv.close()
            raise

    @classmethod
    def setup_mailbox(cls):
        m = cls.srv.imap("alice")
        cls.append_results = {}
        for name, raw in cls.corpus.items():
            date = INTERNAL_DATES.get(name)
            typ, data = m.append("INBOX", None, '"%s"' % date if date else None, raw)
            cls.append_results[name] = (typ, data)
        m.logout()
        for name in DELIVERED:
            cls.srv.deliver("alice", cls.corpus[name], name="%s.corpus" % name)
        cls.client = cls.srv.imap("alice")
        typ, data = cls.client.select("INBOX")
        assert typ == "OK", data
        # Which message is which: by the CRLF form of its text.
        by_text = {}
        for name, raw in cls.corpus.items():
            by_text.setdefault(cs.served(raw), name)
        untagged, tagged = cs.command(cls.client, "FETCH 1:* (BODY.PEEK[])")
        assert b" OK " in tagged, tagged
        cls.names = {}
        for response in untagged:
            if b" FETCH " not in response[:20]:
                continue
            seq = int(response.split()[1])
            cls.names[seq] = by_text.get(cs.fetch_items(response)["BODY[]"], "?")
        cls.seqs = {}
        for seq, name in sorted(cls.names.items()):
            cls.seqs.setdefault(name, []).append(seq)

    @classmethod
    def tearDownClass(cls):
        try:
            cls.client.logout()
        except Exception:
            pass
        cls.srv.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # --- helpers --------------------------------------------------------------------------
    def fetch(self, seq, items):
        untagged, tagged = cs.command(self.client, "FETCH %d %s" % (seq, items))
        self.assertIn(b" OK ", tagged, "FETCH %d %s" % (seq, items))
        fetches = [r for r in untagged if r.startswith(b"* %d FETCH " % seq)]
        self.assertEqual(len(fetches), 1, untagged)
        return cs.fetch_items(fetches[0])

    def search(self, *parts):
        """SEARCH with arguments given as str (sent as is) or bytes (sent as a synchronizing
        literal); returns (set of names, tagged line)."""
        tag = self.client._new_tag()
        line = tag + b" SEARCH"
        for part in parts:
            if isinstance(part, bytes):
                line += b" {%d}" % len(part)
                self.client.send(line + b"\r\n")
                cont = self.client.readline()
                self.assertTrue(cont.startswith(b"+"), cont)
                self.client.send(part)
                line = b""
            else:
                line += b" " + part.encode()
        self.client.send(line + b"\r\n")
        found = set()
        while True:
            response = cs.read_response(self.client)
            if response.startswith(tag + b" "):
                break
            if response.startswith(b"* SEARCH"):
                found |= {self.names[int(n)] for n in response.split()[2:]}
        return found, response

    def names_where(self, predicate):
        return {name for name, raw in self.corpus.items() if name in self.seqs and
                predicate(name, cs.crlf(raw))}

    def assertSearch(self, expected, *parts):
        found, tagged = self.search(*parts)
        self.assertIn(b" OK ", tagged, parts)
        self.assertEqual(found, set(expected), parts)

    # --- set-up ----------------------------------------------------------------------------
    def test_every_message_was_appended_and_found(self):
        for name, (typ, data) in self.append_results.items():
            self.assertEqual(typ, "OK", (name, data))
        self.assertEqual(set(self.seqs), set(self.corpus))
        for name in DELIVERED:
            self.assertEqual(len(self.seqs[name]), 2, name)

    # --- FETCH ----------------------------------------------------------------------------
    def test_fetch_sections_of_every_message(self):
        for seq, name in sorted(self.names.items()):
            with self.subTest(message=name, seq=seq):
                text = cs.served(self.corpus[name])
                items = self.fetch(seq, FETCH_ITEMS)
                self.assertEqual(items["BODY[]"], text)
                self.assertEqual(int(items["RFC822.SIZE"]), len(text))
                self.assertEqual(items["BODY[HEADER]"] + items["BODY[TEXT]"], text)
                header, body = cs.split_message(text)
                self.assertEqual(items["BODY[HEADER]"], header)
                self.assertIsInstance(items["BODYSTRUCTURE"], list)
                self.assertIsInstance(items["BODY"], list)
                self.assertIsInstance(items["ENVELOPE"], list)
                self.assertEqual(len(items["ENVELOPE"]), 10)
                self.check_envelope(text, items["ENVELOPE"])
                self.assertIn("BODY[1]", items)
                self.assertIn("BODY[1.MIME]", items)
                if "BINARY[1]" in items and items["BINARY[1]"] is not None:
                    self.assertEqual(int(items["BINARY.SIZE[1]"]), len(items["BINARY[1]"]))
                if not name.startswith("malformed_"):
                    wanted = b"".join(raw for n, raw in cs.header_fields(text)
                                      if n in (b"from", b"subject")) + b"\r\n"
                    self.assertEqual(items["BODY[HEADER.FIELDS (FROM SUBJECT)]"], wanted)

    def check_envelope(self, text, env):
        """ENVELOPE fields are the raw header values (RFC 3501 §7.4.2), unfolded."""
        self.assertEqual(env[0], cs.field_value(text, "date"))
        self.assertEqual(env[1], cs.field_value(text, "subject"))
        self.assertEqual(env[9], cs.field_value(text, "message-id"))
        sender = cs.field_value(text, "from")
        if sender and b"," not in sender and b"=?" not in sender and b'"' not in sender:
            # "Name <local@host>" or "local@host": one address, the name as written.
            if b"<" in sender:
                display, _, addr = sender.partition(b"<")
                display = display.strip() or None
                addr = addr.rstrip(b">")
            else:
                display, addr = None, sender
            local, _, host = addr.partition(b"@")
            self.assertEqual(env[2], [[display, None, local, host]])
            if cs.field_value(text, "sender") is None:
                self.assertEqual(env[3], env[2])  # RFC 3501 §7.4.2: defaults to From.
            if cs.field_value(text, "reply-to") is None:
                self.assertEqual(env[4], env[2])

    def test_envelope_of_encoded_and_grouped_addresses(self):
        env = self.fetch(self.seqs["rfc2047_headers"][0], "(ENVELOPE)")["ENVELOPE"]
        self.assertEqual(env[2], [[b"=?ISO-8859-1?Q?Andr=E9?= Pirard", None, b"PIRARD",
                                   b"vm1.ulg.ac.be.example"]])
        self.assertEqual(env[1], b"=?utf-8?B?0J/RgNC40LLQtdGC?= =?koi8-r?B?8NLJ18XU?= "
                                 b"=?windows-1252?Q?=80_price?=")
        env = self.fetch(self.seqs["groups_and_routes"][0], "(ENVELOPE)")["ENVELOPE"]
        self.assertEqual(env[2], [[b"Doe, John", None, b"john", b"example.org"]])
        self.assertEqual(env[5], [[None, None, b"undisclosed-recipients", None],
                                  [None, None, None, None]])  # RFC 3501 §7.4.2 group syntax.
        self.assertEqual(env[6], [[None, None, b"A Group", None],
                                  [None, None, b"ed", b"x.example"],
                                  [b'Q "quoted"', None, b"q", b"y.example"],
                                  [None, None, None, None],
                                  [None, None, b"solo", b"z.example"]])
        self.assertEqual(env[7][0], [None, b"@r1.example,@r2.example", b"u", b"h.example"])

    def test_fetch_envelope_of_all_messages(self):
        untagged, tagged = cs.command(self.client, "FETCH 1:* (ENVELOPE BODYSTRUCTURE)")
        self.assertIn(b" OK ", tagged)
        seen = set()
        for response in untagged:
            items = cs.fetch_items(response)
            self.assertIn("ENVELOPE", items)
            self.assertIn("BODYSTRUCTURE", items)
            seen.add(int(response.split()[1]))
        self.assertEqual(seen, set(self.names))

    # BODYSTRUCTURE, derived by hand from RFC 3501 §7.4.2 (body-type-1part: type, subtype,
    # parameters, id, description, encoding, size, [lines,] md5, disposition, language,
    # location; body-type-mpart: parts, subtype, parameters, disposition, language, location).
    def test_bodystructure_simple(self):
        text = cs.crlf(self.corpus["simple"])
        _, body = cs.split_message(text)
        bs = self.fetch(self.seqs["simple"][0], "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
        self.assertEqual(bs, [b"text", b"plain", [b"charset", b"us-ascii"], None, None,
                              b"7bit", cs.Atom(b"%d" % len(body)), cs.Atom(b"1"), None, None,
                              None, None])

    def test_bodystructure_default_type(self):
        # RFC 2045 §5.2: no Content-Type means text/plain; charset=us-ascii.
        bs = self.fetch(self.seqs["no_content_type"][0], "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
        self.assertEqual([x.lower() if isinstance(x, bytes) else x for x in bs[:3]],
                         [b"text", b"plain", [b"charset", b"us-ascii"]])
        self.assertEqual(bs[6], b"25")  # "Plain old RFC 822 mail.\r\n"
        self.assertEqual(bs[7], b"1")

    def test_bodystructure_digest_parts_default_to_message_rfc822(self):
        # RFC 2046 §5.1.5: in multipart/digest the default part type is message/rfc822, whose
        # BODYSTRUCTURE carries the envelope, the body and the line count (RFC 3501 §7.4.2).
        body = self.fetch(self.seqs["digest"][0], "(BODY)")["BODY"]
        self.assertEqual(len(body), 3)
        self.assertEqual(body[2], b"digest")
        part = body[0]
        # The part ends before the CRLF of the next delimiter (RFC 2046 §5.1.1).
        first = b"From: one@x.example\r\nSubject: first\r\n\r\nFirst."
        self.assertEqual(part[:7], [b"message", b"rfc822", None, None, None, b"7bit",
                                    cs.Atom(b"%d" % len(first))])
        self.assertEqual(part[7][1], b"first")  # Its envelope's subject.
        self.assertEqual(part[8][:7], [b"text", b"plain", [b"charset", b"us-ascii"], None, None,
                                       b"7bit", b"6"])
        self.assertEqual(len(part), 10)  # ... and the line count of the encapsulated message.

    def test_bodystructure_digest_exact_text(self):
        # Written out by hand from RFC 3501 §9 (body-type-msg, body-ext-1part, body-ext-mpart)
        # and RFC 2046 §5.1.5; sizes count the CRLF form, lines count line ends.
        def part(sender, subject, body):
            env = (b'(NIL "%s" ((NIL NIL "%s" "x.example")) ((NIL NIL "%s" "x.example")) '
                   b'((NIL NIL "%s" "x.example")) NIL NIL NIL NIL NIL)'
                   % (subject, sender, sender, sender))
            size = len(b"From: %s@x.example\r\nSubject: %s\r\n\r\n%s" % (sender, subject, body))
            return (b'("message" "rfc822" NIL NIL NIL "7bit" %d %s ("text" "plain" '
                    b'("charset" "us-ascii") NIL NIL "7bit" %d 0 NIL NIL NIL NIL) 3 '
                    b'NIL NIL NIL NIL)' % (size, env, len(body)))
        expected = (b"BODYSTRUCTURE (" + part(b"one", b"first", b"First.") +
                    part(b"two", b"second", b"Second.") +
                    b' "digest" ("boundary" "d") NIL NIL NIL)')
        untagged, tagged = cs.command(self.client,
                                      "FETCH %d (BODYSTRUCTURE)" % self.seqs["digest"][0])
        self.assertIn(b" OK ", tagged)
        self.assertEqual(len(untagged), 1)
        self.assertIn(expected, untagged[0])

    def test_bodystructure_nested_multipart(self):
        bs = self.fetch(self.seqs["nested_multipart"][0], "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
        # mixed( alternative( text/plain, related( text/html, image/png ) ), application/pdf )
        self.assertEqual(bs[2], b"mixed")
        self.assertEqual(bs[3], [b"boundary", b"outer"])
        alternative, pdf = bs[0], bs[1]
        self.assertEqual(alternative[2], b"alternative")
        plain, related = alternative[0], alternative[1]
        self.assertEqual(plain[:6], [b"text", b"plain", [b"charset", b"utf-8"], None, None,
                                     b"quoted-printable"])
        self.assertEqual(related[2], b"related")
        self.assertEqual(related[3], [b"boundary", b"rel", b"type", b"text/html"])
        png = related[1]
        self.assertEqual(png[:6], [b"image", b"png", None, b"<logo@x>", None, b"base64"])
        self.assertEqual(png[8], [b"inline", [b"filename", b"logo.png"]])
        self.assertEqual(pdf[:6], [b"application", b"pdf", [b"name", b"report.pdf"], None,
                                   b"Quarterly report", b"base64"])
        # Extension data: md5, disposition, language, location.
        self.assertEqual(pdf[7:], [b"Q2hlY2sgSW50ZWdyaXR5IQ==",
                                   [b"attachment", [b"filename", b"report.pdf", b"size", b"40"]],
                                   [b"en", b"fr"], b"http://example.org/report.pdf"])

    def test_mime_sections_of_nested_parts(self):
        seq = self.seqs["nested_multipart"][0]
        items = self.fetch(seq, "(BODY.PEEK[1.MIME] BODY.PEEK[1.1] BINARY.PEEK[1.1] "
                                "BODY.PEEK[2.MIME] BINARY.SIZE[2])")
        self.assertEqual(items["BODY[1.MIME]"],
                         b"Content-Type: multipart/alternative; boundary=alt\r\n\r\n")
        self.assertEqual(items["BODY[1.1]"],
                         b"Caf=C3=A9 cr=C3=A8me, soft line=\r\n break.")
        self.assertEqual(items["BINARY[1.1]"], "Café crème, soft line break.".encode())
        pdf = b"%PDF-1.4\n% fake pdf for the corpus\n%%EOF\n"
        self.assertEqual(int(items["BINARY.SIZE[2]"]), len(pdf))
        self.assertTrue(items["BODY[2.MIME]"].startswith(b"Content-Type: application/pdf"))

    def test_binary_of_charsets_parts(self):
        seq = self.seqs["charsets"][0]
        items = self.fetch(seq, "(BINARY.PEEK[1] BINARY.PEEK[4] BINARY.SIZE[4])")
        self.assertEqual(items["BINARY[1]"], "Français été".encode("latin-1"))
        self.assertEqual(items["BINARY[4]"], "日本語".encode("shift_jis"))
        self.assertEqual(int(items["BINARY.SIZE[4]"]), len("日本語".encode("shift_jis")))

    def test_forwarded_message_parts(self):
        seq = self.seqs["forwarded_twice"][0]
        items = self.fetch(seq, "(BODY.PEEK[2.HEADER.FIELDS (SUBJECT)] BODY.PEEK[2.2.TEXT] "
                                "BODY.PEEK[2.2.1] BODY.PEEK[2.1])")
        self.assertEqual(items["BODY[2.HEADER.FIELDS (SUBJECT)]"], b"Subject: middle\r\n\r\n")
        # The CRLF before "--m--" belongs to the delimiter (RFC 2046 §5.1.1).
        self.assertEqual(items["BODY[2.2.TEXT]"], b"The original words.")
        self.assertEqual(items["BODY[2.2.1]"], b"The original words.")
        self.assertEqual(items["BODY[2.1]"], b"See below.")

    # --- SEARCH ---------------------------------------------------------------------------
    def test_search_header_keys_ascii(self):
        self.assertSearch({"malformed_prefix_boundaries"}, "SUBJECT", '"prefix boundaries"')
        self.assertSearch({"rfc2047_headers"}, "FROM", "pirard")
        self.assertSearch({"rfc2047_headers"}, "TO", '"keith moore"')  # Q-encoded "_" is SP.
        self.assertSearch({"simple"}, "HEADER", "Message-ID", '"<simple-text@corpus.example>"')
        self.assertSearch({"malformed_huge_header_line"}, "HEADER", "X-Huge", "xxxxxxxxxx")
        # RFC 3501 §6.4.4: HEADER with an empty string matches every message with the field.
        wellformed = self.names_where(lambda n, t: not n.startswith("malformed_"))
        found, _ = self.search("HEADER", "Cc", '""')
        self.assertEqual(found & wellformed, {"rfc2047_headers", "groups_and_routes"})

    def test_search_header_keys_utf8(self):
        self.assertSearch({"rfc2047_headers"}, "CHARSET", "UTF-8", "FROM", "André".encode())
        self.assertSearch({"eightbit_headers"}, "CHARSET", "UTF-8", "FROM", "Jürgen".encode())
        self.assertSearch({"rfc2047_headers"}, "CHARSET", "UTF-8", "CC",
                          "olle järnefors".encode())
        # Adjacent encoded words join without the space between them (RFC 2047 §6.2), and the
        # match is case-insensitive beyond ASCII (RFC 5051 i;unicode-casemap).
        self.assertSearch({"rfc2047_headers"}, "CHARSET", "UTF-8", "SUBJECT",
                          "приветпривет".encode())
        self.assertSearch({"rfc2047_headers"}, "CHARSET", "UTF-8", "SUBJECT", "€ price".encode())

    def test_search_body_and_text(self):
        self.assertSearch({"no_content_type"}, "BODY", '"plain old rfc 822"')
        self.assertSearch({"nested_multipart"}, "CHARSET", "UTF-8", "BODY",
                          "crème, soft line break".encode())  # Quoted-printable, soft break.
        self.assertSearch({"charsets"}, "CHARSET", "UTF-8", "BODY", "Français été".encode())
        self.assertSearch({"charsets"}, "CHARSET", "UTF-8", "BODY", "日本語".encode())  # base64
        self.assertSearch({"charsets"}, "CHARSET", "UTF-8", "BODY", "€ 5".encode())
        self.assertSearch({"charsets"}, "CHARSET", "UTF-8", "BODY", "ÜBER ☃".encode())
        # Needles in other charsets are converted before matching (iconv).
        self.assertSearch({"charsets"}, "CHARSET", "ISO-8859-1", "BODY",
                          "Français".encode("latin-1"))
        self.assertSearch({"charsets", "rfc2047_headers"}, "CHARSET", "KOI8-R", "TEXT",
                          "Привет".encode("koi8-r"))
        # Subject words are not in the body; TEXT looks at both.
        self.assertSearch({"charsets"}, "CHARSET", "UTF-8", "BODY", "привет".encode())
        self.assertSearch({"charsets", "rfc2047_headers"}, "CHARSET", "UTF-8", "TEXT",
                          "привет".encode())
        self.assertSearch(self.names_where(lambda n, t: b"mooch@owatagu.example" in t),
                          "TEXT", "mooch@owatagu.example")

    def test_search_sent_dates(self):
        # RFC 3501 §6.4.4: SENT* use the Date: header, disregarding time and timezone.
        def sent(name, text):
            value = cs.field_value(text, "date")
            parsed = email.utils.parsedate_tz(value.decode()) if value else None
            return parsed[:3] if parsed else None
        dated = self.names_where(lambda n, t: sent(n, t) is not None)
        self.assertIn("obsolete_date", dated)
        cases = [("SENTON", "7-Feb-1994", lambda d: d == (1994, 2, 7)),
                 ("SENTBEFORE", "8-Feb-1994", lambda d: d < (1994, 2, 8)),
                 ("SENTSINCE", "8-Feb-1994", lambda d: d >= (1994, 2, 8))]
        for key, day, want in cases:
            found, tagged = self.search(key, day)
            self.assertIn(b" OK ", tagged)
            expected = self.names_where(lambda n, t: sent(n, t) is not None and want(sent(n, t)))
            self.assertEqual(found & dated, expected, key)
        self.assertIn("rfc2047_headers", self.search("SENTSINCE", "8-Feb-1994")[0])

    def test_search_internal_dates(self):
        self.assertSearch({"simple"}, "BEFORE", "1-Jan-2021")
        self.assertSearch({"digest"}, "ON", "15-Jun-2021")
        found, _ = self.search("SINCE", "16-Jun-2021")
        self.assertEqual(found, set(self.corpus) - {"simple", "digest"})
        self.assertSearch({"simple", "digest"}, "NOT", "SINCE", "16-Jun-2021")

    def test_search_sizes(self):
        sizes = {}
        for seq, name in self.names.items():
            sizes[name] = len(cs.crlf(self.corpus[name]))
        self.assertSearch({"malformed_huge_header_line"}, "LARGER", "100000")
        self.assertSearch({n for n, s in sizes.items() if s < 200}, "SMALLER", "200")
        self.assertSearch({n for n, s in sizes.items() if 200 < s < 600},
                          "LARGER", "200", "SMALLER", "600")

    def test_search_not_or_and_groups(self):
        everything = set(self.corpus)
        self.assertSearch({"digest"}, "OR", "SUBJECT", "digest", "(FROM", "pirard", "NOT", "TO",
                          "keith)")
        self.assertSearch(everything - {"simple", "digest"}, "NOT", "(OR", "SUBJECT",
                          '"simple text"', "SUBJECT", "digest)")
        self.assertSearch({"simple"}, "((SUBJECT", '"simple text"))')
        self.assertSearch({"rfc2047_headers", "simple"}, "OR", "(FROM", "pirard)", "OR",
                          "SUBJECT", '"simple text"', "(SUBJECT", "digest", "FROM", "pirard)")
        self.assertSearch(set(), "SUBJECT", "digest", "NOT", "SUBJECT", "digest")

    def test_search_unknown_charset(self):
        found, tagged = self.search("CHARSET", "X-NO-SUCH-CHARSET", "SUBJECT", "x")
        self.assertIn(b" NO [BADCHARSET", tagged)
        self.assertEqual(found, set())


if __name__ == "__main__":
    unittest.main(verbosity=2)
