"""A local HTTPS server that answers like Microsoft Entra ID's token endpoint for the
client-credentials flow (what msal asks for when SMTP uses OAuth2).

    with FakeEntra(cert) as entra:     # cert from smtp_fake.make_cert; trust it via REQUESTS_CA_BUNDLE
        entra.authority                # put in [smtp] authority (or O365_AUTHORITY); tenant "contoso"
        entra.issued                   # access tokens handed out
        entra.token_requests           # form fields of each token request
        entra.discovery_requests       # GETs of the tenant's OpenID configuration
        entra.valid(token)             # issued here and not expired: what FakeSmtp's XOAUTH2 checks
        entra.expires_in = 3599        # lifetime of the next tokens, in seconds
        entra.down(); entra.up()       # stop listening / listen again on the same port

Errors as Entra ID gives them: an unknown tenant gets 400 invalid_tenant AADSTS90002 (from the
OpenID configuration and from the token endpoint), an unknown client id 400 unauthorized_client
AADSTS700016, a wrong secret 401 invalid_client AADSTS7000215.
"""

import contextlib
import json
import secrets
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from tests.servers.smtp_fake import Cert

TENANT = "contoso"
CLIENT_ID = "11111111-2222-3333-4444-555555555555"
CLIENT_SECRET = "fake-client-secret-31337"
SCOPE = "https://outlook.office365.com/.default"
TRACE = "\r\nTrace ID: 0f1e2d3c-0000-0000-0000-000000000000\r\nCorrelation ID: 00000000-aaaa-bbbb-cccc-000000000000"


class FakeEntra:
    def __init__(
        self,
        cert: Cert,
        *,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        tenant: str = TENANT,
    ) -> None:
        self.cert, self.client_id, self.client_secret, self.tenant = cert, client_id, client_secret, tenant
        self.issued: list[str] = []
        self.token_requests: list[dict[str, str]] = []
        self.discovery_requests: list[str] = []
        self.expires_in = 3599
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0
        self._connections: set[Any] = set()

    @property
    def authority(self) -> str:
        return f"https://127.0.0.1:{self._port}"

    def valid(self, token: str) -> bool:
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and time.time() < expiry

    def start(self) -> "FakeEntra":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, *_args: Any) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                with fake._lock:
                    fake._connections.add(self.connection)

            def finish(self) -> None:
                with fake._lock:
                    fake._connections.discard(self.connection)
                super().finish()

            def do_GET(self) -> None:
                fake._get(self)

            def do_POST(self) -> None:
                fake._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = int(self._server.server_address[1])
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
        # Keep-alive connections too: down means nothing answers, not only that nothing new connects.
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    up, down = start, stop

    def __enter__(self) -> "FakeEntra":
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _unknown_tenant(self, request: BaseHTTPRequestHandler, tenant: str) -> None:
        _send(
            request,
            400,
            {
                "error": "invalid_tenant",
                "error_description": f"AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have "
                "the correct tenant ID and are signing into the correct cloud." + TRACE,
                "error_codes": [90002],
            },
        )

    def _get(self, request: BaseHTTPRequestHandler) -> None:
        tenant = request.path.split("/")[1] if request.path.count("/") > 1 else ""
        if request.path.startswith(f"/{tenant}/v2.0/.well-known/openid-configuration"):
            self.discovery_requests.append(request.path)
            if tenant != self.tenant:
                return self._unknown_tenant(request, tenant)
            base = f"{self.authority}/{tenant}"
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
        with self._lock:
            self.token_requests.append(form)
        tenant = request.path.split("/")[1] if request.path.count("/") > 1 else ""
        if request.path != f"/{tenant}/oauth2/v2.0/token":
            return _send(request, 404, {"error": "not_found"})
        if tenant != self.tenant:
            return self._unknown_tenant(request, tenant)
        if form.get("client_id") != self.client_id:
            return _send(
                request,
                400,
                {
                    "error": "unauthorized_client",
                    "error_description": f"AADSTS700016: Application with identifier '{form.get('client_id')}' "
                    f"was not found in the directory '{tenant}'." + TRACE,
                    "error_codes": [700016],
                },
            )
        if form.get("client_secret") != self.client_secret:
            return _send(
                request,
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret "
                    "being sent in the request is the client secret value, not the client secret ID." + TRACE,
                    "error_codes": [7000215],
                },
            )
        if form.get("grant_type") != "client_credentials" or SCOPE not in form.get("scope", "").split():
            return _send(
                request, 400, {"error": "invalid_scope", "error_description": "AADSTS1002012" + TRACE}
            )
        token = "eyJfake." + secrets.token_urlsafe(24)
        with self._lock:
            self.issued.append(token)
            self._expiry[token] = time.time() + self.expires_in
        return _send(
            request, 200, {"token_type": "Bearer", "expires_in": self.expires_in, "access_token": token}
        )


def _send(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
