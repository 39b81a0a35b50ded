"""DataCite licences (mappings/datacite.yaml, rule ``licence``; transforms.license): a
rightsIdentifier of scheme SPDX is kept as that SPDX id, the profile's form of a License, even
when the licences table has no row for it; and the rightsIdentifier and its scheme are reported
as not mapped only when what they say is lost, with a reason that is true of them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crisbridge import Converter, Issue
from crisbridge.report import Status
from crisbridge.roundtrip import RoundTrip
from crisbridge.writers.repository import RepositoryConverter

SPDX = b'<License scheme="https://spdx.org/licenses">https://spdx.org/licenses/'
HEAD = ('<resource xmlns="http://datacite.org/schema/kernel-4"><identifier identifierType="DOI">10.1234/x</identifier>'
        '<creators><creator><creatorName>Doe, Jane</creatorName></creator></creators><titles><title>T</title></titles>'
        '<publisher>P</publisher><publicationYear>2020</publicationYear><resourceType resourceTypeGeneral="Dataset"/>')


@pytest.fixture(scope="module")
def real(reference: Path) -> Path:
    return reference / "real-records"


def rights_parts(issues: list[Issue]) -> dict[str, str]:
    """The reported parts of rights elements: attribute -> message."""
    return {str(i.location.xpath).rsplit("/", 1)[-1]: i.message for i in issues
            if i.code == "map.part-not-mapped" and "rights" in str(i.location.xpath) and "/@rightsIdentifier" in str(i.location.xpath)}


def record(tmp_path: Path, rights: str) -> Path:
    path = tmp_path / "record.xml"
    path.write_text(f"{HEAD}<rightsList>{rights}</rightsList></resource>", encoding="utf-8")
    return path


def test_zenodo_spdx_ids_the_table_knows_are_not_reported(real: Path) -> None:
    # rightsURI="http://www.apache.org/licenses/LICENSE-2.0" rightsIdentifierScheme="spdx"
    # rightsIdentifier="apache-2.0": the identifier names the licence the URI gives
    records = sorted((real / "zenodo-oaipmh-scythe" / "records" / "datacite4").glob("*.xml"))
    apache = [p for p in records if 'rightsIdentifier="apache-2.0"' in p.read_text(encoding="utf-8")]
    assert len(apache) >= 3
    for path in records:
        result = Converter().convert_one(path)
        parts = rights_parts(result.issues)
        assert "@rightsIdentifier" not in parts, (path.name, parts)
        if path in apache:
            assert SPDX + b"Apache-2.0</License>" in result.xml
            # the scheme is spelt "spdx": the writer spells it SPDX, which is all that changes
            assert parts["@rightsIdentifierScheme"].startswith("rights rightsIdentifierScheme 'spdx' not mapped: a licence is held as an SPDX id")


def test_an_identifier_that_says_something_else_is_reported_with_a_true_reason(real: Path, reference: Path) -> None:
    fixtures = real / "datacite-bolognese" / "original" / "spec" / "fixtures"
    # ODbL-1.0 without rightsIdentifierScheme beside a URL the table does not know: the URL is
    # kept, the identifier is not
    result = Converter().convert_one(fixtures / "datacite-example-ancientdates-v4.3.xml")
    assert b"<License" in result.xml and b"http://opendatacommons.org/licenses/odbl/</License>" in result.xml
    message = rights_parts(result.issues)["@rightsIdentifier"]
    assert message.startswith("rights rightsIdentifier 'ODbL-1.0' not mapped: a licence is held as one SPDX id or URL")
    assert "ODbL-1.0 without its scheme" in message
    # "CC0 1.0" is no SPDX id, whatever its scheme says; the licence comes from rightsURI
    result = Converter().convert_one(fixtures / "datacite-example-full-v4.4.xml")
    assert SPDX + b"CC0-1.0</License>" in result.xml
    assert set(rights_parts(result.issues)) == {"@rightsIdentifier"}
    # CC-BY-4.0 beside the URI of CC BY-NC 4.0: another licence, which has no place
    result = Converter().convert_one(reference / "datacite" / "kernel-4.7" / "example" / "datacite-example-dataset-v4.xml")
    assert SPDX + b"CC-BY-NC-4.0</License>" in result.xml
    assert set(rights_parts(result.issues)) == {"@rightsIdentifier"}


def test_an_spdx_id_the_table_lacks_is_kept_as_that_id(tmp_path: Path) -> None:
    # the licences table knows ODbL by URL only, and EUPL-1.2 not at all
    path = record(tmp_path, '<rights rightsIdentifierScheme="SPDX" rightsIdentifier="ODbL-1.0">Open Database License</rights>'
                            '<rights rightsIdentifierScheme="spdx" rightsIdentifier="EUPL-1.2"/>'
                            '<rights rightsIdentifierScheme="SPDX" rightsIdentifier="CC0 1.0"/>')
    result = Converter().convert_one(path)
    assert result.status is Status.CONVERTED
    assert SPDX + b"ODbL-1.0</License>" in result.xml and SPDX + b"EUPL-1.2</License>" in result.xml
    said = {str(i.location.xpath).replace("datacite:", "").removeprefix("/resource/rightsList/"): i.code for i in result.issues}
    # the identifiers and their schemes are read (a scheme spelt "spdx" is SPDX all the same);
    # the statement's words are not, and "CC0 1.0" is no SPDX id: no licence, and said
    assert said == {"rights[1]/text()": "map.part-not-mapped", "rights[3]": "map.not-mapped"}
    assert b"CC0" not in result.xml
    (written,) = list(RepositoryConverter("datacite").convert([path]))
    rights = written.entities[0].element.findall(".//{http://datacite.org/schema/kernel-4}rights")
    assert [(r.get("rightsIdentifier"), r.get("rightsIdentifierScheme")) for r in rights] == [("ODbL-1.0", "SPDX"), ("EUPL-1.2", "SPDX")]
    # the round trip finds nothing lost that no mapping file explains
    trip = RoundTrip().run([path])
    assert (trip.summary.lost_unexpected, trip.summary.changed_unexpected) == (0, 0)
