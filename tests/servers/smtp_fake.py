"""A local SMTP server (aiosmtpd): plain, STARTTLS or implicit TLS with AUTH; it can refuse, fail or be down.

    with FakeSmtp() as smtp:                        # plain relay, no login
        smtp.env()                                  # SMTP_* / EMAIL_FROM for the notifier
    with FakeSmtp(tls=True, cert=make_cert(tmp)):   # STARTTLS and AUTH required
        ...                                         # env() includes SMTP_USER / SMTP_PASSWORD
    FakeSmtp(implicit_tls=True, cert=...)           # TLS from the first byte (as on port 465), AUTH required
    smtp.fail_next(451, "4.3.0 try again later")    # the next DATA gets this reply
    smtp.accept_token = entra.valid                 # AUTH XOAUTH2 (Office 365): checks the bearer token
    smtp.refuse_xoauth2 = "535 5.7.3 Authentication unsuccessful"   # a valid token, but Exchange says no
    smtp.refuse_logins = "535 5.7.139 Authentication unsuccessful, basic authentication is disabled."
    smtp.down(); smtp.up()                          # stop listening / listen again on the same port
    FakeSmtp(eight_bit=False)                       # no 8BITMIME, and a raw 8-bit message gets "500 strict ASCII"
    FakeSmtp(smtputf8=True)                         # offers SMTPUTF8 (international addresses)
    FakeSmtp(tls=True, cert=..., mechanisms=("LOGIN",))   # the password mechanisms offered (also CRAM-MD5)
    smtp.failed_logins                              # password logins refused
    smtp.messages                                   # accepted messages (email.message.EmailMessage)
    smtp.connections                                # TCP sessions opened (0 in development)

Clients trust the test certificate through SSL_CERT_FILE=<cert.cert_file>.
"""

import base64
import datetime
import email
import email.policy
import hmac
import ipaddress
import socket
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "mailer@example.com"
PASSWORD = "fake-smtp-password-9c41"
FROM = "dispatch@example.com"


@dataclass(frozen=True)
class Cert:
    cert_file: Path
    key_file: Path


def make_cert(directory: Path) -> Cert:
    """A self-signed certificate for 127.0.0.1 and localhost, made with `cryptography`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return Cert(cert_file, key_file)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Handler:
    def __init__(self, fake: "FakeSmtp") -> None:
        self.fake = fake

    async def auth_XOAUTH2(self, _server: Any, args: list[str]) -> AuthResult:
        """Office 365's mechanism: base64 of "user=<mailbox>^Aauth=Bearer <token>^A^A", only after STARTTLS."""
        failed = "535 5.7.3 Authentication unsuccessful"
        try:
            fields = dict(
                part.split("=", 1) for part in base64.b64decode(args[1]).decode().split("\x01") if "=" in part
            )
        except (IndexError, ValueError):
            return AuthResult(success=False, handled=False, message=failed)
        token = fields.get("auth", "").removeprefix("Bearer ")
        ok = (
            self.fake.accept_token is not None
            and self.fake.accept_token(token)
            and fields.get("user") == self.fake.user
        )
        with self.fake._lock:
            self.fake.xoauth2_attempts.append(fields.get("user", ""))
            if ok and self.fake.refuse_xoauth2:
                return AuthResult(success=False, handled=False, message=self.fake.refuse_xoauth2)
            if ok:
                self.fake.logins.append(f"xoauth2:{fields['user']}")
        return AuthResult(success=bool(ok), handled=False, message=None if ok else failed)

    async def auth_CRAM__MD5(self, server: Any, _args: list[str]) -> AuthResult:
        """RFC 2195: the client answers the challenge with "user hex(HMAC-MD5(password, challenge))"."""
        challenge = f"<{datetime.datetime.now().timestamp()}@fake-smtp.local>".encode()
        answer = await server.challenge_auth(challenge)
        if not isinstance(answer, bytes):
            return AuthResult(success=False, handled=False)
        login, _, digest = answer.partition(b" ")
        expected = hmac.new(self.fake.password.encode(), challenge, "md5").hexdigest().encode()
        return self.fake._authenticate(
            server, None, None, "CRAM-MD5", (login, hmac.compare_digest(digest, expected))
        )

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        return self.fake._accept(envelope)


class _CountingController(Controller):
    """Counts TCP sessions: aiosmtpd builds one SMTP protocol object per connection."""

    def __init__(self, fake: "FakeSmtp", *args: Any, **kwargs: Any) -> None:
        self.fake = fake
        super().__init__(*args, **kwargs)

    def factory(self) -> Any:
        with self.fake._lock:
            self.fake.connections += 1
        return super().factory()


