"""The official profile XSD, loaded offline.

The profile's ``includes/cerif-commons.xsd`` imports ``http://www.w3.org/2001/xml.xsd`` by
URL; the schema folder's ``cached/xml.xsd`` answers for it, so nothing is fetched.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from crisbridge.errors import ConfigurationError

XSD_NAME = "openaire-cerif-profile.xsd"


class _LocalResolver(etree.Resolver):
    def __init__(self, cached: Path) -> None:
        super().__init__()
        self.cached = cached

    def resolve(self, url: str, pubid: str, context: Any) -> Any:
        if url.startswith(("http://", "https://")):
            local = self.cached / url.rsplit("/", 1)[-1]
            if local.is_file():
                return self.resolve_filename(str(local), context)
        return None


@lru_cache(maxsize=8)
def profile_schema(schema_dir: Path) -> etree.XMLSchema:
    """The compiled profile XSD from a folder laid out like the official ``schemas/``."""
    main = schema_dir / XSD_NAME
    if not main.is_file():
        raise ConfigurationError(f"{schema_dir}: no {XSD_NAME} in this folder")
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    parser.resolvers.add(_LocalResolver(schema_dir / "cached"))
    try:
        return etree.XMLSchema(etree.parse(str(main), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
        raise ConfigurationError(f"{main}: the schema cannot be compiled: {exc}") from None


def errors(schema: etree.XMLSchema, element: Any) -> list[str]:
    """XSD errors of one element (an entity), as readable lines; empty when valid."""
    if schema.validate(element):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
