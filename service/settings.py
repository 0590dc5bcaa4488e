"""Service settings, with the defaults ``ssevalidate serve`` uses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Everything a deployment may change.

    ``base_url`` is where this service is reachable; IRIs under ``https://w3id.org/sse/`` are
    served at the same path under it, so term pages work before the w3id redirect exists.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    store_path: Path | None = Path("var/store")
    """None keeps the store in memory (tests)."""
    base_url: str = "http://127.0.0.1:8000"
    query_timeout: float = 30.0
    query_max_rows: int = 10_000
    query_max_bytes: int = 100_000
    query_workers: int = 2
    """Warm processes answering SPARQL queries (each killed and replaced on timeout)."""
    query_max_memory: int = 2 * 1024**3
    """Memory cap of each query process, in bytes."""
    max_body_bytes: int = 50 * 1024 * 1024
    validation_timeout: float = 120.0
    max_concurrent_validations: int = 4
    load_examples: bool = True
    fetch_timeout: float = 30.0
    """Seconds a ``{"url": ...}`` input may take to download (connection, redirects, body)."""
    fetch_allow: tuple[str, ...] = ()
    """Addresses or networks (``"127.0.0.1"``, ``"10.0.0.0/8"``) the URL fetcher may reach
    although they are private or loopback; empty in production, ``("127.0.0.1",)`` in tests."""
    admin_token: str | None = None
    """The bearer token that changes sources and decides matches; None: nobody can."""
    harvest_config: Path | None = None
    """The TOML sources file harvested on its schedule (sources added through ``/sources``
    live in the store); None: only those."""
