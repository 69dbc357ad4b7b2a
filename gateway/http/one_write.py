"""The HTTP protocol `govgraph serve` runs under uvicorn: uvicorn's own, with each response's
head and body leaving in one write.

uvicorn writes a response's head when the app starts it and the body when the app sends it, one
transport write each. Under uvloop a write goes to the socket at once, so every answer was two
sends: a client on the same host woke for the head, read it, slept, and woke again for the body,
and the gateway's core was taken from it in between. Here the head is held until the next write
on the connection, which is the body in the same turn of the loop, and the two leave as one. A
head with nothing after it in that turn (a stream's first event comes later, `100 Continue`)
leaves at the end of the turn. Bytes are never reordered and nothing is held past the turn."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.http.draining import begin_draining

_HEAD_START = b"HTTP/1.1 "
_HEAD_END = b"\r\n\r\n"


class HeadHeldTransport:
    """A transport that holds a response head back until the next write or the end of the turn;
    everything else is the wrapped transport's."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._transport.write(held + bytes(data))
        elif data[: len(_HEAD_START)] == _HEAD_START and data[-len(_HEAD_END) :] == _HEAD_END:
            self._held = bytes(data)
            self._loop.call_soon(self.release)
        else:
            self._transport.write(data)

    def writelines(self, lines: Any) -> None:
        self.write(b"".join(lines))

    def release(self) -> None:
        """Send a held head; dropped if the connection is already going."""
        if self._held is None:
            return
        held, self._held = self._held, None
        if not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self.release()
        self._transport.close()

    def write_eof(self) -> None:
        self.release()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._held or b"")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class OneWriteHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a `HeadHeldTransport`, which also tells the app's live
    streams when the server begins to shut down (`gateway.http.draining`)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        held: Any = HeadHeldTransport(transport, self.loop)
        super().connection_made(held)

    def shutdown(self) -> None:
        super().shutdown()
        begin_draining(self.app_state)  # live streams end now, not at the grace period's end


# for `uvicorn.run(..., http=PROTOCOL)`; on uvicorn's command line, `--http` and this string
PROTOCOL = f"{__name__}:OneWriteHttpProtocol"
