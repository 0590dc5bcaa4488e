"""The safe fetcher (DESIGN.md rule 4), against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import http.server
import ipaddress
import threading
import time
import tracemalloc

import pytest

from ssevalidate.fetch import FetchError, fetch, parse_allow, refusal

TURTLE = b'<https://example.org/a> <http://schema.org/name> "A" .\n'
SECRET = b"SECRET-CONTENT-never-shown"
CHUNK = b'<https://example.org/a> <http://schema.org/name> "A" .\n' * 1024
LARGE_CHUNKS = 400  # 22 MB, sent a chunk at a time (the server never holds it whole)
LOOPBACK = ["127.0.0.1"]


class Handler(http.server.BaseHTTPRequestHandler):
    """Routes for every case; ``server.aborted`` records a transfer the client cut short."""

    def do_GET(self):
        route = getattr(
            self,
            "route_" + self.path.strip("/").split("?")[0].replace("-", "_").replace(".", "_"),
            None,
        )
        if route is None:
            self.send_error(404)
            return
        route()

    def reply(self, body: bytes, content_type: str = "text/turtle; charset=utf-8", status=200):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def route_doc_ttl(self):
        self.reply(TURTLE)

    def route_headers(self):
        self.server.seen_headers = dict(self.headers)
        self.reply(TURTLE)

    def route_redirect(self):
        self.redirect("/doc.ttl")

    def route_redirect_private(self):
        self.redirect("http://169.254.169.254/latest/meta-data/")

    def route_redirect_other_loopback(self):
        # 127.0.0.2 answers on Linux too, but it is not the allowed 127.0.0.1
        self.redirect(f"http://127.0.0.2:{self.server.server_address[1]}/doc.ttl")

    def route_redirect_file(self):
        self.redirect("file:///etc/passwd")

    def route_redirect_loop(self):
        self.redirect("/redirect-loop")

    def route_missing(self):
        self.send_response(404, "SECRET-REASON-never-shown")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(SECRET)))
        self.end_headers()
        self.wfile.write(SECRET)

    def route_not_modified(self):
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.end_headers()
        else:
            self.reply(TURTLE)

    def route_big_declared(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(10**9))
        self.end_headers()
        self.server.aborted = True  # never sends a byte: the client must not wait for it

    def route_big_streamed(self):
        # No Content-Length (the body ends when the connection closes): only counting stops it.
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.end_headers()
        try:
            for _ in range(2000):  # 128 MB if nobody stops us
                self.wfile.write(b"#" * 65535 + b"\n")
        except OSError:
            self.server.aborted = True

    def route_large_nt(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(CHUNK) * LARGE_CHUNKS))
        self.end_headers()
        for _ in range(LARGE_CHUNKS):
            self.wfile.write(CHUNK)

    def route_drip(self):
        # Headers at once, then one byte every 0.2 s: every read is quick, the whole is not.
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"#")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.aborted = False
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# --- which addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("127.0.0.1", "loopback"),
        ("127.9.9.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("100.64.0.1", "non-public"),
        ("192.0.2.1", "private"),
    ],
)
def test_refused_addresses(address, why):
    assert why in refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "2001:4860:4860::8888", "151.101.1.1"])
def test_public_addresses_pass(address):
    assert refusal(ipaddress.ip_address(address)) is None


def test_allow_list_admits_addresses_and_networks():
    assert refusal(ipaddress.ip_address("127.0.0.1"), parse_allow(["127.0.0.1"])) is None
    assert refusal(ipaddress.ip_address("10.9.8.7"), parse_allow(["10.0.0.0/8"])) is None
    assert refusal(ipaddress.ip_address("10.9.8.7"), parse_allow(["127.0.0.1"])) is not None
    with pytest.raises(ValueError, match="not an IP address"):
        parse_allow(["intranet.example"])


# --- fetching ---------------------------------------------------------------------------------


def test_loopback_refused_without_allow_list(server):
    _, base = server
    with pytest.raises(FetchError, match=r"refused: 127\.0\.0\.1 is a loopback address") as caught:
        fetch(f"{base}/doc.ttl")
    assert caught.value.kind == "refused"


def test_loopback_fetched_with_allow_list(server):
    _, base = server
    page = fetch(f"{base}/doc.ttl", allow=LOOPBACK)
    assert page.data == TURTLE
    assert page.status == 200
    assert page.media_type == "text/turtle"  # parameters dropped, lower case
    assert page.url == f"{base}/doc.ttl"


def test_host_names_are_resolved_and_checked(server):
    _, base = server
    port = base.rsplit(":", 1)[1]
    with pytest.raises(FetchError, match="refused: localhost is a loopback address"):
        fetch(f"http://localhost:{port}/doc.ttl")
    # Allowed: every address localhost resolves to is tried until one answers (the server
    # listens on 127.0.0.1 only, localhost may resolve to ::1 first).
    assert fetch(f"http://localhost:{port}/doc.ttl", allow=[*LOOPBACK, "::1"]).data == TURTLE


def test_sends_an_rdf_accept_header_and_no_compression(server):
    httpd, base = server
    fetch(f"{base}/headers", allow=LOOPBACK)
    assert "text/turtle" in httpd.seen_headers["Accept"]
    assert httpd.seen_headers["Accept-Encoding"] == "identity"
    assert httpd.seen_headers["User-Agent"].startswith("ssevalidate/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("file:///etc/passwd", "scheme 'file'"),
        ("ftp://example.org/x.ttl", "scheme 'ftp'"),
        ("gopher://example.org/", "scheme 'gopher'"),
        ("http://user:secret@example.org/x.ttl", "credentials"),
        ("http:///x.ttl", "no host"),
        ("not a url at all", "scheme"),
    ],
)
def test_bad_urls_refused_before_any_connection(url, message):
    with pytest.raises(FetchError, match=message) as caught:
        fetch(url)
    assert caught.value.kind == "refused"


def test_redirect_followed(server):
    _, base = server
    page = fetch(f"{base}/redirect", allow=LOOPBACK)
    assert page.data == TURTLE
    assert page.url == f"{base}/doc.ttl"


def test_redirect_to_private_address_refused(server):
    _, base = server
    with pytest.raises(FetchError) as caught:
        fetch(f"{base}/redirect-private", allow=LOOPBACK)
    assert caught.value.kind == "refused"
    assert "a redirect target is a link-local address" in str(caught.value)
    assert "169.254" not in str(caught.value)  # the Location header is not echoed


def test_every_hop_is_checked_against_the_allow_list(server):
    _, base = server
    with pytest.raises(FetchError, match="a redirect target is a loopback address"):
        fetch(f"{base}/redirect-other-loopback", allow=LOOPBACK)


def test_redirect_to_other_scheme_refused(server):
    _, base = server
    with pytest.raises(FetchError, match="a redirect leads to a URL that uses the scheme 'file'"):
        fetch(f"{base}/redirect-file", allow=LOOPBACK)


def test_redirect_cap(server):
    _, base = server
    with pytest.raises(FetchError, match="more than 3 redirects"):
        fetch(f"{base}/redirect-loop", allow=LOOPBACK, max_redirects=3)


def test_http_error_never_echoes_content(server):
    _, base = server
    with pytest.raises(FetchError) as caught:
        fetch(f"{base}/missing", allow=LOOPBACK)
    message = str(caught.value)
    assert message == "the server answered HTTP 404 Not Found"
    assert "SECRET" not in message


def test_conditional_request(server):
    _, base = server
    page = fetch(f"{base}/not-modified", allow=LOOPBACK, headers={"If-None-Match": '"v1"'})
    assert (page.status, page.data) == (304, b"")
    assert fetch(f"{base}/not-modified", allow=LOOPBACK).data == TURTLE


def test_declared_oversize_refused_without_reading(server):
    _, base = server
    started = time.monotonic()
    with pytest.raises(FetchError, match="larger than the limit of 1,000 bytes") as caught:
        fetch(f"{base}/big-declared", allow=LOOPBACK, max_bytes=1000, timeout=10)
    assert caught.value.kind == "too_large"
    assert time.monotonic() - started < 5


def test_streamed_oversize_stopped(server):
    httpd, base = server
    httpd.aborted = False
    started = time.monotonic()
    with pytest.raises(FetchError, match="larger than the limit") as caught:
        fetch(f"{base}/big-streamed", allow=LOOPBACK, max_bytes=100_000, timeout=20)
    assert caught.value.kind == "too_large"
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10
    while not httpd.aborted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert httpd.aborted, "the server could send all 128 MB: the transfer was not stopped"


def test_a_body_written_into_a_file_is_never_held_in_memory(server, tmp_path):
    _, base = server
    target = tmp_path / "body"
    tracemalloc.start()
    try:
        with open(target, "wb") as into:
            got = fetch(f"{base}/large.nt", allow=LOOPBACK, timeout=20, into=into)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = len(CHUNK) * LARGE_CHUNKS
    assert (got.status, got.data, got.size) == (200, b"", size)
    assert target.stat().st_size == size
    with open(target, "rb") as written:
        assert (
            hashlib.file_digest(written, "sha256").digest()
            == hashlib.sha256(CHUNK * LARGE_CHUNKS).digest()
        )
    assert peak < size / 10, f"{peak:,} bytes allocated for a {size:,}-byte body"


def test_a_body_in_memory_has_its_size(server):
    _, base = server
    got = fetch(f"{base}/doc.ttl", allow=LOOPBACK)
    assert (got.data, got.size) == (TURTLE, len(TURTLE))


def test_streamed_oversize_stopped_while_writing_into_a_file(server, tmp_path):
    _, base = server
    with open(tmp_path / "body", "wb") as into, pytest.raises(FetchError) as caught:
        fetch(f"{base}/big-streamed", allow=LOOPBACK, max_bytes=100_000, timeout=20, into=into)
    assert caught.value.kind == "too_large"
    assert (tmp_path / "body").stat().st_size <= 100_000


def test_one_deadline_for_the_whole_transfer(server):
    _, base = server
    started = time.monotonic()
    with pytest.raises(FetchError, match="no complete answer within 1 s") as caught:
        fetch(f"{base}/drip", allow=LOOPBACK, timeout=1)
    assert caught.value.kind == "timeout"
    assert time.monotonic() - started < 2.5


def test_unresolvable_host():
    with pytest.raises(FetchError, match=r"cannot resolve the host name of nowhere\.invalid"):
        fetch("http://nowhere.invalid/x.ttl", timeout=5)


def test_connection_refused_is_an_upstream_error():
    with pytest.raises(FetchError, match=r"cannot connect to 127\.0\.0\.1:1") as caught:
        fetch("http://127.0.0.1:1/x.ttl", allow=LOOPBACK, timeout=5)
    assert caught.value.kind == "upstream"
