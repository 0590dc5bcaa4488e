"""The SPARQL page for researchers: example queries, a form, and the answer as a table.

It works without JavaScript: the form submits ``GET /query?query=…`` and the page runs the query
through the same executor as ``/sparql`` (same gate, limits and time limit) and shows the rows.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from service.routes.sparql import executor_for
from service.templating import page
from ssevalidate.sparql import SparqlError

router = APIRouter()

SHOWN_ROWS = 500
"""Rows shown on the page; the endpoint itself returns up to the configured row cap."""

_PREFIXES = """PREFIX sse: <https://w3id.org/sse/vocab/>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX geo: <http://www.w3.org/2003/01/geo/wgs84_pos#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

EXAMPLES: dict[str, str] = {
    "per-country-activity": _PREFIXES
    + """
# Initiatives per country and primary activity
SELECT ?country ?activity (COUNT(DISTINCT ?initiative) AS ?initiatives)
WHERE {
  ?initiative a sse:Initiative ;
              sse:primaryActivity ?activityConcept ;
              vcard:hasAddress/sse:country ?countryConcept .
  ?countryConcept skos:prefLabel ?country . FILTER(lang(?country) = "en")
  ?activityConcept skos:prefLabel ?activity . FILTER(lang(?activity) = "en")
}
GROUP BY ?country ?activity
ORDER BY DESC(?initiatives) ?country ?activity
""",
    "networks": _PREFIXES
    + """
# Networks and their members
SELECT ?network (SAMPLE(?networkName) AS ?name) (COUNT(DISTINCT ?member) AS ?members)
WHERE {
  ?network a sse:Network ; schema:name ?networkName .
  ?member sse:memberOf ?network .
}
GROUP BY ?network
ORDER BY DESC(?members)
""",
    "without-coordinates": _PREFIXES
    + """
# Records without coordinates (neither on the record, its address nor a site)
SELECT ?record (SAMPLE(?recordName) AS ?name)
WHERE {
  { ?record a sse:Initiative } UNION { ?record a sse:Network }
  ?record schema:name ?recordName .
  FILTER NOT EXISTS { ?record geo:lat ?lat }
  FILTER NOT EXISTS { ?record vcard:hasAddress/geo:lat ?addressLat }
  FILTER NOT EXISTS { ?record sse:hasSite/geo:lat ?siteLat }
}
GROUP BY ?record
ORDER BY ?name
""",
    "per-source-licence": _PREFIXES
    + """
# Records per source directory and licence
SELECT ?source ?license (COUNT(DISTINCT ?record) AS ?records)
WHERE {
  ?record dcterms:source ?source .
  OPTIONAL { ?record dcterms:license ?license }
}
GROUP BY ?source ?license
ORDER BY DESC(?records)
""",
}


@router.get("/query", response_class=HTMLResponse, tags=["pages"])
async def query_page(
    request: Request, query: str | None = None, example: str | None = None
) -> HTMLResponse:
    """The SPARQL page: ``?example=<name>`` fills the form, ``?query=`` runs a query."""
    text = (
        query
        if query is not None
        else EXAMPLES.get(example or "", EXAMPLES["per-country-activity"])
    )
    table = error = None
    truncated = False
    status = 200
    if query is not None:
        try:
            result = await run_in_threadpool(
                executor_for(request.app).execute, query, accept="application/sparql-results+json"
            )
        except SparqlError as refusal:
            error, status = str(refusal), 400
        else:
            table, truncated = _table(result.body, result.form)
    return page(
        request,
        "query.html",
        status_code=status,
        examples=list(EXAMPLES),
        text=text,
        table=table,
        truncated=truncated,
        error=error,
        endpoint_links={
            label: "/sparql?" + urlencode({"query": text, "format": fmt})
            for label, fmt in (("JSON", "json"), ("XML", "xml"), ("CSV", "csv"), ("TSV", "tsv"))
        },
    )


def _table(body: bytes, form: str) -> tuple[dict, bool]:
    """SPARQL JSON results → ``{"head": [...], "rows": [[...]]}`` (or a boolean for ASK)."""
    answer = json.loads(body)
    if "boolean" in answer:
        return {"head": ["ASK"], "rows": [[str(answer["boolean"]).lower()]]}, False
    names = answer["head"]["vars"]
    bindings = answer["results"]["bindings"]
    rows = [
        [binding.get(name, {}).get("value", "") for name in names]
        for binding in bindings[:SHOWN_ROWS]
    ]
    return {"head": names, "rows": rows}, len(bindings) > SHOWN_ROWS
