"""A tiny SMTP server for tests (aiosmtpd is not installed): the standard library's socketserver
speaking enough SMTP for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT). It keeps every
message it accepted; `failing = True` makes it refuse MAIL with a temporary error (451)."""
from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage


class _Handler(socketserver.StreamRequestHandler):
    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        server: SmtpServer = self.server.owner
        self._reply("220 localhost test SMTP")
        sender, recipients = None, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            command = raw.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self._reply("250-localhost")
                self._reply("250-8BITMIME")
                self._reply("250 SMTPUTF8")
            elif verb == "HELO":
                self._reply("250 localhost")
            elif verb == "MAIL":
                if server.failing:
                    self._reply("451 4.3.0 try again later")
                    continue
                sender, recipients = command[10:].split()[0].strip("<>"), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command[8:].split()[0].strip("<>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        break
                    lines.append(line[1:] if line.startswith(b"..") else line)
                with server.lock:
                    server.messages.append((sender, recipients,
                                            message_from_bytes(b"".join(lines), policy=policy.default)))
                self._reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("502 command not implemented")


class _TCPServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpServer:
    """Started on a free loopback port; `messages` holds (sender, recipients, EmailMessage)."""

    def __init__(self, port: int = 0):
        self.failing = False
        self.lock = threading.Lock()
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self._server = _TCPServer(("127.0.0.1", port), _Handler)
        self._server.owner = self
        self.host, self.port = self._server.server_address
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "SmtpServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
