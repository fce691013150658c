"""A real SMTP server for the digest tests: aiosmtpd on 127.0.0.1, STARTTLS and AUTH
required. Each message received is parsed with Python's email package and written to
OUTDIR as one JSON file (headers, envelope, and each part decoded), so the Rust tests
assert on structure instead of decoding MIME themselves.

usage: smtp_server.py PORT OUTDIR CERT KEY USER PASSWORD
Prints "ready" once it accepts connections; runs until killed or stdin closes.
"""

import email
import logging
import email.policy
import json
import os
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
import ssl


def main():
    # aiosmtpd logs a warning about its own use of a deprecated attribute.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    port, outdir, cert, key, user, password = sys.argv[1:7]
    port = int(port)
    os.makedirs(outdir, exist_ok=True)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    counter = {"n": 0}
    lock = threading.Lock()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            parts = []
            for part in msg.walk():
                if part.is_multipart():
                    continue
                parts.append({"type": part.get_content_type(), "content": part.get_content()})
            record = {
                "mail_from": envelope.mail_from,
                "rcpt_tos": envelope.rcpt_tos,
                "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated),
                "headers": {k.lower(): str(v) for k, v in msg.items()},
                "content_type": msg.get_content_type(),
                "parts": parts,
            }
            with lock:
                counter["n"] += 1
                name = "%d-%06d" % (os.getpid(), counter["n"])
            tmp = os.path.join(outdir, name + ".tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(record, f)
            os.replace(tmp, os.path.join(outdir, name + ".json"))
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        tls_context=context,
        require_starttls=True,
        auth_required=True,
        auth_require_tls=True,
        authenticator=authenticator,
    )
    controller.start()
    print("ready", flush=True)
    try:
        # The test owns our stdin: when it goes away, so do we.
        sys.stdin.read()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
