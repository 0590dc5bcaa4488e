"""A small safe fetcher for untrusted URLs (DESIGN.md security rule 4).

>>> from ssevalidate.fetch import fetch
>>> page = fetch("https://directory.example/export.ttl")            # doctest: +SKIP
>>> page.media_type, len(page.data)                                 # doctest: +SKIP
('text/turtle', 48213)
>>> fetch("http://127.0.0.1:8080/x.ttl")                            # doctest: +SKIP
Traceback (most recent call last):
ssevalidate.fetch.FetchError: refused: 127.0.0.1 is a loopback address; only public addresses ...
>>> fetch("http://127.0.0.1:8080/x.ttl", allow=["127.0.0.1"])      # doctest: +SKIP

What it guarantees:

- only ``http`` and ``https`` URLs, no credentials in them, no proxies from the environment;
- the host is resolved here and every address is checked *at connection time*, inside the
  connection itself (a custom network backend for httpcore): the socket is opened to the address
  that was checked, so a DNS answer that changes between a check and the connection (DNS
  rebinding) cannot reach a refused address. The same happens on every redirect, up to
  ``max_redirects``. After the response arrives the peer address is checked once more;
- private, loopback, link-local, multicast, reserved, unspecified and otherwise non-global
  addresses are refused unless ``allow`` lists them (addresses or networks: ``"127.0.0.1"``,
  ``"10.0.0.0/8"``);
- the body is streamed and the transfer stopped as soon as it passes ``max_bytes``; compression
  is not requested, so the count is the size on the wire. With ``into`` (an open binary file)
  the body goes there as it arrives and is never held in memory;
- one deadline, ``timeout`` seconds, covers connection, TLS and every read of every hop (name
  resolution uses the system resolver and its own timeouts);
- error messages never contain fetched bytes, header values or the server's reason phrase.
"""

from __future__ import annotations

import http
import ipaddress
import socket
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

import httpcore
import httpx

import ssevalidate

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_ACCEPT = (
    "text/turtle, application/ld+json;q=0.9, application/n-triples;q=0.9, "
    "application/rdf+xml;q=0.8, application/trig;q=0.8, application/n-quads;q=0.8, "
    "application/json;q=0.5, */*;q=0.1"
)
USER_AGENT = f"ssevalidate/{ssevalidate.__version__} (+https://w3id.org/sse/)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """A URL that could not be fetched; ``str()`` is a message safe to show to the user.

    ``kind`` says why: ``"refused"`` (the URL or an address it leads to is not allowed),
    ``"too_large"``, ``"timeout"`` or ``"upstream"`` (network failure, HTTP error status,
    too many redirects).
    """

    def __init__(self, message: str, kind: str = "upstream") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Fetched:
    """What a fetch returns: the final URL (after redirects), status, media type and bytes."""

    url: str
    status: int
    media_type: str | None
    data: bytes
    """The body; empty when it was written to the file given as ``into``."""
    size: int
    """The body's length in bytes (wherever it went)."""
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)


def parse_allow(allow: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Allow-list entries (``"127.0.0.1"``, ``"10.0.0.0/8"``, ``"::1"``) as networks."""
    networks = []
    for entry in allow:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(
                f"allow-list entry {entry!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def refusal(address: IPAddress, allow: Iterable[IPNetwork] = ()) -> str | None:
    """Why ``address`` may not be fetched (``"a loopback address"``), or None when it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in allow):
        return None
    for test, what in (
        ("is_loopback", "a loopback"),
        ("is_unspecified", "an unspecified"),
        ("is_link_local", "a link-local"),
        ("is_multicast", "a multicast"),
        ("is_reserved", "a reserved"),
        ("is_private", "a private"),
    ):
        if getattr(address, test):
            return f"{what} address"
    if not address.is_global:
        return "a non-public address"
    return None


def fetch(
    url: str,
    *,
    allow: Iterable[str] = (),
    max_bytes: int = 50 * 1024 * 1024,
    timeout: float = 30.0,
    max_redirects: int = 5,
    headers: Mapping[str, str] | None = None,
    accept: str = DEFAULT_ACCEPT,
    into: BinaryIO | None = None,
) -> Fetched:
    """GET ``url`` safely and return its bytes; :class:`FetchError` on any failure.

    ``headers`` are added to the request (``If-None-Match`` for conditional requests: a 304 is
    returned as a :class:`Fetched` with no data). Other non-2xx answers raise. With ``into``,
    the body is written to that file as it arrives (a large download never sits in memory);
    after a failure the file holds part of it.
    """
    networks = parse_allow(allow)
    deadline = time.monotonic() + timeout
    backend = _GuardedBackend(networks, deadline)
    request_headers = {"Accept": accept, "User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    request_headers.update(headers or {})
    current = _checked_url(url)
    with _client(backend) as client:
        for hop in range(max_redirects + 1):
            # Host names from a Location header are server-controlled text: not in messages.
            backend.shown = None if hop == 0 else "a redirect target"
            try:
                with client.stream(
                    "GET", current, headers=request_headers, timeout=_remaining(deadline)
                ) as response:
                    _check_peer(response, networks)
                    if response.status_code in REDIRECTS and "location" in response.headers:
                        current = _redirect(response)
                        continue
                    if response.status_code == 304:
                        return _fetched(response, b"", 0)
                    if not 200 <= response.status_code < 300:
                        raise FetchError(f"the server answered {_status(response.status_code)}")
                    return _fetched(response, *_read(response, max_bytes, deadline, into))
            except FetchError:
                raise
            except httpx.TimeoutException:
                raise FetchError(f"no complete answer within {timeout:g} s", "timeout") from None
            except httpx.ConnectError:
                raise FetchError(f"cannot connect to {backend.shown or _host(current)}") from None
            except (httpx.HTTPError, OSError) as error:
                # OSError: a connection reset before the peer's address could be read.
                where = backend.shown or _host(current)
                raise FetchError(
                    f"the connection to {where} failed ({type(error).__name__})"
                ) from None
    raise FetchError(f"more than {max_redirects} redirects")


# --- the request loop -------------------------------------------------------------------------


def _client(backend: _GuardedBackend) -> httpx.Client:
    transport = httpx.HTTPTransport(trust_env=False)
    # httpx does not expose httpcore's network_backend: build the same pool with ours. The peer
    # check in _check_peer fails closed should a future httpx stop using this pool.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=4,
        network_backend=backend,
    )
    return httpx.Client(transport=transport, trust_env=False, follow_redirects=False)


