"""Sources that are more than one document, against a site served by uvicorn on 127.0.0.1: a
Murmurations index query followed page by page, and a DCAT catalogue (Turtle with
ckanext-dcat's Hydra paging, JSON-LD, RDF/XML) whose datasets each become a source, under the
licence of their distribution, dataset or catalogue, never a guessed one."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import live_service
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from ssevalidate.harvest import ConfigError, harvest, parse_config
from ssevalidate.harvest.catalogue import catalogue, catalogue_graph_iri
from ssevalidate.harvest.feed import read_changes
from ssevalidate.harvest.pipeline import retire_source
from ssevalidate.harvest.sources_dcat import HYDRA, read_datasets
from ssevalidate.harvest.storeio import select
from ssevalidate.store import EmbeddedStore

HERE = Path(__file__).parent / "fixtures"
V1 = (HERE / "harvest" / "directory-v1.ttl").read_bytes()
V2 = (HERE / "harvest" / "directory-v2.ttl").read_bytes()
SMALL_CSV = (HERE / "harvest" / "sea-small.csv").read_bytes()
FEATURE = (HERE / "importers" / "geojson-feature.geojson").read_bytes()
INDEX_PAGE = json.loads((HERE / "importers" / "murmurations-index-page.json").read_text())
BASE = "https://aggregator.example/"
CC_BY = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"
ODBL = "https://opendatacommons.org/licenses/odbl/1-0/"
PREFIXES = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX harvest: <https://w3id.org/sse/harvest#>
PREFIX sse: <https://w3id.org/sse/vocab/>
"""


