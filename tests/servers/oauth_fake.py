"""A local HTTPS server that answers like Microsoft Entra's token endpoint for the
client-credentials flow (what msal asks for when SMTP uses OAuth2).

    with FakeEntra(cert) as entra:     # cert from smtp_fake.make_cert; trust it via REQUESTS_CA_BUNDLE
        entra.authority                # put in [smtp] authority; tenant "contoso"
        entra.issued                   # access tokens handed out
        entra.token_requests           # form fields of each token request
"""

import json
import secrets
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.servers.smtp_fake import Cert

TENANT = "contoso"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "fake-client-secret-31337"


class FakeEntra:
    def __init__(self, cert: Cert, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.cert, self.client_id, self.client_secret = cert, client_id, client_secret
        self.issued: list[str] = []
        self.token_requests: list[dict[str, str]] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def authority(self) -> str:
        assert self._server is not None
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FakeEntra":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._get(self)

            def do_POST(self) -> None:
                fake._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert.cert_file, self.cert.key_file)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-entra", daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeEntra":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _get(self, request: BaseHTTPRequestHandler) -> None:
        base = f"{self.authority}/{TENANT}"
        if request.path.startswith(f"/{TENANT}/v2.0/.well-known/openid-configuration"):
            return _send(
                request,
                200,
                {
                    "issuer": f"{base}/v2.0",
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                },
            )
        return _send(request, 404, {"error": "not_found"})

    def _post(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(request.rfile.read(length).decode()).items()}
        self.token_requests.append(form)
        if request.path != f"/{TENANT}/oauth2/v2.0/token":
            return _send(request, 404, {"error": "not_found"})
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return _send(
                request,
                401,
                {"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret"},
            )
        token = "eyJfake." + secrets.token_urlsafe(24)
        self.issued.append(token)
        return _send(request, 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": token})


def _send(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
