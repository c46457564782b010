"""A real SMTP server for the tests of email alerts (aiosmtpd, on a free port of this machine),
and the site's settings pointed at it."""

import email
import email.policy
import threading
import time

from aiosmtpd.controller import Controller

from .test_two_servers import free_port


class Inbox:
    """What the server received: each message parsed (email.message.EmailMessage), in order.
    `refuse` makes it answer every message with a temporary failure; `delay` makes it wait
    that many seconds before accepting each one; `recipient_delay`, before accepting each
    recipient (a client killed then has handed nothing over). `recipients_asked` counts them."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.refuse = False
        self.delay = 0
        self.recipient_delay = 0
        self.recipients_asked = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.recipients_asked += 1
        if self.recipient_delay:
            time.sleep(self.recipient_delay)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 4.3.0 Try again later"
        if self.delay:
            time.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)

    def clear(self):
        with self.lock:
            self.messages.clear()

    def to(self, address):
        return [message for message in self.messages if message["To"] == address]


def start_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return inbox, controller


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message):
    return message.get_body(preferencelist=("html",)).get_content()
