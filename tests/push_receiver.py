"""A DingTalk HTTP-push receiver on 127.0.0.1, with its own implementation of the
published callback crypto (``DingCallbackCrypto``), independent of dingconf's."""

import base64
import hashlib
import json
import os
import struct
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TOKEN = "push-token"


class ReceiverCrypto:
    """Encrypt / decrypt / sign as an app's callback endpoint does."""

    def __init__(self, token: str, aes_key: str, owner_key: str) -> None:
        self.token = token
        self.key = base64.b64decode(aes_key + "=")
        self.owner = owner_key.encode()

    def sign(self, timestamp: str, nonce: str, encrypt: str) -> str:
        parts = sorted([self.token, timestamp, nonce, encrypt])
        return hashlib.sha1("".join(parts).encode()).hexdigest()

    def decrypt(self, encrypt: str) -> str:
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        raw = decryptor.update(base64.b64decode(encrypt)) + decryptor.finalize()
        # PKCS#7 with a 32-byte block, as DingTalk pads.
        unpadder = padding.PKCS7(256).unpadder()
        raw = unpadder.update(raw) + unpadder.finalize()
        (length,) = struct.unpack(">I", raw[16:20])
        message, owner = raw[20 : 20 + length], raw[20 + length :]
        assert owner == self.owner, owner
        return message.decode()

    def encrypt(self, message: str) -> str:
        body = message.encode()
        raw = os.urandom(16) + struct.pack(">I", len(body)) + body + self.owner
        padder = padding.PKCS7(256).padder()
        raw = padder.update(raw) + padder.finalize()
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()

    def reply(self, message: str) -> dict[str, str]:
        encrypt = self.encrypt(message)
        timestamp, nonce = "1700000000000", "n0nce123"
        return {
            "msg_signature": self.sign(timestamp, nonce, encrypt),
            "timeStamp": timestamp,
            "nonce": nonce,
            "encrypt": encrypt,
        }


#: Decides, for the n-th request (from 1) and its decrypted body, whether to answer success.
Policy = Callable[[int, dict[str, Any]], bool]


class PushReceiver:
    """Collects every verified, decrypted push; answers as ``policy`` says."""

    def __init__(self, app_key: str, policy: Policy = lambda _n, _body: True) -> None:
        self.crypto = ReceiverCrypto(TOKEN, AES_KEY, app_key)
        self.received: list[dict[str, Any]] = []
        self.acknowledged: list[dict[str, Any]] = []
        self.problems: list[str] = []
        self._policy = policy
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                encrypt = body["encrypt"]
                signature = receiver.crypto.sign(query["timestamp"][0], query["nonce"][0], encrypt)
                if signature != query["msg_signature"][0]:
                    receiver.problems.append("bad signature")
                    self.send_response(403)
                    self.end_headers()
                    return
                event = json.loads(receiver.crypto.decrypt(encrypt))
                with receiver._lock:
                    receiver.received.append(event)
                    ok = receiver._policy(len(receiver.received), event)
                    if ok:
                        receiver.acknowledged.append(event)
                if not ok:
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = json.dumps(receiver.crypto.reply("success")).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/callback"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "PushReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
