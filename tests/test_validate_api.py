"""POST /validate and the validation pages: every input and output kind, the limits, URL inputs.

Real parts only: the application with the ``validate`` router, its worker processes, and an HTTP
server on 127.0.0.1 for URL inputs.
"""

from __future__ import annotations

import base64
import csv
import http.server
import io
import json
import re
import threading
import time
from importlib.resources import files

import jsonschema
import pyoxigraph as ox
import pytest
from conftest import EXAMPLES
from fastapi.testclient import TestClient
from markupsafe import escape
from rdflib import Graph
from rdflib.namespace import RDF, SH

from service.app import create_app
from service.routes.validate import ReportCache, _Entry, negotiate
from service.settings import Settings
from ssevalidate import validate
from ssevalidate.limits import Outcome
from ssevalidate.namespaces import LANGUAGES
from ssevalidate.parsegate import FORMATS

MISTAKES = (EXAMPLES / "mistakes.ttl").read_bytes()
SMALL = b"""@prefix sse: <https://w3id.org/sse/vocab/> .
@prefix schema: <http://schema.org/> .
<https://example.org/dir/a> a sse:Initiative ; schema:name "Atelier A"@fr ;
    schema:email "atelier.example.org" ; schema:url "www.atelier.example" .
<https://example.org/dir/b> a sse:Initiative .
"""
SCHEMA = json.loads(files("ssevalidate").joinpath("report.schema.json").read_text("utf-8"))
MEDIA = {
    "turtle": "text/turtle",
    "trig": "application/trig",
    "ntriples": "application/n-triples",
    "nquads": "application/n-quads",
    "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # a browser's


def converted(data: bytes, fmt: str) -> bytes:
    """``data`` (Turtle) written in another format."""
    return ox.serialize(list(ox.parse(data, format=ox.RdfFormat.TURTLE)), format=FORMATS[fmt])


def library(data: bytes, fmt: str | None = "turtle", **options) -> dict:
    return comparable(validate(data, format=fmt, **options).to_dict())


def comparable(report: dict) -> dict:
    """A report with blank-node labels blanked and results in a fixed order: the library
    labels blank nodes afresh on every parse, and leaves the order of results that tie on
    (source position, record, severity, path) to the engine."""

    def blank(value):
        return "_:b" if isinstance(value, str) and value.startswith("_:") else value

    results = [{key: blank(value) for key, value in result.items()} for result in report["results"]]
    results.sort(key=lambda result: json.dumps(result, sort_keys=True))
    return {**report, "results": results}


def app_client(**settings) -> TestClient:
    app = create_app(
        Settings(store_path=None, load_examples=False, **settings), routers=["validate"]
    )
    return TestClient(app)


@pytest.fixture(scope="module")
def client():
    with app_client() as test_client:
        yield test_client


# --- a loopback server for URL inputs ---------------------------------------------------------


class Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/slow.ttl":
            self.server.entered.set()  # the request is holding its validation slot now
            self.server.release.wait(30)
        if path == "/redirect-private":
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/directory.ttl")
            self.end_headers()
            return
        body, media = {
            "/mistakes.ttl": (MISTAKES, "text/turtle; charset=utf-8"),
            "/slow.ttl": (SMALL, "text/turtle"),
            "/export": (converted(SMALL, "ntriples"), "application/n-triples"),
            "/plain.nq": (converted(SMALL, "nquads"), "text/plain"),
            "/big.ttl": (b"#" * 200_000, "text/turtle"),
            "/broken.ttl": (b"<https://a.example/x> <https://b.example/y> .\n", "text/turtle"),
        }.get(path, (None, None))
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
    httpd.daemon_threads = True
    httpd.entered, httpd.release = threading.Event(), threading.Event()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def allowed():
    """An application whose URL fetcher may reach 127.0.0.1, with a 100 kB body limit."""
    with app_client(fetch_allow=("127.0.0.1",), max_body_bytes=100_000) as test_client:
        yield test_client


# --- inputs -----------------------------------------------------------------------------------


def test_mistakes_example_gives_the_librarys_report(client):
    response = client.post("/validate", content=MISTAKES, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    report = response.json()
    jsonschema.validate(report, SCHEMA)
    assert comparable(report) == library(MISTAKES)
    assert report["summary"]["violations"] > 10  # one per faulty record in the example


@pytest.mark.parametrize("fmt", list(MEDIA))
def test_raw_body_in_every_rdf_format(client, fmt):
    data = converted(SMALL, fmt)
    response = client.post("/validate", content=data, headers={"Content-Type": MEDIA[fmt]})
    assert response.status_code == 200, response.text
    assert comparable(response.json()) == library(data, fmt)
    assert response.json()["summary"] == library(SMALL)["summary"]


def test_content_type_parameters_are_ignored(client):
    response = client.post(
        "/validate", content=SMALL, headers={"Content-Type": "text/turtle; charset=UTF-8"}
    )
    assert response.status_code == 200


def test_multipart_upload_with_fields(client):
    response = client.post(
        "/validate",
        files={"file": ("mistakes.ttl", MISTAKES, "application/octet-stream")},
        data={"profile": "core", "lang": "fr"},
    )
    assert response.status_code == 200
    expected = library(MISTAKES, lang="fr")
    for result in expected["results"]:
        result["origin"]["file"] = "mistakes.ttl"  # the upload's name, not <input>
    assert comparable(response.json()) == comparable(expected)


def test_multipart_upload_format_from_extension_or_field(client):
    nquads = converted(SMALL, "nquads")
    by_name = client.post("/validate", files={"file": ("export.nq", nquads, "text/plain")})
    by_field = client.post(
        "/validate", files={"file": ("export.txt", nquads)}, data={"format": "nquads"}
    )
    assert by_name.status_code == by_field.status_code == 200
    assert by_name.json()["summary"] == by_field.json()["summary"] == library(SMALL)["summary"]


def test_multipart_pasted_text(client):
    response = client.post("/validate", files={"text": (None, SMALL.decode())})
    assert response.status_code == 200
    assert comparable(response.json()) == library(SMALL)


def test_urlencoded_form(client):
    response = client.post("/validate", data={"text": SMALL.decode(), "lang": "es"})
    assert response.status_code == 200
    assert comparable(response.json()) == library(SMALL, lang="es")


def test_json_text_and_base64(client):
    text = client.post("/validate", json={"text": SMALL.decode(), "lang": "pt"})
    encoded = client.post(
        "/validate", json={"base64": base64.b64encode(SMALL).decode(), "lang": "pt"}
    )
    assert text.status_code == encoded.status_code == 200
    assert comparable(text.json()) == comparable(encoded.json()) == library(SMALL, lang="pt")


def test_json_with_format_and_profile(client):
    data = converted(SMALL, "ntriples").decode()
    response = client.post(
        "/validate", json={"text": data, "format": "application/n-triples", "profile": "full"}
    )
    assert response.status_code == 200
    assert comparable(response.json()) == library(data.encode(), "ntriples", profile="full")


@pytest.mark.parametrize("shape", ["object-with-context", "array"])
def test_jsonld_sent_as_application_json_is_data(client, shape):
    document = json.loads(converted(SMALL, "jsonld"))
    if shape == "object-with-context":
        document = {"@context": {"schema": "http://schema.org/"}, "@graph": document}
    body = json.dumps(document).encode()
    response = client.post("/validate", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    assert response.json()["summary"] == library(SMALL)["summary"]


def test_query_parameters_and_body_fields(client):
    by_query = client.post(
        "/validate?profile=full&lang=fr", content=SMALL, headers={"Content-Type": "text/turtle"}
    )
    assert comparable(by_query.json()) == library(SMALL, profile="full", lang="fr")
    # A field of the body wins over the query parameter.
    by_field = client.post("/validate?lang=fr", json={"text": SMALL.decode(), "lang": "es"})
    assert comparable(by_field.json()) == library(SMALL, lang="es")
    # The query names the format of a body whose Content-Type says otherwise.
    nt = converted(SMALL, "ntriples")
    told = client.post(
        "/validate?format=ntriples", content=nt, headers={"Content-Type": "text/turtle"}
    )
    assert told.status_code == 200


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_languages(client, lang):
    response = client.post(
        f"/validate?lang={lang}", content=SMALL, headers={"Content-Type": "text/turtle"}
    )
    assert comparable(response.json()) == library(SMALL, lang=lang)


def test_languages_really_differ(client):
    messages = {
        lang: client.post(f"/validate?lang={lang}", json={"text": SMALL.decode()}).json()[
            "results"
        ][0]["message"]
        for lang in LANGUAGES
    }
    assert len(set(messages.values())) == len(LANGUAGES)


# --- outputs ----------------------------------------------------------------------------------


def post_small(client, accept: str | None):
    headers = {"Content-Type": "text/turtle"}
    if accept is not None:
        headers["Accept"] = accept
    return client.post("/validate", content=SMALL, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/*"])
def test_json_is_the_default(client, accept):
    response = post_small(client, accept)
    assert response.headers["content-type"] == "application/json"
    jsonschema.validate(response.json(), SCHEMA)


def test_turtle_output_is_a_shacl_report(client):
    response = post_small(client, "text/turtle")
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    assert len(list(graph.subjects(RDF.type, SH.ValidationReport))) == 1
    assert len(list(graph.subjects(RDF.type, SH.ValidationResult))) == 4


def test_jsonld_output_is_a_shacl_report(client):
    response = post_small(client, "application/ld+json")
    assert response.headers["content-type"].startswith("application/ld+json")
    quads = ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
    kinds = [q.object.value for q in quads if q.predicate.value == str(RDF.type)]
    assert kinds.count(str(SH.ValidationResult)) == 4
    assert kinds.count(str(SH.ValidationReport)) == 1


def test_csv_output(client):
    response = post_small(client, "text/csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 4
    assert {row["record"] for row in rows} == {
        "https://example.org/dir/a",
        "https://example.org/dir/b",
    }


def test_text_output(client):
    response = post_small(client, "text/plain")
    assert response.headers["content-type"].startswith("text/plain")
    assert "https://example.org/dir/b" in response.text


def test_preference_by_quality(client):
    response = post_small(client, "text/csv;q=0.5, text/turtle;q=0.9")
    assert response.headers["content-type"].startswith("text/turtle")


def test_html_redirects_to_the_report_page(client):
    response = post_small(client, HTML)
    assert response.status_code == 303
    assert re.fullmatch(r"/validate/reports/[\w-]{20,}\?lang=en", response.headers["location"])
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "https://example.org/dir/b" in page.text


def test_no_acceptable_output(client):
    response = post_small(client, "image/png")
    assert response.status_code == 406
    assert "application/json" in response.json()["error"]


def test_negotiate():
    assert negotiate(HTML) == "text/html"
    assert negotiate("application/json, text/html") == "application/json"  # a tie: ours first
    assert negotiate("text/*;q=0.3, text/csv") == "text/csv"
    assert negotiate("text/csv;q=0, */*;q=0.1") == "application/json"
    assert negotiate("text/csv;q=0") is None


# --- errors -----------------------------------------------------------------------------------

MALFORMED = {
    "turtle": (
        b'@prefix s: <http://schema.org/> .\n<http://a.example/x> s:name "x" ;\n  s:b .\n',
        ":3:",
    ),
    "trig": (b'<http://g.example/> {\n <http://a.example/> <http://b.example/> "c"\n', ":3:"),
    "ntriples": (
        b'<http://a.example/> <http://b.example/> "c" .\n<http://a.example/> <http://b.example/> .\n',
        ":2:",
    ),
    "nquads": (b"<http://a.example/> <http://b.example/> <http://c.example/> <g> .\n", ":1:"),
    "jsonld": (b'{\n  "@id": "http://a.example/",\n  "http://b.example/": \n}\n', ":4:"),
    # pyoxigraph 0.5 reports no line for RDF/XML errors: the message still names the problem.
    "rdfxml": (
        b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<rdf:Description rdf:about="http://a.example/"><u:p>x</u:p></rdf:Description>\n</rdf:RDF>\n',
        "Unknown prefix",
    ),
}


@pytest.mark.parametrize("fmt", list(MALFORMED))
def test_malformed_body_is_a_located_400(client, fmt):
    data, where = MALFORMED[fmt]
    response = client.post("/validate", content=data, headers={"Content-Type": MEDIA[fmt]})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith("<input>") and where in error
    assert "error" in error


def test_malformed_upload_names_the_file(client):
    data, _ = MALFORMED["turtle"]
    response = client.post("/validate", files={"file": ("broken.ttl", data)})
    assert response.status_code == 400
    assert response.json()["error"].startswith("broken.ttl:3:")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"text": "x", ', "JSON syntax error at line 1"),
        (b'"just a string"', "must be an object"),
        (b'{"text": "a", "url": "https://example.org/"}', "exactly one of"),
        (b"{}", "exactly one of"),
        (b'{"text": "a", "colour": "red"}', "unknown field 'colour'"),
        (b'{"text": 5}', "'text' must be a string"),
        (b'{"base64": "not base64!"}', "not valid base64"),
    ],
)
def test_malformed_json_envelope(client, body, message):
    response = client.post("/validate", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_refused_constructs_are_400(client, context_server):
    url, requests = context_server
    doctype = b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY a "aaaa">]>\n<rdf:RDF/>'
    refused = client.post(
        "/validate", content=doctype, headers={"Content-Type": "application/rdf+xml"}
    )
    assert refused.status_code == 400 and "DOCTYPE" in refused.json()["error"]
    remote = json.dumps({"@context": url, "@id": "https://a.example/", "name": "x"}).encode()
    response = client.post(
        "/validate", content=remote, headers={"Content-Type": "application/ld+json"}
    )
    assert response.status_code == 400 and "refused" in response.json()["error"]
    assert requests == []  # the context was never fetched


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("query", "unknown profile 'strict'"),
        ("field", "unknown profile 'strict'"),
        ("json", "unknown profile 'strict'"),
        ("lang", "unknown language 'de'"),
        ("format", "unknown format 'yaml'"),
    ],
)
def test_unknown_options_are_400(client, how, message):
    if how == "query":
        response = client.post(
            "/validate?profile=strict", content=SMALL, headers={"Content-Type": "text/turtle"}
        )
    elif how == "field":
        response = client.post(
            "/validate", files={"file": ("a.ttl", SMALL)}, data={"profile": "strict"}
        )
    elif how == "json":
        response = client.post("/validate", json={"text": "x", "profile": "strict"})
    elif how == "lang":
        response = client.post("/validate?lang=de", json={"text": "x"})
    else:
        response = client.post("/validate", json={"text": "x", "format": "yaml"})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "known:" in response.json()["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "image/png", "application/xml", None])
def test_wrong_content_type_is_415(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    request = client.build_request("POST", "/validate", content=SMALL, headers=headers)
    if content_type is None:
        request.headers.pop("Content-Type", None)
    response = client.send(request)
    assert response.status_code == 415
    assert "text/turtle" in response.json()["error"]


def test_empty_or_ambiguous_forms_are_400(client):
    empty = client.post("/validate", content=b"", headers={"Content-Type": "text/turtle"})
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    nothing = client.post("/validate", files={"file": ("", b"")}, data={"text": "  "})
    assert nothing.status_code == 400 and "nothing to validate" in nothing.json()["error"]
    curl = client.post(  # curl --data-binary without a Content-Type: a form, not Turtle
        "/validate",
        content=SMALL,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert curl.status_code == 400 and "give its Content-Type" in curl.json()["error"]
    both = client.post("/validate", files={"file": ("a.ttl", SMALL)}, data={"text": SMALL.decode()})
    assert both.status_code == 400 and "only one" in both.json()["error"]


def test_body_size_limit():
    with app_client(max_body_bytes=2000) as small:
        declared = small.post(
            "/validate", content=b"#" * 3000, headers={"Content-Type": "text/turtle"}
        )
        assert declared.status_code == 413
        assert declared.json()["error"] == (
            "the request body is larger than the limit of 2,000 bytes"
        )

        def chunks():  # no Content-Length: the body arrives chunked and is counted
            for _ in range(30):
                yield b"#" * 100

        request = small.build_request(
            "POST", "/validate", content=chunks(), headers={"Content-Type": "text/turtle"}
        )
        assert "content-length" not in request.headers
        streamed = small.send(request)
        assert streamed.status_code == 413
        upload = small.post("/validate", files={"file": ("big.ttl", b"#" * 3000)})
        assert upload.status_code == 413
        # The service still answers the next request normally.
        fine = small.post("/validate", content=SMALL, headers={"Content-Type": "text/turtle"})
        assert fine.status_code == 200


def test_concurrency_cap_is_503_with_retry_after(site):
    httpd, base = site
    httpd.entered.clear()
    httpd.release.clear()
    with app_client(max_concurrent_validations=1, fetch_allow=("127.0.0.1",)) as busy:
        first: dict = {}
        worker = threading.Thread(
            target=lambda: first.update(
                response=busy.post("/validate", json={"url": f"{base}/slow.ttl"})
            )
        )
        worker.start()
        try:
            # The first request holds the only slot while its URL is being fetched.
            assert httpd.entered.wait(30)
            refused = busy.post("/validate", content=SMALL, headers={"Content-Type": "text/turtle"})
            assert refused.status_code == 503
            assert refused.headers["retry-after"] == "5"
            assert "try again in 5 s" in refused.json()["error"]
        finally:
            httpd.release.set()
            worker.join(60)
        assert first["response"].status_code == 200
        expected = validate(SMALL).to_dict()
        for result in expected["results"]:
            result["origin"]["file"] = f"{base}/slow.ttl"
        assert comparable(first["response"].json()) == comparable(expected)
        after = busy.post("/validate", content=SMALL, headers={"Content-Type": "text/turtle"})
        assert after.status_code == 200


def test_time_limit_is_504_in_time():
    records = "\n".join(
        f'<https://example.org/r{i}> a sse:Initiative ; schema:email "bad{i}" .'
        for i in range(40000)
    )
    data = SMALL + records.encode()
    with app_client(validation_timeout=0.5, max_concurrent_validations=1) as slow:
        slow.post("/validate", content=SMALL, headers={"Content-Type": "text/turtle"})  # warm
        started = time.monotonic()
        response = slow.post("/validate", content=data, headers={"Content-Type": "text/turtle"})
        elapsed = time.monotonic() - started
        assert response.status_code == 504
        assert "limit of 0.5 s" in response.json()["error"]
        assert elapsed < 3  # the whole validation takes several seconds
        limiter = slow.app.state.validation_limiter
        assert limiter.in_use == 0  # the slot is free again
        # The stopped worker was replaced: a validation that fits in the limit still works.
        again = slow.post("/validate", content=SMALL, headers={"Content-Type": "text/turtle"})
        assert again.status_code == 200


# --- URL inputs -------------------------------------------------------------------------------


def test_url_refused_without_allow_list(client, site):
    _, base = site
    response = client.post("/validate", json={"url": f"{base}/mistakes.ttl"})
    assert response.status_code == 400
    assert "loopback" in response.json()["error"]


def test_url_accepted_with_allow_list(allowed, site):
    _, base = site
    response = allowed.post("/validate", json={"url": f"{base}/mistakes.ttl"})
    assert response.status_code == 200
    expected = library(MISTAKES)
    for result in expected["results"]:
        result["origin"]["file"] = f"{base}/mistakes.ttl"
    assert comparable(response.json()) == comparable(expected)


def test_url_format_from_media_type_or_extension(allowed, site):
    _, base = site
    summary = library(SMALL)["summary"]
    for path in ("/export", "/plain.nq"):
        response = allowed.post("/validate", json={"url": base + path})
        assert response.status_code == 200, response.text
        assert response.json()["summary"] == summary


def test_url_in_a_form_and_located_errors(allowed, site):
    _, base = site
    form = allowed.post("/validate", data={"url": f"{base}/mistakes.ttl"})
    assert form.status_code == 200
    broken = allowed.post("/validate", json={"url": f"{base}/broken.ttl", "format": "nquads"})
    assert broken.status_code == 400
    assert broken.json()["error"].startswith(f"{base}/broken.ttl:1:")


def test_url_redirect_to_private_address_refused(allowed, site):
    _, base = site
    response = allowed.post("/validate", json={"url": f"{base}/redirect-private"})
    assert response.status_code == 400
    assert "redirect target is a private address" in response.json()["error"]
    assert "10.0.0.1" not in response.json()["error"]


def test_url_oversize_download_refused(allowed, site):
    _, base = site
    response = allowed.post("/validate", json={"url": f"{base}/big.ttl"})
    assert response.status_code == 413
    assert "larger than the limit of 100,000 bytes" in response.json()["error"]


def test_url_errors_from_the_server(allowed, site):
    _, base = site
    missing = allowed.post("/validate", json={"url": f"{base}/nothing-here"})
    assert missing.status_code == 502
    assert "HTTP 404" in missing.json()["error"]
    scheme = allowed.post("/validate", json={"url": "file:///etc/passwd"})
    assert scheme.status_code == 400 and "scheme 'file'" in scheme.json()["error"]


# --- pages ------------------------------------------------------------------------------------


def test_form_page(client):
    page = client.get("/validate")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert 'enctype="multipart/form-data"' in html and 'action="/validate"' in html
    for name in ("file", "text", "url", "profile", "lang", "format"):
        assert f'name="{name}"' in html
    for profile in ("core", "full", "essglobal", "taxonomy", "dataset"):
        assert f'<option value="{profile}"' in html
    for lang in LANGUAGES:
        assert f'<option value="{lang}"' in html
    assert "<script" not in html  # works without JavaScript
    french = client.get("/validate?lang=fr").text
    assert "Valider des données" in french and 'lang="fr"' in french
    assert '<option value="fr" selected>' in french


def browser_upload(client, data: bytes, name="mistakes.ttl", lang="en"):
    return client.post(
        "/validate",
        files={"file": (name, data, "application/octet-stream")},
        data={"text": "", "url": "", "profile": "core", "lang": lang, "format": ""},
        headers={"Accept": HTML},
        follow_redirects=False,
    )


def test_report_page_grouped_by_record_with_hints(client):
    posted = browser_upload(client, MISTAKES, lang="fr")
    assert posted.status_code == 303
    location = posted.headers["location"]
    assert location.endswith("?lang=fr")
    page = client.get(location)
    assert page.status_code == 200
    html = page.text
    expected = library(MISTAKES, lang="fr")
    assert "Rapport de validation" in html and "mistakes.ttl" in html
    assert html.count('<section class="record">') == len({r["record"] for r in expected["results"]})
    assert html.count('<tr class="result">') == len(expected["results"])
    hints = [r["hint"] for r in expected["results"] if r["hint"]]
    assert hints
    for hint in hints:
        assert escape(hint) in html
    assert f'<span class="count">{expected["summary"]["violations"]}</span>' in html
    assert "Violation" in html and "Comment corriger" in html


def test_report_downloads_in_every_format(client):
    location = browser_upload(client, SMALL, name="small.ttl", lang="es").headers["location"]
    html = client.get(location).text
    links = re.findall(r'href="(/validate/reports/[^"]+\.(json|ttl|jsonld|csv)\?lang=es)"', html)
    assert {ext for _, ext in links} == {"json", "ttl", "jsonld", "csv"}
    media = {
        "json": "application/json",
        "ttl": "text/turtle",
        "jsonld": "application/ld+json",
        "csv": "text/csv",
    }
    for link, ext in links:
        download = client.get(link.replace("&amp;", "&"))
        assert download.status_code == 200
        assert download.headers["content-type"].startswith(media[ext])
        assert download.headers["content-disposition"].startswith("attachment;")
        if ext == "json":
            expected = library(SMALL, lang="es")
            for result in expected["results"]:
                result["origin"]["file"] = "small.ttl"
            assert comparable(download.json()) == comparable(expected)


def test_report_page_in_another_language(client):
    location = browser_upload(client, SMALL).headers["location"]
    english = client.get(location).text
    spanish_url = location.replace("?lang=en", "?lang=es")
    spanish = client.get(spanish_url).text
    assert "Informe de validación" in spanish
    messages = {result.message for result in validate(SMALL, lang="es").results}
    for message in messages:
        assert escape(message) in spanish and escape(message) not in english
    download = client.get(spanish_url.replace("?lang=es", ".json?lang=es"))
    assert {result["message"] for result in download.json()["results"]} == messages


def test_form_errors_show_the_form_again(client):
    data, _ = MALFORMED["turtle"]
    response = client.post(
        "/validate",
        data={"text": data.decode(), "lang": "fr"},
        headers={"Accept": HTML},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "3:7: trig syntax error" in response.text  # pasted text: the format is sniffed
    assert "Les données n&#39;ont pas pu être validées" in response.text
    both = client.post(
        "/validate",
        files={"file": ("a.ttl", SMALL)},
        data={"url": "https://example.org/kept.ttl"},
        headers={"Accept": HTML},
    )
    assert both.status_code == 400 and "only one thing" in both.text
    assert 'value="https://example.org/kept.ttl"' in both.text
    assert "s:name" in response.text  # the pasted text is kept in the textarea


def test_unknown_report(client):
    missing = client.get("/validate/reports/nothing-here")
    assert missing.status_code == 404
    assert "no longer kept" in missing.json()["error"]
    assert client.get("/validate/reports/x.pdf").status_code == 404
    browser = client.get("/validate/reports/nothing-here", headers={"Accept": HTML})
    assert browser.status_code == 404 and "<form" in browser.text


def test_report_cache_is_bounded():
    cache = ReportCache()
    cache.max_entries = 3
    outcome = Outcome(report={}, lang="en", renders={"json": "x" * 10})
    keys = [cache.add(_Entry(b"data", None, None, "core", {"en": outcome})) for _ in range(5)]
    assert len(cache) == 3
    assert cache.get(keys[0]) is None and cache.get(keys[-1]) is not None
    cache.max_bytes = 30
    cache.add(_Entry(b"#" * 40, None, None, "core", {}))  # over the bytes bound alone
    assert len(cache) == 1  # the newest is kept, the others make room
    cache.ttl = -1
    assert cache.get(keys[-1]) is None and len(cache) == 0


def test_openapi_describes_the_inputs(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/validate"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json", "text/turtle", "application/ld+json"} <= set(
        body
    )
    responses = spec["paths"]["/validate"]["post"]["responses"]
    assert {"200", "400", "413", "415", "503", "504"} <= set(responses)


# --- spreadsheets -----------------------------------------------------------------------------

SEA_CSV = (
    b"Identifier,Name,Organisational Structure,Primary Activity,Country Name\n"
    b"c1,Coop One,Co-operative,Agriculture,Peru\n"
    b"c2,,Co-operative,Teleportation,Peru\n"
)


def _sea_report(response) -> dict:
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["summary"]["records"] == 2
    return report


def test_a_csv_body_is_converted_and_results_point_at_rows_and_columns(client):
    response = client.post("/validate", content=SEA_CSV, headers={"Content-Type": "text/csv"})
    report = _sea_report(response)
    origins = {(r["origin"]["row"], r["origin"]["column"]) for r in report["results"]}
    assert origins == {(3, "Name"), (3, "Primary Activity")}


def test_a_csv_upload_and_a_csv_envelope_are_read_too(client):
    upload = client.post("/validate", files={"file": ("export.csv", SEA_CSV, "text/plain")})
    assert {r["origin"]["file"] for r in _sea_report(upload)["results"]} == {"export.csv"}
    envelope = client.post("/validate", json={"text": SEA_CSV.decode(), "format": "csv"})
    _sea_report(envelope)
