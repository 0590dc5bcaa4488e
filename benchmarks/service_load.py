"""Load test of POST /validate: validations per second and p50/p95 latency.

Starts ``ssevalidate serve`` on 127.0.0.1 (a free port, a throw-away store), sends a bounded
number of requests from this machine only, and writes the table into BENCHMARKS.md between its
markers. Run with ``make bench-service`` (or ``python benchmarks/service_load.py``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
MARK_START = "<!-- service-load:start -->"
MARK_END = "<!-- service-load:end -->"
PREFIXES = (
    "@prefix sse: <https://w3id.org/sse/vocab/> .\n@prefix schema: <http://schema.org/> .\n"
    "@prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)


def records(count: int) -> bytes:
    """``count`` deterministic, conforming initiatives in Turtle."""
    lines = [PREFIXES]
    for i in range(count):
        lines.append(
            f'<https://bench.example/r{i}> a sse:Initiative ; schema:name "Initiative {i}"@en ;\n'
            f'  schema:email "contact{i}@bench.example" ; schema:url <https://r{i}.bench.example> ;\n'
            f"  sse:organisationalStructure <https://w3id.org/sse/taxonomy/organisational-structure/OS{(i % 24 + 1) * 10}> ;\n"
            f"  sse:primaryActivity <https://w3id.org/sse/taxonomy/activities-ica/ICA{(i % 28 + 1) * 10}> ;\n"
            f'  geo:lat "{(i % 170) - 85}.5"^^xsd:decimal ; geo:long "{(i % 350) - 175}.25"^^xsd:decimal .\n'
        )
    return "".join(lines).encode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_service(port: int, store: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "ssevalidate.cli",
        "serve",
        "--port",
        str(port),
        "--store",
        str(store),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the service did not start within 60 s")


def one_request(client: httpx.Client, url: str, body: bytes) -> float:
    started = time.perf_counter()
    response = client.post(url, content=body, headers={"Content-Type": "text/turtle"})
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or response.json()["conforms"] is not True:
        raise SystemExit(f"unexpected answer {response.status_code}: {response.text[:200]}")
    return elapsed


def measure(url: str, body: bytes, requests: int, concurrency: int) -> dict:
    """Latencies of ``requests`` validations sent by ``concurrency`` clients at once."""
    with httpx.Client(timeout=120) as warm:
        for _ in range(3):
            one_request(warm, url, body)
    clients = [httpx.Client(timeout=120) for _ in range(concurrency)]
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        futures = [
            pool.submit(one_request, clients[i % concurrency], url, body) for i in range(requests)
        ]
        latencies = sorted(future.result() for future in futures)
    wall = time.perf_counter() - started
    for client in clients:
        client.close()
    return {
        "requests": requests,
        "concurrency": concurrency,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[math.ceil(0.95 * len(latencies)) - 1] * 1000,
        "per_second": requests / wall,
    }


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{model}, {os.cpu_count()} cores, {memory_kb / 1024**2:.0f} GiB, Python {platform.python_version()}"


def write_section(rows: list[tuple[str, dict]]) -> str:
    lines = [
        MARK_START,
        "## Service: POST /validate under load (`make bench-service`)",
        "",
        f"Machine: {machine()}. Date: {datetime.date.today().isoformat()}.",
        "The service runs on 127.0.0.1 with its default settings (4 validation workers); requests",
        "are Turtle bodies of conforming records, profile `core`, JSON answers. Target: p50 under",
        "30 ms for one record.",
        "",
        "| payload | requests | concurrent clients | p50 | p95 | validations/s |",
        "|---|---|---|---|---|---|",
    ]
    for payload, result in rows:
        lines.append(
            f"| {payload} | {result['requests']} | {result['concurrency']} | {result['p50_ms']:.1f} ms "
            f"| {result['p95_ms']:.1f} ms | {result['per_second']:.1f} |"
        )
    lines.append(MARK_END)
    section = "\n".join(lines)
    replace_section(section, (MARK_START, MARK_END))
    return section


def replace_section(
    section: str, markers: tuple[str, str], path: Path = ROOT / "BENCHMARKS.md"
) -> None:
    """Put ``section`` into ``path`` (BENCHMARKS.md) between ``markers``, or append it."""
    start, end = markers
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if start in text:
        before, _, rest = text.partition(start)
        _, _, after = rest.partition(end)
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-requests", type=int, default=200)
    parser.add_argument("--large-requests", type=int, default=20)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        service = start_service(port, Path(scratch) / "store")
        try:
            url = f"http://127.0.0.1:{port}/validate"
            one, thousand = records(1), records(1000)
            rows = [
                ("1 record", measure(url, one, args.small_requests, 1)),
                ("1 record", measure(url, one, args.small_requests, 4)),
                ("1,000 records", measure(url, thousand, args.large_requests, 1)),
                ("1,000 records", measure(url, thousand, args.large_requests, 4)),
            ]
        finally:
            service.terminate()
            service.wait(timeout=30)
    print(write_section(rows))


if __name__ == "__main__":
    main()
