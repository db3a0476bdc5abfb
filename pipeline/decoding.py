"""Content-Encoding decoded while streaming, with the decoded size bounded at every layer.

httpx decodes each network chunk whole before the caller sees it, so a 16 KB brotli or nested-gzip body can
expand to gigabytes in one call. :class:`BoundedDecoder` takes the raw chunks instead and decodes each layer
(``gzip``, ``deflate``, ``br``, stacked in any order up to ``MAX_LAYERS``) in pieces of at most ``PIECE`` bytes,
stopping as soon as any layer has produced more than the limit: memory stays at the limit plus a constant.
Unknown encodings and deeper stacks are refused (``UnsupportedEncoding``); corrupt data is ``CorruptEncoding``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from itertools import chain

import brotli

PIECE = 65_536  # largest piece one decompression step may produce
MAX_LAYERS = 3  # "gzip, gzip, gzip" is already more than any honest server sends
IDENTITY = frozenset({"", "identity"})


class UnsupportedEncoding(ValueError):
    """A Content-Encoding we do not decode, or too many of them stacked."""


class CorruptEncoding(ValueError):
    """The body is not valid data for its Content-Encoding."""


class TooLarge(ValueError):
    """A layer decoded to more than the limit."""


class _Zlib:
    """gzip (several members allowed) or deflate (zlib-wrapped, or raw as some servers send it)."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._wbits = 31 if self._gzip else 15
        self._started = False
        self._obj = zlib.decompressobj(self._wbits)

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._obj.decompress(data, PIECE)
            except zlib.error as exc:
                if self._gzip or self._started:
                    raise CorruptEncoding(str(exc)) from None
                self._wbits = -15  # deflate without the zlib header
                self._obj = zlib.decompressobj(self._wbits)
                try:
                    out = self._obj.decompress(data, PIECE)
                except zlib.error as raw_exc:
                    raise CorruptEncoding(str(raw_exc)) from None
            self._started = True
            if out:
                yield out
            data = self._obj.unconsumed_tail
            if not data and self._obj.eof and self._obj.unused_data.strip(b"\0"):
                data = self._obj.unused_data  # the next gzip member
                self._obj = zlib.decompressobj(self._wbits)

    def flush(self) -> Iterator[bytes]:
        out = self._obj.flush(PIECE)
        if out:
            yield out


class _Brotli:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def feed(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=PIECE)
            while True:
                if out:
                    yield out
                if self._obj.is_finished() or self._obj.can_accept_more_data():
                    return
                out = self._obj.process(b"", output_buffer_limit=PIECE)
        except brotli.error as exc:
            raise CorruptEncoding(f"brotli: {exc}") from None

    def flush(self) -> Iterator[bytes]:
        return iter(())


def _layer(encoding: str) -> _Zlib | _Brotli:
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Zlib(encoding)
    if encoding == "br":
        return _Brotli()
    raise UnsupportedEncoding(f"unsupported Content-Encoding {encoding!r}")


class BoundedDecoder:
    """Decode a body for its ``Content-Encoding`` header, raising ``TooLarge`` once any layer passes ``limit``."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        names = [name.strip().lower() for name in content_encoding.split(",")]
        names = [name for name in names if name not in IDENTITY]
        if len(names) > MAX_LAYERS:
            raise UnsupportedEncoding(f"{len(names)} stacked Content-Encodings ({content_encoding}); at most"
                                      f" {MAX_LAYERS} are decoded")
        self._layers = [_layer(name) for name in reversed(names)]  # the last applied is decoded first
        self._limit = limit
        self._sizes = [0] * len(self._layers)
        self.size = 0  # decoded bytes so far

    def feed(self, data: bytes) -> list[bytes]:
        """The decoded pieces for one raw chunk."""
        return list(self._through(0, data, final=False))

    def flush(self) -> list[bytes]:
        """The pieces still held by the decoders at the end of the body."""
        return list(self._through(0, b"", final=True))

    def _through(self, index: int, data: bytes, *, final: bool) -> Iterator[bytes]:
        if index == len(self._layers):
            self.size += len(data)
            if self.size > self._limit:
                raise TooLarge(f"body exceeds {self._limit} bytes (decoded)")
            if data:
                yield data
            return
        layer = self._layers[index]
        pieces = chain(layer.feed(data), layer.flush()) if final else layer.feed(data)
        for piece in pieces:
            self._sizes[index] += len(piece)
            if self._sizes[index] > self._limit:
                raise TooLarge(f"body exceeds {self._limit} bytes (decoded)")
            yield from self._through(index + 1, piece, final=False)
        if final:
            yield from self._through(index + 1, b"", final=True)
