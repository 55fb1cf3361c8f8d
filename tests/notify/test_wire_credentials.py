"""Credentials on the wire: no SMTP password in the clear to another machine unless allowed and
flagged, no Twilio token over plain HTTP to another machine, and no echo of a token in any error."""

import base64
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from dispatch_desktop.cli.main import main
from dispatch_desktop.config import Config, SmtpConfig, TwilioConfig, load_config
from dispatch_desktop.notify.credentials import load_smtp, load_twilio
from dispatch_desktop.notify.twilio_sender import TwilioSender
from dispatch_desktop.services import workstation
from tests.servers.memory_keyring import MemoryKeyring

SID = "AC" + "1" * 32
TOKEN = "tok3n-" + "9" * 26


class _Stdin:
    def __init__(self, text: str) -> None:
        self.text = text

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        return self.text


@pytest.fixture
def echoing_server() -> Iterator[str]:
    """A broken proxy that answers 500 with every request header in its error message."""

    class Echo(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = "; ".join(f"{key}: {value}" for key, value in self.headers.items())
            body = json.dumps({"code": 20500, "message": f"upstream failed for {headers}", "status": 500})
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_an_echoed_authorization_header_never_reaches_an_error_text(
    echoing_server: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    config = Config(
        twilio=TwilioConfig(account_sid=SID, phone_number="+13125550100", api_base_url=echoing_server)
    )
    with caplog.at_level(logging.DEBUG):
        result = TwilioSender(load_twilio(config)).send("+13125550123", "hello")
    encoded = base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    assert result.error and "upstream failed" in result.error
    for secret in (TOKEN, encoded, encoded.rstrip("=")):
        assert secret not in result.error
        assert secret not in caplog.text


def test_a_twilio_base_url_must_be_https_except_on_this_machine() -> None:
    def missing(url: str) -> list[str]:
        return load_twilio(Config(twilio=TwilioConfig(api_base_url=url))).missing()

    rule = "TWILIO_API_BASE_URL (must be https:// except on this machine)"
    assert rule in missing("http://api.example.com")
    assert rule not in missing("https://api.twilio.com")
    assert rule not in missing("http://127.0.0.1:8080")


def test_an_smtp_password_in_the_clear_is_refused_unless_allowed_and_then_flagged(
    home: Path,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    words = ["--home", str(home), "credentials", "set", "smtp", "--host", "mail.example.com", "--port", "25"]
    words += ["--user", "me@example.com", "--from", "me@example.com", "--no-starttls"]
    monkeypatch.setattr("sys.stdin", _Stdin("pw-123456\n"))
    assert main(words) == 2
    assert "without TLS could be read on the network" in capsys.readouterr().err
    assert not (home / "config.toml").exists()
    monkeypatch.setattr("sys.stdin", _Stdin("pw-123456\n"))
    assert main([*words, "--allow-plaintext-auth"]) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "credentials", "show"]) == 0
    flag = "the SMTP password is sent to mail.example.com without TLS (--allow-plaintext-auth)"
    assert f"warning: {flag}" in capsys.readouterr().out.splitlines()
    assert workstation.environment_badge(load_config(home)).plaintext_auth == flag


def test_a_loopback_relay_may_take_a_password_in_the_clear() -> None:
    smtp = SmtpConfig(host="127.0.0.1", port=2525, user="me", from_address="me@example.com", starttls=False)
    assert not load_smtp(Config(smtp=smtp)).plaintext_auth
    far = SmtpConfig(
        host="mail.example.com", port=25, user="me", from_address="me@example.com", starttls=False
    )
    assert any("STARTTLS" in name for name in load_smtp(Config(smtp=far)).missing())
