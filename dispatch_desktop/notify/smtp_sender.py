"""Email through smtplib: STARTTLS by default, implicit TLS on 465, one connection per batch.

Signs in with a password (AUTH CRAM-MD5/PLAIN/LOGIN, in UTF-8) or, for Office 365 in oauth2
mode, with AUTH XOAUTH2 after STARTTLS as the mailbox, using an app token from notify.oauth.
Messages are 7-bit clean (quoted-printable or base64 text parts), so every server takes them.
"""

import base64
import hmac
import os
import smtplib
import ssl
import threading
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from types import TracebackType

from dispatch_desktop.domain import validation
from dispatch_desktop.notify import calendar_invite, office365
from dispatch_desktop.notify.credentials import SmtpCredentials
from dispatch_desktop.notify.mail_policy import MAIL_POLICY
from dispatch_desktop.notify.notifier import Outcome, SendResult
from dispatch_desktop.notify.oauth import TokenError, discard_token, smtp_access_token, xoauth2
from dispatch_desktop.notify.secrets import scrub
from dispatch_desktop.storage.types import utcnow

IMPLICIT_TLS_PORT = 465
INTENDED_HEADER = "X-Dispatch-Intended-Recipient"

# Replies to AUTH that say "not this mechanism" (RFC 4954): the next offered one is tried. Any other
# refusal (535 wrong password) ends the sign-in, so a wrong password is one failed login, not three.
_TRY_NEXT_MECHANISM = (504, 534, 538)

_tls_contexts: dict[tuple[str | None, str | None], ssl.SSLContext] = {}
_tls_lock = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """The verifying TLS context, built once per process: loading the CA store takes ~40 ms.

    Keyed by SSL_CERT_FILE / SSL_CERT_DIR, the variables that choose the CA store, so a
    process that points them elsewhere (a test certificate) gets a context that trusts it.
    """
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    with _tls_lock:
        context = _tls_contexts.get(key)
        if context is None:
            context = _tls_contexts[key] = ssl.create_default_context()
        return context


def message_id_domain(from_address: str | None) -> str:
    """The From address's domain for Message-IDs, in ASCII: a header must be, without SMTPUTF8."""
    return calendar_invite.sender_domain(from_address)


