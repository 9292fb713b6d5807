"""Extraction layer: spaCy Doc in, entities, relations and quotes out (no rdflib)."""