def _checked_url(url: str, *, redirect: bool = False) -> httpx.URL:
    where = "a redirect leads to a URL that" if redirect else "the URL"
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise FetchError(f"{where} is not a valid URL", "refused") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(
            f"refused: {where} uses the scheme {parsed.scheme or 'none'!r}; "
            "only http and https URLs are fetched",
            "refused",
        )
    if not parsed.host:
        raise FetchError(f"refused: {where} has no host", "refused")
    if parsed.userinfo:
        raise FetchError(f"refused: {where} contains credentials (user:password@)", "refused")
    return parsed


def _redirect(response: httpx.Response) -> httpx.URL:
    try:
        target = str(response.url.join(response.headers["location"]))
    except (httpx.InvalidURL, UnicodeError, ValueError):
        raise FetchError("a redirect leads to an invalid URL") from None
    return _checked_url(target, redirect=True)


def _check_peer(response: httpx.Response, networks: tuple[IPNetwork, ...]) -> None:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if not peer:
        raise FetchError("refused: the connected address could not be checked", "refused")
    why = refusal(ipaddress.ip_address(peer[0].split("%")[0]), networks)
    if why:
        raise FetchError(f"refused: the connection reached {why}", "refused")


def _read(
    response: httpx.Response, max_bytes: int, deadline: float, into: BinaryIO | None
) -> tuple[bytes, int]:
    """The body (empty when written to ``into``) and its size."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(_too_large(max_bytes), "too_large")
    data, size = bytearray(), 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(_too_large(max_bytes), "too_large")
        if time.monotonic() > deadline:
            raise httpx.ReadTimeout("past the deadline")
        if into is None:
            data += chunk
            continue
        try:
            into.write(chunk)
        except OSError as error:  # not the connection's fault: say so (a full disk...)
            raise FetchError(f"the download could not be written ({error.strerror})") from None
    return bytes(data), size


def _fetched(response: httpx.Response, data: bytes, size: int) -> Fetched:
    content_type = response.headers.get("content-type", "")
    media_type = content_type.split(";")[0].strip().lower() or None
    return Fetched(
        url=str(response.url),
        status=response.status_code,
        media_type=media_type,
        data=data,
        size=size,
        headers=dict(response.headers),
    )


def _too_large(max_bytes: int) -> str:
    return f"the document is larger than the limit of {max_bytes:,} bytes"


def _status(code: int) -> str:
    # The standard phrase, never the server's own (it is server-controlled text).
    try:
        return f"HTTP {code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return f"HTTP {code}"


def _host(url: httpx.URL) -> str:
    return url.host if url.port is None else f"{url.host}:{url.port}"


def _remaining(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.001)


# --- connections: checked, pinned, under one deadline -----------------------------------------


class _GuardedBackend(httpcore.NetworkBackend):
    """Resolves the host, refuses forbidden addresses and connects to an address it checked."""

    def __init__(self, allow: tuple[IPNetwork, ...], deadline: float) -> None:
        self.allow = allow
        self.deadline = deadline
        self.inner = httpcore.SyncBackend()
        self.shown: str | None = None
        """How messages name the host: None for its own name (the user typed it)."""

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port)
        reasons = [refusal(address, self.allow) for address in addresses]
        allowed = [a for a, why in zip(addresses, reasons, strict=True) if why is None]
        if not allowed:
            raise FetchError(
                f"refused: {self.shown or host} is {reasons[0]}; only public addresses are fetched",
                "refused",
            )
        last: Exception | None = None
        for address in allowed:
            try:
                stream = self.inner.connect_tcp(
                    str(address),
                    port,
                    timeout=self._timeout(timeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except httpcore.ConnectError as error:
                last = error
                continue
            return _DeadlineStream(stream, self.deadline)
        raise last or httpcore.ConnectError("cannot connect")

    def connect_unix_socket(self, *args, **kwargs) -> httpcore.NetworkStream:
        raise FetchError("refused: Unix sockets are never used", "refused")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def _resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            return [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            pass
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise FetchError(f"cannot resolve the host name of {self.shown or host}") from None
        seen: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if address not in seen:
                seen.append(address)
        if not seen:
            raise FetchError(f"cannot resolve the host name of {self.shown or host}")
        return seen

    def _timeout(self, timeout: float | None) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("deadline passed")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: float) -> None:
        self.inner = inner
        self.deadline = deadline

    def _timeout(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("deadline passed")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, self._timeout(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, self._timeout(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        stream = self.inner.start_tls(
            ssl_context, server_hostname, self._timeout(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream, self.deadline)

    def get_extra_info(self, info: str):
        return self.inner.get_extra_info(info)
