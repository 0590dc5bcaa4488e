"""Shared fixtures. Reference data comes from ../shared beside the checkout (never copied here).

Tests that need it skip with a clear message when it is absent, except on CI, where its absence
is a failure: CI always has it.
"""

from __future__ import annotations

import http.server
import json
import os
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ANCHORS = SHARED / "anchors"
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = ROOT / "examples"


def anchor(*parts: str) -> Path:
    """A path under ../shared/anchors; skips (fails on CI) when ../shared is absent."""
    path = ANCHORS.joinpath(*parts)
    if not ANCHORS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{ANCHORS} is missing on CI")
        pytest.skip(f"reference data not available: {ANCHORS} is absent")
    assert path.exists(), f"{path} is missing from ../shared/anchors"
    return path


@pytest.fixture
def context_server():
    """A JSON-LD context server on 127.0.0.1 that records every request it gets.

    Yields ``(url, requests)``; the parse gate must never cause a request.
    """
    requests: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = json.dumps({"@context": {"name": "http://schema.org/name"}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/ld+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/context.jsonld", requests
    server.shutdown()
