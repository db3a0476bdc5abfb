"""Fault-injecting routes for the tests' ``LocalServer``: each function here is a ``Route.handler`` (it gets the
``BaseHTTPRequestHandler`` and writes whatever it likes to the socket), or builds a misbehaving body.

Every feed and page served here was written for the tests.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import socket
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import brotli
import pytest

Handler = Callable[[BaseHTTPRequestHandler], None]


def _headers(request: BaseHTTPRequestHandler, status: int, headers: dict[str, str]) -> None:
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name, value)
    request.end_headers()


def slow_headers(delay: float) -> Handler:
    """Answer nothing for ``delay`` seconds (a server that accepts and then hangs)."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        request.close_connection = True

    return handle


def slow_drip(body: bytes, *, every: float = 0.2, chunk: int = 1) -> Handler:
    """Send headers at once, then the body a few bytes at a time: every read is quick, the whole is not."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        _headers(request, 200, {"Content-Type": "application/rss+xml", "Content-Length": str(len(body))})
        try:
            for start in range(0, len(body), chunk):
                request.wfile.write(body[start:start + chunk])
                request.wfile.flush()
                time.sleep(every)
        except OSError:
            pass
        request.close_connection = True

    return handle


def reset(request: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP RST before answering."""
    request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    request.connection.close()
    request.wfile = io.BytesIO()  # the socket is gone; let the server's bookkeeping write nowhere
    request.close_connection = True


def endless(total: int, *, content_type: str = "application/rss+xml", declare_length: bool = False) -> Handler:
    """Stream ``total`` bytes of a feed-looking body (chunked unless ``declare_length``) until the client hangs up."""
    piece = b"<!-- " + b"x" * 65_000 + b" -->\n"

    def handle(request: BaseHTTPRequestHandler) -> None:
        headers = {"Content-Type": content_type}
        headers["Content-Length" if declare_length else "Transfer-Encoding"] = (
            str(total) if declare_length else "chunked")
        _headers(request, 200, headers)
        sent = 0
        try:
            while sent < total:
                data = piece[: total - sent]
                if declare_length:
                    request.wfile.write(data)
                else:
                    request.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                sent += len(data)
            if not declare_length:
                request.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        request.close_connection = True

    return handle


def gzip_bomb(decoded_size: int, *, wbits: int = 31) -> bytes:
    """A gzip stream of ``decoded_size`` zero bytes (about a thousandth of that on the wire); ``wbits=15`` makes
    it a zlib (``deflate``) stream."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    block = b"\0" * 1_000_000
    parts = [compressor.compress(block) for _ in range(decoded_size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


def brotli_bomb(decoded_size: int) -> bytes:
    """A brotli stream of ``decoded_size`` zero bytes (a few hundred bytes per gigabyte on the wire)."""
    compressor = brotli.Compressor(quality=5)
    block = b"\0" * 1_000_000
    parts = [compressor.process(block) for _ in range(decoded_size // len(block))]
    parts.append(compressor.finish())
    return b"".join(parts)


def nested_bomb(decoded_size: int, encodings: str) -> bytes:
    """A zero-filled body of ``decoded_size`` bytes compressed once per name of ``encodings`` ("gzip, br"), in
    the order a server applies them, with each layer streamed so that building the bomb stays small."""
    names = [name.strip() for name in encodings.split(",")]
    bombs = {"br": brotli_bomb, "gzip": gzip_bomb, "deflate": lambda size: gzip_bomb(size, wbits=15)}
    body = bombs[names[0]](decoded_size)
    for name in names[1:]:
        body = encoded(body, name)
    return body


def encoded(body: bytes, encoding: str) -> bytes:
    """``body`` compressed for a Content-Encoding (gzip, deflate or br)."""
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    if encoding == "br":
        return brotli.compress(body)
    raise ValueError(encoding)


class ConcurrencyProbe:
    """A handler that holds each request a moment and records the most requests in flight at once."""

    def __init__(self, body: bytes, *, hold: float = 0.15) -> None:
        self.body = body
        self.hold = hold
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, request: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.hold)
            _headers(request, 200, {"Content-Type": "application/rss+xml", "Content-Length": str(len(self.body))})
            request.wfile.write(self.body)
        finally:
            with self._lock:
                self.active -= 1


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """``directory`` on a read-only mount for the duration (skips the test when mounting is not allowed)."""
    bind = subprocess.run(["mount", "--bind", str(directory), str(directory)], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount here: {bind.stderr.decode().strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(directory)], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(directory)], check=True)


@contextlib.contextmanager
def small_disk(directory: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` (``"2m"``) mounted on ``directory`` for the duration: a disk that fills up (root only;
    skips the test elsewhere). Yields the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)],
                           capture_output=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.decode().strip()}")
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=True)


def fill(directory: Path, leave: int) -> Path:
    """Fill the filesystem of ``directory`` but for ``leave`` bytes; returns the filler file (delete it to free)."""
    filler = directory / "filler"
    free = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize
    with filler.open("wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


@contextlib.contextmanager
def internal_server() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.2 standing for an internal host; yields (its base URL, the paths it was asked for)."""
    hits: list[str] = []

    class Inner(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.2", 0), Inner)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.2:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
