"""A small real SMTP server for tests, on a free local port, in a thread.

It speaks enough SMTP for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), refuses the
recipients it is told to with the given reply code, and records each accepted message.
"""

import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Delivery:
    sender: str
    recipients: list[str]
    data: str


def _address(argument: str) -> str:
    """`TO:<a@b.c> SIZE=1` -> `a@b.c`."""
    value = argument.split(":", 1)[1].strip()
    return value[1:value.index(">")] if value.startswith("<") else value.split()[0]


class _Session(socketserver.StreamRequestHandler):
    server: "_Server"

    def reply(self, code: int, text: str) -> None:
        self.wfile.write(f"{code} {text}\r\n".encode())

    def handle(self) -> None:
        self.reply(220, "test SMTP ready")
        sender, recipients = "", []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb, _space, argument = command.partition(" ")
            verb = verb.upper()
            if verb in ("EHLO", "HELO"):
                self.reply(250, "test")
            elif verb == "MAIL":
                sender, recipients = _address(argument), []
                self.reply(250, "OK")
            elif verb == "RCPT":
                address = _address(argument)
                code = self.server.smtp.refuse.get(address)
                if code:
                    self.reply(code, f"mailbox {address} refused")
                else:
                    recipients.append(address)
                    self.reply(250, "OK")
            elif verb == "DATA":
                self.reply(354, "end with <CRLF>.<CRLF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data.decode("utf-8", "replace"))
                with self.server.smtp.lock:
                    self.server.smtp.delivered.append(Delivery(sender, recipients, "".join(lines)))
                sender, recipients = "", []
                self.reply(250, "queued")
            elif verb in ("RSET", "NOOP"):
                if verb == "RSET":
                    sender, recipients = "", []
                self.reply(250, "OK")
            elif verb == "QUIT":
                self.reply(221, "bye")
                return
            else:
                self.reply(502, "not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    smtp: "SmtpServer"


@dataclass
class SmtpServer:
    """`with SmtpServer(refuse={"a@b.c": 550}) as server:` ... `server.port`, `server.delivered`."""

    refuse: dict[str, int] = field(default_factory=dict)
    delivered: list[Delivery] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def __enter__(self) -> "SmtpServer":
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.smtp = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def recipients(self) -> list[str]:
        with self.lock:
            return sorted(address for delivery in self.delivered for address in delivery.recipients)
