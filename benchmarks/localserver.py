"""A minimal HTTP/1.1 keep-alive server for the benchmarks, in its own process (it never competes with the
measured client for the interpreter lock).

Responses are prepared in memory before the process starts; each path answers 200 with an ETag, or 304 when the
request's If-None-Match matches. Bodies may be stored gzip-compressed (``Content-Encoding: gzip``). The listening
socket is bound in the parent, so URLs (and the feeds that link to pages) are known before the server starts.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing
import os
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    body: bytes
    content_type: str
    gzipped: bool = False
    encoding: str = ""  # a Content-Encoding header of any value (the body is sent as given)


def _responses(resources: dict[str, Resource]) -> dict[bytes, tuple[bytes, bytes, bytes]]:
    prepared = {}
    for path, res in resources.items():
        etag = '"' + hashlib.sha1(res.body).hexdigest()[:16] + '"'
        name = res.encoding or ("gzip" if res.gzipped else "")
        encoding = f"Content-Encoding: {name}\r\n" if name else ""
        full = (f"HTTP/1.1 200 OK\r\nContent-Type: {res.content_type}\r\n{encoding}ETag: {etag}\r\n"
                f"Content-Length: {len(res.body)}\r\n\r\n").encode() + res.body
        not_modified = f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode()
        prepared[path.encode()] = (etag.encode(), full, not_modified)
    return prepared


def _serve(sock: socket.socket, resources: dict[str, Resource]) -> None:
    responses = _responses(resources)
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    class Protocol(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport
            self.buffer = b""

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while b"\r\n\r\n" in self.buffer:
                head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                lines = head.split(b"\r\n")
                parts = lines[0].split(b" ")
                path = parts[1] if len(parts) > 1 else b""
                validators = [line.split(b":", 1)[1].strip() for line in lines[1:]
                              if line.lower().startswith(b"if-none-match:")]
                entry = responses.get(path)
                if entry is None:
                    self.transport.write(missing)
                else:
                    etag, full, not_modified = entry
                    self.transport.write(not_modified if etag in validators else full)

    async def main() -> None:
        parent = os.getppid()
        server = await asyncio.get_running_loop().create_server(Protocol, sock=sock, backlog=1024)
        while os.getppid() == parent:  # the benchmark died without stopping us: stop too
            await asyncio.sleep(1)
        server.close()

    asyncio.run(main())


class LocalServer:
    """``LocalServer()`` binds 127.0.0.1; ``start(resources)`` serves them from a forked process; ``stop()``."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.process: multiprocessing.process.BaseProcess | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def start(self, resources: dict[str, Resource]) -> LocalServer:
        # fork: the bound socket and the prepared bodies are inherited, nothing is pickled
        self.process = multiprocessing.get_context("fork").Process(target=_serve, args=(self.sock, resources),
                                                                   daemon=True)
        self.process.start()
        self.sock.close()  # the child owns it now; connections queue in the backlog until it accepts
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.join(5)
