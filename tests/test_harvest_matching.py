"""Matching after harvesting: two directories on a loopback server list the same bakery; a
harvest that changed records proposes the matches again without anyone running the matcher
(the command's :func:`~ssevalidate.harvest.harvest` and the service's schedule alike), a
harvest that changed nothing does not, ``match = false`` turns it off, and a reviewer's
decision outlives the next harvest."""

from __future__ import annotations

import dataclasses
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ssevalidate.matching
from ssevalidate.harvest import ConfigError, harvest, parse_config, retire
from ssevalidate.harvest.registry import SourceRegistry
from ssevalidate.harvest.schedule import IDLE, Scheduler
from ssevalidate.matching import decide, match_iri, match_key, match_view, matches
from ssevalidate.store import EmbeddedStore

BASE = "https://aggregator.example/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
LEFT = "https://left.example/org/"
RIGHT = "https://right.example/org/"
PREFIXES = """@prefix sse: <https://w3id.org/sse/vocab/> .
@prefix schema: <http://schema.org/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
@prefix country: <https://w3id.org/sse/taxonomy/countries/> .
"""


def initiative(iri: str, name: str, website: str, town: str = "Leeds") -> str:
    return f"""<{iri}> a sse:Initiative ; schema:name "{name}" ; schema:url <{website}> ;
    vcard:hasAddress [ a vcard:Address ; vcard:locality "{town}" ; sse:country country:GB ] .
"""


LEFT_DIRECTORY = (
    PREFIXES
    + initiative(f"{LEFT}bakery", "Bakery Co-op", "https://bakery.example/")
    + initiative(f"{LEFT}bikes", "Bike Repair Collective", "https://bikes.example/")
)
RIGHT_DIRECTORY = (
    PREFIXES
    + initiative(f"{RIGHT}7", "The Bakery Cooperative", "http://www.bakery.example/about")
    + initiative(f"{RIGHT}8", "Tool Library", "https://tools.example/", "York")
)
BAKERY = (f"{LEFT}bakery", f"{RIGHT}7")


# --- two directories on 127.0.0.1 -------------------------------------------------------------


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = self.server.files.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site() -> Iterator[http.server.ThreadingHTTPServer]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.files = {"/left.ttl": LEFT_DIRECTORY.encode(), "/right.ttl": RIGHT_DIRECTORY.encode()}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def config_text(site: http.server.ThreadingHTTPServer, *settings: str) -> str:
    """Both directories as sources (JSON strings are TOML strings), with top-level
    ``settings`` lines."""
    url = f"http://127.0.0.1:{site.server_address[1]}"
    lines = [f"base = {json.dumps(BASE)}", *settings]
    for source_id in ("left", "right"):
        lines += [
            "[[source]]",
            f"id = {json.dumps(source_id)}",
            f"title = {json.dumps('Directory ' + source_id)}",
            f"url = {json.dumps(f'{url}/{source_id}.ttl')}",
            'kind = "rdf"',
            f"licence = {json.dumps(CC_BY)}",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def runs(monkeypatch) -> list[object]:
    """Every run of the matcher (the harvest imports it when it needs it)."""
    found: list[object] = []
    real = ssevalidate.matching.match

    def counting(*args, **kwargs):
        run = real(*args, **kwargs)
        found.append(run)
        return run

    monkeypatch.setattr(ssevalidate.matching, "match", counting)
    return found


def bakery_iri() -> str:
    return match_iri(BASE, match_key(*BAKERY))


def wait_for(condition: Callable[[], object], seconds: float = 15) -> object:
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return value


# --- the tests --------------------------------------------------------------------------------


def test_a_harvest_with_changes_proposes_the_matches_once(site, runs):
    store = EmbeddedStore(None)
    results = harvest(parse_config(config_text(site)), store, allow=["127.0.0.1"])
    assert [r.outcome for r in results] == ["harvested", "harvested"]
    assert len(runs) == 1  # once for both sources
    listing = matches(store, BASE, "open")
    assert [view.iri for view in listing.matches] == [bakery_iri()]
    assert [record.source for record in listing.matches[0].records] == ["left", "right"]

    # The same bytes again: nothing changed, nothing to propose.
    again = harvest(parse_config(config_text(site)), store, allow=["127.0.0.1"])
    assert {r.outcome for r in again} == {"unchanged"}
    assert len(runs) == 1


def test_a_decision_survives_the_next_harvest_and_its_matching(site, runs):
    store = EmbeddedStore(None)
    config = parse_config(config_text(site))
    harvest(config, store, allow=["127.0.0.1"])
    decide(store, BASE, bakery_iri(), "confirmed", by="Ana")

    # The right directory changes: a record is added, the bakery's record stays.
    site.files["/right.ttl"] = (
        RIGHT_DIRECTORY + initiative(f"{RIGHT}9", "Repair Cafe", "https://repair.example/")
    ).encode()
    results = harvest(config, store, allow=["127.0.0.1"])
    assert [r.outcome for r in results] == ["unchanged", "harvested"]
    assert results[1].changes.created == [f"{RIGHT}9"]
    assert len(runs) == 2
    view = match_view(store, BASE, bakery_iri())
    assert (view.status, view.decided_by) == ("confirmed", "Ana")
    assert matches(store, BASE, "open").total == 0


def test_a_retired_source_takes_its_matches_with_it(site, runs):
    store = EmbeddedStore(None)
    config = parse_config(config_text(site))
    harvest(config, store, allow=["127.0.0.1"])
    assert matches(store, BASE, "open").total == 1
    right = config.source("right")
    without_right = dataclasses.replace(config, sources=(config.source("left"),))

    result = retire(right, store, without_right)

    assert result.outcome == "retired" and len(runs) == 2
    assert matches(store, BASE, "open").total == 0


def test_match_false_leaves_the_matcher_to_be_run_by_hand(site, runs):
    store = EmbeddedStore(None)
    config = parse_config(config_text(site, "match = false"))
    assert config.match is False
    harvest(config, store, allow=["127.0.0.1"])
    assert runs == []
    assert matches(store, BASE, "open").total == 0
    with pytest.raises(ConfigError, match="match: must be true or false"):
        parse_config(config_text(site, 'match = "yes"'))


def test_the_schedule_proposes_the_matches_after_a_harvest_with_changes(site, runs, tmp_path):
    path: Path = tmp_path / "sources.toml"
    path.write_text(config_text(site), encoding="utf-8")
    store = EmbeddedStore(None)
    scheduler = Scheduler(SourceRegistry(store, path), allow=["127.0.0.1"], poll=0.05)
    scheduler.start()
    try:
        for source_id in ("left", "right"):
            scheduler.trigger(source_id)
            wait_for(lambda s=source_id: scheduler.status(s).state == IDLE)
            wait_for(lambda s=source_id: scheduler.status(s).last)
        # The source is idle only once its follow-ups, the matching first, are done.
        assert len(runs) == 2
        assert [view.iri for view in matches(store, BASE, "open").matches] == [bakery_iri()]
        scheduler.trigger("right")
        wait_for(lambda: scheduler.status("right").last.outcome == "unchanged")
        wait_for(lambda: scheduler.status("right").state == IDLE)
        assert len(runs) == 2
    finally:
        scheduler.stop()