class FakeSmtp:
    def __init__(
        self,
        *,
        tls: bool = False,
        implicit_tls: bool = False,
        cert: Cert | None = None,
        user: str = USER,
        password: str = PASSWORD,
        mechanisms: tuple[str, ...] = ("PLAIN", "LOGIN"),
        eight_bit: bool = True,
        smtputf8: bool = False,
    ) -> None:
        if (tls or implicit_tls) and cert is None:
            raise ValueError("TLS needs a cert (make_cert(tmp_path))")
        self.tls, self.implicit_tls, self.cert, self.user, self.password = (
            tls,
            implicit_tls,
            cert,
            user,
            password,
        )
        self.mechanisms, self.eight_bit, self.smtputf8 = mechanisms, eight_bit, smtputf8
        self.connections = 0
        self.failed_logins = 0
        # With TLS: XOAUTH2 logins succeed when this says the bearer token is valid...
        self.accept_token: Callable[[str], bool] | None = None
        # ...unless this reply is set (Exchange refusing a valid token: no SMTP.SendAsApp, SMTP AUTH off).
        self.refuse_xoauth2: str | None = None
        self.xoauth2_attempts: list[str] = []
        # Password (PLAIN/LOGIN) logins get this reply instead, e.g. Office 365 after basic auth is off.
        self.refuse_logins: str | None = None
        self.port = free_port()
        self.host = "127.0.0.1"
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.raw: list[bytes] = []  # each accepted message as it came over the wire
        self.mail_options: list[list[str]] = []  # the MAIL FROM parameters of each (BODY=8BITMIME, SMTPUTF8)
        self.logins: list[str] = []
        self.auth_mechanisms: list[str] = []  # the mechanism of each password login, refused or not
        self._failures: deque[tuple[int, str]] = deque()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    def fail_next(self, code: int, text: str, count: int = 1) -> None:
        with self._lock:
            self._failures.extend([(code, text)] * count)

    def env(self) -> dict[str, str]:
        values = {"SMTP_HOST": self.host, "SMTP_PORT": str(self.port), "EMAIL_FROM": FROM}
        if self.tls or self.implicit_tls:
            values |= {"SMTP_USER": self.user, "SMTP_PASSWORD": self.password, "SMTP_STARTTLS": "true"}
        else:
            values["SMTP_STARTTLS"] = "false"
        return values

    def recipients(self) -> list[str]:
        with self._lock:
            return [str(message["To"]) for message in self.messages]

    def _accept(self, envelope: Any) -> str:
        with self._lock:
            if self._failures:
                code, text = self._failures.popleft()
                return f"{code} {text}"
            message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            self.messages.append(message)  # type: ignore[arg-type]
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.raw.append(envelope.original_content)
            self.mail_options.append(list(envelope.mail_options))
        return "250 2.0.0 Message accepted for delivery"

    def _authenticate(
        self, _server: Any, _session: Any, _envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        with self._lock:
            self.auth_mechanisms.append(mechanism)
        if self.refuse_logins:
            with self._lock:
                self.failed_logins += 1
            return AuthResult(success=False, handled=False, message=self.refuse_logins)
        if isinstance(data, LoginPassword):  # PLAIN, LOGIN: both in UTF-8 (RFC 4616)
            ok = data.login.decode() == self.user and data.password.decode() == self.password
        else:  # CRAM-MD5: (login, whether the digest matched)
            ok = data[0].decode() == self.user and data[1]
        with self._lock:
            if ok:
                self.logins.append(self.user)
            else:
                self.failed_logins += 1
        return AuthResult(success=ok, handled=False)  # a refusal gets its 535 reply

    def up(self) -> "FakeSmtp":
        kwargs: dict[str, Any] = {
            "hostname": self.host,
            "port": self.port,
            "server_hostname": "fake-smtp.local",
            # decode_data: no 8BITMIME offered, and 8-bit data refused ("500 Error: strict ASCII mode").
            "decode_data": not self.eight_bit,
            "enable_SMTPUTF8": self.smtputf8,
            "auth_exclude_mechanism": [m for m in ("PLAIN", "LOGIN", "CRAM-MD5") if m not in self.mechanisms],
        }
        if self.tls or self.implicit_tls:
            import ssl

            assert self.cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert.cert_file, self.cert.key_file)
            if self.implicit_tls:
                # aiosmtpd only counts STARTTLS as TLS for AUTH; here every byte is already encrypted.
                kwargs |= {"ssl_context": context, "auth_require_tls": False}
            else:
                kwargs |= {"tls_context": context, "require_starttls": True, "auth_required": True}
            kwargs["authenticator"] = self._authenticate
        self._controller = _CountingController(self, _Handler(self), **kwargs)
        self._controller.start()
        with self._lock:
            self.connections = 0  # start() opens one connection itself to check the server is up
        return self

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    start, stop = up, down

    def __enter__(self) -> "FakeSmtp":
        return self.up()

    def __exit__(self, *_exc: object) -> None:
        self.down()
