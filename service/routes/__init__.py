"""One router per concern: validation, pages, linked data, SPARQL."""
