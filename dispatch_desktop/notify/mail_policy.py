"""How a booking email is written on the wire: 7-bit, CRLF, RFC 2045/2047 line limits.

Non-ASCII text goes out quoted-printable (or base64), never as raw 8-bit: a server that does not
offer 8BITMIME, or a relay behind it, may refuse or mangle 8-bit bodies. The CRLF line ends are
what base64 encodes: text must be in canonical form (RFC 2045), a .ics must have CRLF (RFC 5545).
76 characters is RFC 2045's limit for quoted-printable lines (the default 78 is RFC 5322's advice
for header lines, and gave encoded words of 76, where RFC 2047 allows 75).
"""

from email.header import Header
from email.headerregistry import UnstructuredHeader
from email.policy import EmailPolicy
from typing import Any


class MailPolicy(EmailPolicy):
    """Python 3.11's folding drops the space where it splits a non-ASCII subject into encoded words
    (decoders ignore the white space between two of them: "ZoëMüller"). The legacy `Header`
    encoder keeps every space inside the encoded text, so such headers are written with it."""

    def _as_encoded_words(self, value: Any) -> bool:
        return not self.utf8 and isinstance(value, UnstructuredHeader) and not str(value).isascii()

    def fold(self, name: str, value: Any) -> str:
        if not self._as_encoded_words(value):
            return str(super().fold(name, value))
        words = Header(str(value), "utf-8", maxlinelen=self.max_line_length, header_name=name)
        return f"{name}: {words.encode(linesep=self.linesep)}{self.linesep}"

    def fold_binary(self, name: str, value: Any) -> bytes:
        if not self._as_encoded_words(value):
            return bytes(super().fold_binary(name, value))
        return self.fold(name, value).encode("ascii")


MAIL_POLICY = MailPolicy(cte_type="7bit", linesep="\r\n", max_line_length=76)