class Site:
    """Files by path (or path and query), and every request: (path, query)."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        self.failing: set[str] = set()
        self.requests: list[tuple[str, dict[str, list[str]]]] = []

        def serve(request):
            path, query = request.url.path, request.url.query
            self.requests.append((path, parse_qs(query)))
            key = f"{path}?{query}" if query else path
            if path in self.failing:
                return Response(b"oops", 500)
            if key not in self.files:
                return Response(b"", 404)
            body, media_type = self.files[key]
            return Response(body, media_type=media_type)

        self.app = Starlette(routes=[Route("/{path:path}", serve)])

    async def __call__(self, scope, receive, send) -> None:
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def served():
    site = Site()
    with live_service(lambda base: site) as (url, _):
        site.url = url
        yield site


@pytest.fixture
def site(served):
    served.files.clear()
    served.failing.clear()
    served.requests.clear()
    return served


def config(*sources: dict, **fetch) -> str:
    lines = [f"base = {json.dumps(BASE)}", "[fetch]", "timeout = 5"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in fetch.items()]
    for source in sources:
        lines.append("[[source]]")
        lines.extend(f"{key} = {json.dumps(value)}" for key, value in source.items())
    return "\n".join(lines) + "\n"


def run(store, source: dict, **fetch):
    [result] = harvest(parse_config(config(source, **fetch)), store, allow=["127.0.0.1"])
    return result


def records(store, graph: str) -> set[str]:
    rows = select(
        store, PREFIXES + f"SELECT ?r WHERE {{ GRAPH <{graph}> {{ ?r a sse:Initiative }} }}"
    )
    return {row["r"] for row in rows}


# --- a Murmurations index query ---------------------------------------------------------------

QUERY = "/v2/nodes?schema=organizations_schema-v1.0.0"


def index_pages(site: Site, names: list[list[str]], next_links: list[str | None]) -> None:
    """Index pages at ``QUERY&page=N`` (the first at ``QUERY``), each with entries named
    ``names[N]`` and ``links.next`` from ``next_links``."""
    template = INDEX_PAGE["data"][0]
    for number, (page_names, link) in enumerate(zip(names, next_links, strict=True), 1):
        entries = []
        for name in page_names:
            entry = copy.deepcopy(template)
            slug = name.lower().replace(" ", "-")
            entry.update(name=name, primary_url=f"https://{slug}.example/")
            entry["profile_url"] = f"https://profiles.example/{slug}.json"
            entries.append(entry)
        links = {"self": f"{site.url}{QUERY}&page={number}"}
        if link is not None:
            links["next"] = link
        document = {"data": entries, "links": links, "meta": {"total_pages": len(names)}}
        path = QUERY if number == 1 else f"{QUERY}&page={number}"
        site.files[path] = (json.dumps(document).encode(), "application/json")


def murmurations(site: Site) -> dict:
    return {
        "id": "index",
        "title": "Murmurations",
        "url": site.url + QUERY,
        "kind": "murmurations",
        "licence": CC0,
        "base": "https://index.example/",
    }


NAMES = [["Alpha Co-op", "Beta Co-op"], ["Gamma Co-op", "Delta Co-op"], ["Epsilon Co-op"]]


def test_an_index_query_is_followed_page_by_page(store, site):
    # The first next link is absolute, the second relative to the page.
    index_pages(site, NAMES, [f"{site.url}{QUERY}&page=2", f"{QUERY}&page=3", None])
    first = run(store, murmurations(site))
    assert first.outcome == "harvested", first.error
    assert (first.records_read, first.accepted) == (5, 5)
    assert len(records(store, f"{BASE}sources/index")) == 5
    assert [query.get("page") for _, query in site.requests] == [None, ["2"], ["3"]]
    assert all(query["schema"] == ["organizations_schema-v1.0.0"] for _, query in site.requests)

    # The same pages: every page is asked again (a first page unchanged says nothing of the
    # others), nothing is converted.
    site.requests.clear()
    again = run(store, murmurations(site))
    assert again.outcome == "unchanged"
    assert len(site.requests) == 3

    # A change on the last page is a change of the source.
    renamed = [NAMES[0], NAMES[1], ["Epsilon Workers Co-op"]]
    index_pages(site, renamed, [f"{site.url}{QUERY}&page=2", f"{QUERY}&page=3", None])
    third = run(store, murmurations(site))
    assert third.outcome == "harvested", third.error
    assert (len(third.changes.created), len(third.changes.deleted)) == (1, 1)


@pytest.mark.parametrize(
    ("links", "fetch", "message"),
    [
        (["{url}{query}&page=2", "{url}{query}"], {}, "links back to an earlier page"),
        (["{other}{query}&page=2", None], {}, "a page on another site"),
        (["{url}{query}&page=2", "{url}{query}&page=3"], {"max_pages": 2}, "more than 2 pages"),
    ],
)
def test_index_pages_that_loop_or_leave_the_site_fail_and_keep_the_previous_graph(
    site, links, fetch, message
):
    store = EmbeddedStore(None)
    index_pages(site, [NAMES[0]], [None])
    assert run(store, murmurations(site)).outcome == "harvested"
    before = records(store, f"{BASE}sources/index")
    other = site.url.replace("127.0.0.1", "localhost")
    filled = [
        None if link is None else link.format(url=site.url, query=QUERY, other=other)
        for link in links
    ]
    index_pages(site, NAMES[: len(filled)], filled)
    site.files[f"{QUERY}&page=3"] = site.files[f"{QUERY}&page=2"]  # for the cap
    failed = run(store, murmurations(site), **fetch)
    assert failed.outcome == "failed"
    assert message in failed.error
    assert records(store, f"{BASE}sources/index") == before


def test_a_server_ignoring_the_page_asked_for_is_caught(site):
    index_pages(site, [NAMES[0]], [f"{QUERY}&page=2"])
    site.files[f"{QUERY}&page=2"] = site.files[QUERY]
    failed = run(EmbeddedStore(None), murmurations(site))
    assert failed.outcome == "failed"
    assert "the same as an earlier page" in failed.error


# --- a DCAT catalogue -------------------------------------------------------------------------

PAGE_1 = """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .

<{url}/catalog.ttl> a hydra:PagedCollection ;
    hydra:firstPage "{url}/catalog.ttl" ; hydra:nextPage "{url}/catalog.ttl?page=2" ;
    hydra:itemsPerPage 4 ; hydra:totalItems 7 .