def new_message_id(from_address: str | None = None, idstring: str | None = None) -> str:
    return make_msgid(idstring=idstring, domain=message_id_domain(from_address))


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    body: str,
    html_body: str | None,
    message_id: str,
    intended: str,
    calendar: str | None = None,
) -> EmailMessage:
    """The text (and HTML) as multipart/alternative; with an invite, that inside multipart/mixed
    beside the text/calendar part, the structure every mail client and phone calendar reads."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id
    if intended != to:
        message[INTENDED_HEADER] = intended
    message.set_content(body)
    if html_body:
        message.add_alternative(html_body, subtype="html")
    if calendar:
        method = calendar_invite.method_of(calendar)
        # Quoted-printable even when ASCII: a folded line may end in a space, which a relay trimming
        # trailing white space would take away (RFC 2049); quoted-printable writes it as =20.
        message.add_attachment(
            calendar,
            subtype="calendar",
            cte="quoted-printable",
            filename=calendar_invite.FILENAMES[method],
            params={"method": method},
        )
    return message


def _on_the_wire(address: str, smtputf8: bool) -> str | None:
    """The address as this server can take it: with an ASCII local part, the domain in its ASCII
    (punycode) form, which every server takes; otherwise as it is, only if the server offers SMTPUTF8."""
    if address.isascii():
        return address
    ascii_form = validation.ascii_email(address)
    if ascii_form is not None:
        return ascii_form
    return address if smtputf8 else None


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _answers(mechanism: str, user: str, password: str) -> list[str]:
    """What the client sends after `AUTH <mechanism>`: the initial response, then one per 334 challenge."""
    if mechanism == "PLAIN":
        return [_b64(f"\0{user}\0{password}")]
    return [_b64(user), _b64(password)]


def sign_in(smtp: smtplib.SMTP, user: str, password: str, *, encrypted: bool) -> None:
    """AUTH with the user and password in UTF-8 (RFC 4616); smtplib's login() encodes them as ASCII
    and raises UnicodeEncodeError for a password such as 'pässwörd€'.

    Over TLS PLAIN comes first, as every server implements it; in the clear CRAM-MD5 does (as in
    smtplib), which never sends the password itself. Raises what smtplib's login() raises:
    SMTPNotSupportedError, SMTPException, SMTPAuthenticationError.
    """
    smtp.ehlo_or_helo_if_needed()
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    offered = smtp.esmtp_features["auth"].upper().split()
    preferred = ("PLAIN", "LOGIN", "CRAM-MD5") if encrypted else ("CRAM-MD5", "PLAIN", "LOGIN")
    mechanisms = [name for name in preferred if name in offered]
    if not mechanisms:
        raise smtplib.SMTPException("No suitable authentication method found.")
    code, reply = 0, b""
    for mechanism in mechanisms:
        if mechanism == "CRAM-MD5":
            code, reply = smtp.docmd("AUTH", mechanism)
            if code == 334:
                digest = hmac.new(password.encode("utf-8"), base64.b64decode(reply), "md5").hexdigest()
                code, reply = smtp.docmd(_b64(f"{user} {digest}"))
        else:
            first, *rest = _answers(mechanism, user, password)
            code, reply = smtp.docmd("AUTH", f"{mechanism} {first}")
            for answer in rest:
                if code != 334:
                    break
                code, reply = smtp.docmd(answer)
        if code in (235, 503):  # signed in; 503: already signed in
            return
        if code not in _TRY_NEXT_MECHANISM:
            break
    raise smtplib.SMTPAuthenticationError(code, reply)


def _code_outcome(code: int) -> Outcome:
    return Outcome.RETRY if 400 <= code < 500 else Outcome.FAILED


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


def _reply(code: int, message: bytes | str) -> str:
    return scrub(f"SMTP {code} {' '.join(_text(message).split())}")[:300]


class SmtpBatch:
    """Sends emails over one connection, reconnecting once if the server drops it.

    The delivery lane keeps one for all its claimed batches and calls `start_batch` before each.
    """

    def __init__(self, credentials: SmtpCredentials) -> None:
        self.credentials = credentials
        self._smtp: smtplib.SMTP | None = None
        self._broken: str | None = None
        self._broken_outcome, self._broken_counts = Outcome.RETRY, False
        # The server refused the sign-in: the same credentials are not offered again by this
        # connection's lane (one failed login per run, not one per batch: fail2ban counts them).
        self._refused = False

    def __enter__(self) -> "SmtpBatch":
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    @property
    def where(self) -> str:
        return f"{self.credentials.host.value}:{self.credentials.port_number}"

    def _connect(self) -> smtplib.SMTP:
        creds = self.credentials
        host, port, timeout = creds.host.value or "", creds.port_number, creds.timeout_seconds
        smtp: smtplib.SMTP
        if port == IMPLICIT_TLS_PORT:
            smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
        try:
            smtp.ehlo()
            if port != IMPLICIT_TLS_PORT and creds.starttls:
                smtp.starttls(context=tls_context())
                smtp.ehlo()
            if creds.oauth2:
                if (
                    not creds.encrypted
                ):  # load_smtp's missing() holds such a setup back; never send a token in the clear
                    raise smtplib.SMTPNotSupportedError("OAuth2 without STARTTLS")
                auth = xoauth2(creds.user.value or "", smtp_access_token(creds))
                # The initial response carries the token; to an error challenge (334) the client
                # answers with an empty line so the server sends its final 5xx.
                smtp.auth("XOAUTH2", lambda challenge=None: auth if challenge is None else "")
            elif creds.user.value:
                sign_in(smtp, creds.user.value, creds.password.value or "", encrypted=creds.encrypted)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def start_batch(self) -> None:
        """Before the next claimed batch: a server that could not be used for the last one is
        tried again (unless it refused the sign-in), and an open connection the server has
        meanwhile closed is dropped."""
        if not self._refused:
            self._broken = None
        if self._smtp is not None:
            try:
                alive = self._smtp.noop()[0] == 250
            except (smtplib.SMTPException, OSError):
                alive = False
            if not alive:
                self._drop()

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            self._smtp = self._connect()
        return self._smtp

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        html_body: str | None,
        *,
        message_id: str | None,
        intended: str,
        calendar: str | None = None,
    ) -> SendResult:
        """One email on the batch's connection; without `message_id`, a fresh one is made."""
        message_id = message_id or new_message_id()
        if self._broken:
            return SendResult(self._broken_outcome, error=self._broken, counts_attempt=self._broken_counts)
        for reconnect in (False, True):
            try:
                smtp = self._connection()
            except TokenError as exc:
                if exc.permanent:
                    return self._break(str(exc), Outcome.FAILED)
                return self._break(str(exc), counts_attempt=exc.counts_attempt)
            except smtplib.SMTPAuthenticationError as exc:
                return self._login_refused(exc.smtp_code, exc.smtp_error)
            except smtplib.SMTPNotSupportedError as exc:
                return self._break(f"{self.where} does not support {scrub(str(exc))}")
            except smtplib.SMTPResponseException as exc:
                if office365.is_retirement_reply(exc.smtp_code, _text(exc.smtp_error)):
                    return self._login_refused(exc.smtp_code, exc.smtp_error)
                return self._break(
                    f"{self.where} refused the connection: {_reply(exc.smtp_code, exc.smtp_error)}"
                )
            except (smtplib.SMTPException, OSError) as exc:
                return self._break(f"cannot connect to {self.where}: {scrub(str(exc)) or type(exc).__name__}")
            sender = self.credentials.from_address.value or ""
            smtputf8 = smtp.has_extn("smtputf8")
            wire_sender, wire_to = _on_the_wire(sender, smtputf8), _on_the_wire(to, smtputf8)
            if wire_sender is None or wire_to is None:
                return SendResult(
                    Outcome.FAILED, error=self._cannot_address(to if wire_to is None else sender)
                )
            message = build_message(
                sender=wire_sender,
                to=wire_to,
                subject=subject,
                body=body,
                html_body=html_body,
                message_id=message_id,
                intended=wire_to if intended == to else intended,
                calendar=calendar,
            )
            try:
                smtp.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                code, reply = next(iter(exc.recipients.values()))
                return SendResult(_code_outcome(code), error=self._explain(code, reply))
            except smtplib.SMTPResponseException as exc:
                # A 4xx/5xx for this message leaves the session usable; reset it for the next one.
                self._reset()
                return SendResult(
                    _code_outcome(exc.smtp_code), error=self._explain(exc.smtp_code, exc.smtp_error)
                )
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                self._drop()
                if not reconnect:
                    continue
                return SendResult(Outcome.RETRY, error=f"connection to {self.where} lost: {scrub(str(exc))}")
            except (smtplib.SMTPException, ValueError, UnicodeError) as exc:
                # Anything else smtplib or the message encoder raises: keep the row, say why.
                self._drop()
                return SendResult(Outcome.RETRY, error=scrub(f"{type(exc).__name__}: {exc}")[:300])
            return SendResult(Outcome.SENT, provider_id=message_id, sent_to=to)
        raise AssertionError("unreachable")

    def _cannot_address(self, address: str) -> str:
        return (
            f"{self.where} cannot take the address {address}: the part before the @ is not ASCII and the "
            "server does not offer SMTPUTF8 (international addresses); use an ASCII address or a server that "
            "offers SMTPUTF8"
        )

    def _break(
        self, error: str, outcome: Outcome = Outcome.RETRY, *, counts_attempt: bool = False
    ) -> SendResult:
        """The server cannot be used at all (down, TLS or login refused): every email of the batch
        waits (retry) or, when only an admin can fix it (failed), fails with the same reason."""
        self._broken = error
        self._broken_outcome, self._broken_counts = outcome, counts_attempt
        self._drop()
        return SendResult(outcome, error=error, counts_attempt=counts_attempt)

    def _setup(self) -> office365.ExchangeSetup:
        creds = self.credentials
        return office365.ExchangeSetup(
            creds.user.value or "<mailbox>", creds.client_id.value or "<client id>"
        )

    def _login_refused(self, code: int, message: bytes | str) -> SendResult:
        reply = _reply(code, message)
        if code < 500:  # 454: the server cannot check logins just now; the credentials are not at fault
            return self._break(f"login to {self.where} refused: {reply}")
        self._refused = True
        if not self.credentials.oauth2 and office365.is_retirement_reply(code, _text(message)):
            error = office365.retirement_error(reply)
            if "smtpclientauthentication" in reply.lower():
                error += f"; SMTP AUTH itself is off too: {self._setup().enable_smtp_auth}"
            return self._break(error, Outcome.FAILED)
        if self.credentials.oauth2:
            discard_token(self.credentials)
            return self._break(office365.xoauth2_refused_error(reply, self._setup()), Outcome.FAILED)
        # A wrong user or password: each row uses up an attempt and backs off, so the server sees
        # fewer and fewer failed logins, and fails after max_attempts; the banner shows it at once.
        return self._break(
            f"{office365.SIGN_IN_FAILED}: login to {self.where} as {self.credentials.user.value} refused: "
            f"{reply}; check the SMTP user and password (dispatch-desktop credentials set smtp)",
            counts_attempt=True,
        )

    def _explain(self, code: int, message: bytes | str) -> str:
        """A reply to one message, with what to change when it is an Office 365 sign-in matter."""
        reply, text = _reply(code, message), _text(message)
        if office365.is_retirement_reply(code, text) and not self.credentials.oauth2:
            return office365.retirement_error(reply)
        if self.credentials.oauth2 and office365.is_send_as_refusal(code, text):
            sender = self.credentials.from_address.value or ""
            return office365.send_as_refused_error(reply, self._setup(), sender)
        return reply

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None
