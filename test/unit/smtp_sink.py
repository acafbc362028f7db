#!/usr/bin/python3
"""SMTP server for the unit tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py DIRECTORY USER PASSWORD

Listens on a free port of 127.0.0.1 and prints it on a line; offers AUTH without TLS and accepts
only USER with PASSWORD; writes each message it accepts to DIRECTORY/<n>.json (under a temporary
name, then renamed) with the envelope, the login, the raw message and, parsed by Python's email
package, the decoded subject and body.
"""
import asyncio
import email
import email.policy
import json
import os
import socket
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

directory, user, password = sys.argv[1], sys.argv[2].encode(), sys.argv[3].encode()


class Handler:
    received = 0

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": session.auth_data.login.decode() if session.authenticated else None,
            "content": envelope.content.decode("utf-8", "replace"),
            "subject": str(message["subject"]),
            "body": message.get_content(),
        }
        Handler.received += 1
        path = os.path.join(directory, f"{Handler.received}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as out:
            json.dump(record, out)
        os.rename(path + ".tmp", path)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    accepted = (isinstance(auth_data, LoginPassword) and auth_data.login == user
                and auth_data.password == password)
    # handled=False: aiosmtpd then answers a refusal with 535 itself.
    return AuthResult(success=accepted, handled=False, auth_data=auth_data)


async def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = await asyncio.get_running_loop().create_server(
        lambda: SMTP(Handler(), authenticator=authenticate, auth_require_tls=False),
        sock=listener)
    print(listener.getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