<https://portal.example/catalog> a dcat:Catalog ;
    dct:title "Portal" ;
    {catalogue_licence}
    dcat:dataset <https://portal.example/dataset/directory>, <https://portal.example/dataset/small>,
        <https://portal.example/dataset/report>, _:byIdentifier .

<https://portal.example/dataset/directory> a dcat:Dataset ;
    dct:title "Directory"@en, "Annuaire"@fr ;
    dcat:distribution [ a dcat:Distribution ; dcat:downloadURL <{url}/files/directory.csv> ;
            dct:format "CSV" ] ,
        [ a dcat:Distribution ; dcat:downloadURL <{url}/files/directory.ttl> ;
            dcat:mediaType <http://www.iana.org/assignments/media-types/text/turtle> ;
            dct:license <https://creativecommons.org/licenses/by/4.0/> ] .

<https://portal.example/dataset/small> a dcat:Dataset ;
    dct:title "Small CSV" ;
    dct:license <https://opendatacommons.org/licenses/odbl/1-0/> ;
    dcat:distribution [ dcat:accessURL <{url}/files/small.csv> ;
        dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ] .

<https://portal.example/dataset/report> a dcat:Dataset ;
    dct:title "Annual report" ;
    dcat:distribution [ dcat:downloadURL <{url}/files/report.pdf> ; dcat:mediaType "application/pdf" ] .

_:byIdentifier a dcat:Dataset ;
    dct:identifier "directory-2" ;
    dcat:distribution [ dcat:downloadURL <{url}/files/directory-2.ttl> ] .
"""
MAP_BLOCK = """<https://portal.example/dataset/map> a dcat:Dataset ;
    dcat:distribution [ dcat:downloadURL <{url}/files/map.geojson> ] .
"""
PAGE_2 = (
    """@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> .

<{url}/catalog.ttl?page=2> a hydra:PagedCollection ;
    hydra:firstPage "{url}/catalog.ttl" ; hydra:previousPage "{url}/catalog.ttl" .

<https://portal.example/catalog> a dcat:Catalog ;
    dcat:dataset <https://portal.example/dataset/map>, <https://portal.example/dataset/own> , _:anonymous .

"""
    + MAP_BLOCK
    + """
<https://portal.example/dataset/own> a dcat:Dataset ;
    dct:license <https://example.org/our-own-licence> ;
    dcat:distribution [ dcat:downloadURL <{url}/files/own.ttl> ] .

_:anonymous a dcat:Dataset ;
    dcat:distribution [ dcat:downloadURL <{url}/files/anonymous.ttl> ] .
"""
)
CATALOGUE_LICENCE = "dct:license <http://creativecommons.org/publicdomain/zero/1.0/> ;"


def key(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


DIRECTORY = key("https://portal.example/dataset/directory")
SMALL = key("https://portal.example/dataset/small")
MAP = key("https://portal.example/dataset/map")
BY_IDENTIFIER = key("identifier:directory-2")
PORTAL = f"{BASE}sources/portal"


def dataset_graph(dataset: str) -> str:
    return f"{PORTAL}/datasets/{dataset}"


def publish_portal(site: Site, *, catalogue_licence=CATALOGUE_LICENCE, page_2=PAGE_2) -> None:
    page_1 = PAGE_1.replace("{catalogue_licence}", catalogue_licence)
    site.files["/catalog.ttl"] = (page_1.replace("{url}", site.url).encode(), "text/turtle")
    site.files["/catalog.ttl?page=2"] = (page_2.replace("{url}", site.url).encode(), "text/turtle")
    site.files["/files/directory.ttl"] = (V1, "text/turtle")
    site.files["/files/directory.csv"] = (b"not, read", "text/csv")
    site.files["/files/small.csv"] = (SMALL_CSV, "text/csv")
    site.files["/files/directory-2.ttl"] = (V2, "text/turtle")
    site.files["/files/map.geojson"] = (FEATURE, "application/geo+json")
    site.files["/files/own.ttl"] = (V1, "text/turtle")


def portal(site: Site, **more) -> dict:
    return {
        "id": "portal",
        "title": "Open data portal",
        "url": site.url + "/catalog.ttl",
        "kind": "dcat",
        **more,
    }


def licences(store, graph: str) -> set[str]:
    rows = select(
        store,
        PREFIXES
        + f"""SELECT DISTINCT ?l WHERE {{ GRAPH <{graph}> {{
            ?r a sse:Initiative ; dcterms:license ?l }} }}""",
    )
    return {row["l"] for row in rows}


def test_each_dataset_is_a_source_under_the_licence_of_its_distribution_dataset_or_catalogue(
    store, site
):
    publish_portal(site)
    result = run(store, portal(site))
    assert result.outcome == "harvested", result.error
    assert {path for path, _ in site.requests} >= {"/catalog.ttl", "/files/map.geojson"}
    assert ("/catalog.ttl", {"page": ["2"]}) in site.requests
    # The Turtle distribution is preferred to the CSV one; its own licence wins.
    assert "/files/directory.csv" not in {path for path, _ in site.requests}
    assert licences(store, dataset_graph(DIRECTORY)) == {CC_BY}
    assert records(store, dataset_graph(DIRECTORY)) >= {
        "https://harvest-test.example/initiative/bikes"
    }
    assert licences(store, dataset_graph(SMALL)) == {ODBL}  # the dataset's
    assert licences(store, dataset_graph(MAP)) == {CC0}  # the catalogue's
    assert licences(store, dataset_graph(BY_IDENTIFIER)) == {CC0}
    assert result.accepted == sum(
        len(records(store, dataset_graph(d))) for d in (DIRECTORY, SMALL, MAP, BY_IDENTIFIER)
    )
    # The rest is reported: which dataset, and why.
    assert result.error.startswith("3 of 7 datasets not harvested")
    for reason in (
        "no distribution in a format harvested",
        "<https://example.org/our-own-licence> is not a known licence",
        "without an IRI or dct:identifier",
    ):
        assert reason in result.error
    skipped = select(
        store,
        PREFIXES
        + f"""SELECT ?why ?dataset WHERE {{ GRAPH <{PORTAL}> {{
            <{PORTAL}> a dcat:Catalog ; harvest:skipped ?s . ?s harvest:error ?why
            OPTIONAL {{ ?s prov:wasDerivedFrom ?dataset }} }} }}""",
    )
    assert len(skipped) == 3
    assert {row.get("dataset") for row in skipped} == {
        "https://portal.example/dataset/report",
        "https://portal.example/dataset/own",
        None,
    }
    listed = select(
        store,
        PREFIXES + f"SELECT ?d WHERE {{ GRAPH <{PORTAL}> {{ <{PORTAL}> dcat:dataset ?d }} }}",
    )
    assert {row["d"] for row in listed} == {
        dataset_graph(d) for d in (DIRECTORY, SMALL, MAP, BY_IDENTIFIER)
    }
    # Each dataset has its own harvest in the provenance graph.
    ids = select(
        store,
        PREFIXES
        + f"""SELECT ?id WHERE {{ GRAPH <{BASE}harvests> {{
            ?a harvest:sourceId ?id ; harvest:outcome "harvested" }} }}""",
    )
    assert {row["id"] for row in ids} == {
        "portal",
        *(f"portal/{d}" for d in (DIRECTORY, SMALL, MAP, BY_IDENTIFIER)),
    }


def test_a_dataset_gone_is_retired_and_a_failing_one_keeps_its_last_copy(store, site):
    publish_portal(site)
    assert run(store, portal(site)).outcome == "harvested"
    directory_before = records(store, dataset_graph(DIRECTORY))
    map_records = records(store, dataset_graph(MAP))
    assert directory_before and map_records
    # Next time the map is gone from the catalogue and the directory's server fails.
    without_map = PAGE_2.replace(MAP_BLOCK, "").replace(
        "<https://portal.example/dataset/map>, ", ""
    )
    publish_portal(site, page_2=without_map)
    site.failing.add("/files/directory.ttl")
    second = run(store, portal(site))
    assert second.outcome == "harvested"
    assert "HTTP 500" in second.error
    assert records(store, dataset_graph(DIRECTORY)) == directory_before
    assert records(store, dataset_graph(MAP)) == set()
    [retired] = select(
        store,
        PREFIXES
        + f"""SELECT ?a ?deleted WHERE {{ GRAPH <{BASE}harvests> {{
            ?a harvest:sourceId "portal/{MAP}" ; harvest:outcome "retired" ;
               harvest:recordsDeleted ?deleted }} }}""",
    )
    assert int(retired["deleted"]) == len(map_records)
    # The change feed tells followers: the map's records are deleted.
    changes = read_changes(store, BASE).changes
    gone = {c.record: c for c in changes if c.source == dataset_graph(MAP)}
    assert set(gone) == map_records
    assert all(c.kind == "Delete" and c.former_types for c in gone.values())


def test_the_catalogue_describes_each_harvested_dataset_in_void(store, site):
    publish_portal(site)
    settings = parse_config(config(portal(site)))
    [result] = harvest(settings, store, allow=["127.0.0.1"])
    assert result.outcome == "harvested", result.error

    described = Graph()
    for triple in catalogue(store, settings, "https://sse.example"):
        described.add(triple)

    datasets = {URIRef(dataset_graph(d)) for d in (DIRECTORY, SMALL, MAP, BY_IDENTIFIER)}
    assert set(described.objects(URIRef(PORTAL), VOID.subset)) == datasets
    for dataset in datasets:
        assert {DCAT.Dataset, VOID.Dataset} <= set(described.objects(dataset, RDF.type))
        count = described.value(dataset, VOID.entities).toPython()
        assert count == len(records(store, str(dataset))) > 0
        assert described.value(dataset, DCTERMS.license) == URIRef(
            next(iter(licences(store, str(dataset))))
        )
    entities = described.value(URIRef(catalogue_graph_iri(BASE)), VOID.entities).toPython()
    assert entities == result.accepted


def test_retiring_a_catalogue_retires_its_datasets(site):
    publish_portal(site)
    store = EmbeddedStore(None)
    parsed = parse_config(config(portal(site)))
    harvest(parsed, store, allow=["127.0.0.1"])
    datasets = [DIRECTORY, SMALL, MAP, BY_IDENTIFIER]
    published = set().union(*(records(store, dataset_graph(d)) for d in datasets))
    result = retire_source(parsed.sources[0], store, parsed)
    assert result.outcome == "retired", result.error
    assert all(records(store, dataset_graph(d)) == set() for d in datasets)
    retired = select(
        store,
        PREFIXES
        + f"""SELECT ?id WHERE {{ GRAPH <{BASE}harvests> {{
            ?a harvest:sourceId ?id ; harvest:outcome "retired" }} }}""",
    )
    assert {row["id"] for row in retired} == {"portal", *(f"portal/{d}" for d in datasets)}
    deleted = {c.record for c in read_changes(store, BASE).changes if c.kind == "Delete"}
    assert deleted == published


def test_a_dataset_without_a_licence_is_reported_never_guessed(site):
    publish_portal(site, catalogue_licence="")
    store = EmbeddedStore(None)
    result = run(store, portal(site))
    assert result.outcome == "harvested"
    assert "no licence (distribution, dataset or catalogue)" in result.error
    for dataset in (MAP, BY_IDENTIFIER):
        assert dataset_graph(dataset) not in store.graphs()
    assert licences(store, dataset_graph(DIRECTORY)) == {CC_BY}


def test_at_most_max_datasets_are_harvested(site):
    publish_portal(site)
    result = run(EmbeddedStore(None), portal(site, max_datasets=2))
    assert result.outcome == "harvested"
    assert result.error.count("beyond the 2 datasets max_datasets allows") == 4


def test_a_json_ld_page_with_a_hydra_view_then_an_rdf_xml_page(site):
    publish_portal(site)
    pages = []
    for path in ("/catalog.ttl", "/catalog.ttl?page=2"):
        page = Graph().parse(data=site.files[path][0], format="turtle")
        for subject in list(page.subjects(RDF.type, HYDRA.PagedCollection)):
            page.remove((subject, None, None))
        pages.append(page)
    view = BNode()
    pages[0].add((URIRef(f"{site.url}/catalog.jsonld"), HYDRA.view, view))
    pages[0].add((view, RDF.type, HYDRA.PartialCollectionView))
    pages[0].add((view, HYDRA.next, URIRef(f"{site.url}/catalog.jsonld?page=2")))
    site.files["/catalog.jsonld"] = (
        pages[0].serialize(format="json-ld").encode(),
        "application/ld+json",
    )
    site.files["/catalog.jsonld?page=2"] = (
        pages[1].serialize(format="xml").encode(),
        "application/rdf+xml",
    )
    store = EmbeddedStore(None)
    result = run(store, portal(site, url=f"{site.url}/catalog.jsonld"))
    assert result.outcome == "harvested", result.error
    assert ("/catalog.jsonld", {"page": ["2"]}) in site.requests
    assert result.error.startswith("3 of 7 datasets not harvested")
    assert licences(store, dataset_graph(DIRECTORY)) == {CC_BY}
    assert licences(store, dataset_graph(MAP)) == {CC0}


def test_datasets_are_read_alike_from_every_page_and_keyed_by_their_identity(site):
    publish_portal(site)
    catalogue = Graph()
    for path in ("/catalog.ttl", "/catalog.ttl?page=2"):
        catalogue.parse(data=site.files[path][0], format="turtle")
    parsed = parse_config(config(portal(site)))
    datasets = {d.key: d for d in read_datasets(catalogue, parsed.sources[0], parsed)}
    assert len(datasets) == 7
    directory = datasets[DIRECTORY].source
    assert (directory.kind, directory.licence, directory.title) == ("rdf", CC_BY, "Directory")
    assert directory.url.endswith("/files/directory.ttl")
    assert directory.graph == dataset_graph(DIRECTORY)
    assert (datasets[SMALL].source.kind, datasets[MAP].source.kind) == ("csv", "geojson")
    assert datasets[BY_IDENTIFIER].source.id == f"portal/{BY_IDENTIFIER}"


# --- configuration ----------------------------------------------------------------------------


def test_the_new_kinds_and_their_keys_are_checked():
    feed = {
        "id": "a",
        "title": "A",
        "url": "https://a.example/feed",
        "kind": "feed",
        "licence": CC_BY,
    }
    assert parse_config(config(feed)).sources[0].kind == "feed"
    dcat = {"id": "p", "title": "P", "url": "https://p.example/catalog.ttl", "kind": "dcat"}
    parsed = parse_config(config(dcat)).sources[0]
    assert (parsed.licence, parsed.max_datasets) == ("", 1000)
    with pytest.raises(ConfigError, match="licence: a dcat source takes each dataset's licence"):
        parse_config(config({**dcat, "licence": CC_BY}))
    with pytest.raises(ConfigError, match="max_datasets: only a source of kind 'dcat'"):
        parse_config(config({**feed, "max_datasets": 5}))
    with pytest.raises(ConfigError, match="max_datasets: must be a whole number above zero"):
        parse_config(config({**dcat, "max_datasets": 0}))
    with pytest.raises(ConfigError, match=r"\[feed\]: retention: 'P1M'"):
        parse_config(config(feed) + '[feed]\nretention = "P1M"\n')
    settings = parse_config(
        config(feed, max_pages=3) + '[feed]\nretention = "P7D"\npage_size = 50\n'
    )
    assert settings.fetch.max_pages == 3
    assert (settings.feed.retention.days, settings.feed.page_size) == (7, 50)
