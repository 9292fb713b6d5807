"""RDF side of kg: IRIs, graph building, serialisation, validation, named queries."""
