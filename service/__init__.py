"""The HTTP service: validation API and pages, the vocabulary as linked data, a safe SPARQL
endpoint. Routes are thin: every decision is a library call (``ssevalidate``)."""
