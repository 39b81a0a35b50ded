"""Writing converted entities as an OAI-PMH ``ListRecords`` response, or one file each.

The envelope follows the OpenAIRE Guidelines for CRIS Managers: metadataPrefix
``oai_cerif_openaire_v1_2`` (or ``_v1_1``), one set per entity type
(``openaire_cris_publications``...), identifiers ``oai:{host}:{Type}s/{id}`` carrying the same
value as the entity's ``@id``. Deleted source records become deleted headers. The document
is written as records arrive, so memory stays flat.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
SETS = {
    "Publication": "openaire_cris_publications",
    "Product": "openaire_cris_products",
    "Patent": "openaire_cris_patents",
    "Person": "openaire_cris_persons",
    "OrgUnit": "openaire_cris_orgunits",
    "Project": "openaire_cris_projects",
    "Funding": "openaire_cris_funding",
    "Event": "openaire_cris_events",
    "Equipment": "openaire_cris_equipments",
}


def oai_identifier(host: str, entity_id: str) -> str:
    return f"oai:{host}:{entity_id}"


class ListRecordsWriter:
    """Streams a ListRecords document to a binary file."""

    def __init__(self, out: BinaryIO, host: str, metadata_prefix: str, profile_ns: str, now: datetime | None = None) -> None:
        self.out = out
        self.host = host
        self.count = 0
        stamp = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
        schema = f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
        out.write(
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                f'xsi:schemaLocation="{schema}">\n'
                f"<responseDate>{stamp}</responseDate>\n"
                f'<request verb="ListRecords" metadataPrefix={quoteattr(metadata_prefix)}>https://{escape(host)}/oai</request>\n'
            ).encode("utf-8")
        )
        self._opened = False

    def _open(self) -> None:
        if not self._opened:
            self.out.write(b"<ListRecords>\n")
            self._opened = True

    def record(self, entity_id: str, kind: str, datestamp: str, xml: bytes) -> None:
        self._open()
        self.count += 1
        header = (
            f"<record><header><identifier>{escape(oai_identifier(self.host, entity_id))}</identifier>"
            f"<datestamp>{escape(datestamp)}</datestamp><setSpec>{SETS[kind]}</setSpec></header><metadata>"
        )
        self.out.write(b"".join((header.encode("utf-8"), xml, b"</metadata></record>\n")))  # one call per record

    def deleted(self, entity_id: str, datestamp: str) -> None:
        self._open()
        self.count += 1
        self.out.write(
            (
                f'<record><header status="deleted"><identifier>{escape(oai_identifier(self.host, entity_id))}</identifier>'
                f"<datestamp>{escape(datestamp)}</datestamp></header></record>\n"
            ).encode("utf-8")
        )

    def close(self) -> None:
        if self._opened:
            self.out.write(b"</ListRecords>\n")
        else:
            # OAI-PMH: an empty list is the noRecordsMatch error, not an empty ListRecords
            self.out.write(b'<error code="noRecordsMatch">no record was converted</error>\n')
        self.out.write(b"</OAI-PMH>\n")
        self.out.flush()


class FolderWriter:
    """One file per entity: ``FOLDER/Publications/<uuid>.xml``; deleted records are listed
    in ``FOLDER/deleted.txt``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self._deleted: list[str] = []

    def record(self, entity_id: str, kind: str, datestamp: str, xml: bytes) -> None:
        path = self.folder / f"{entity_id}.xml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + xml + b"\n")
        self.count += 1

    def deleted(self, entity_id: str, datestamp: str) -> None:
        self._deleted.append(f"{entity_id}\t{datestamp}")
        self.count += 1

    def close(self) -> None:
        if self._deleted:
            (self.folder / "deleted.txt").write_text("\n".join(self._deleted) + "\n", encoding="utf-8")
