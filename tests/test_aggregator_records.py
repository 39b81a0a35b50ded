"""DataCite records as the OpenAIRE aggregator rewrites them: elements outside their wrappers
(a bare ``datacite:date`` or ``datacite:alternateIdentifier`` directly under the resource),
which the mapping reads as it reads the wrapped ones; a ``no_place`` reason keyed by an
element's name is given only for the elements it describes; and ``crisbridge roundtrip``
reports the writer's refusals as ``convert --to datacite`` does, so a record cannot pass one
and fail the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisbridge import Converter, Issue
from crisbridge.issues import Severity
from crisbridge.mapping import registry
from crisbridge.report import Status
from crisbridge.roundtrip import RoundTrip
from crisbridge.writers.repository import RepositoryConverter

DATACITE = "{http://datacite.org/schema/kernel-4}"


@pytest.fixture(scope="module")
def aggregated(reference: Path) -> Path:
    return reference / "real-records" / "openaire-dnet-hadoop" / "records-aggregator-transformed"


def test_a_bare_issued_date_is_read_and_gives_the_publication_year(aggregated: Path) -> None:
    record = aggregated / "datacite4" / "oai_pub.uni-bielefeld.de_2949739.xml"
    result = Converter().convert_one(record)
    assert result.status is Status.CONVERTED
    assert not [i for i in result.issues if "date" in i.message.lower() and i.code.startswith("map.")]
    assert b'<Issued startDate="2021"/>' in result.xml
    (written,) = list(RepositoryConverter("datacite").convert([record]))
    assert written.status is Status.CONVERTED, [(i.code, i.message) for i in written.issues]
    root = written.entities[0].element
    assert root.findtext(f"{DATACITE}publicationYear") == "2021"
    assert [d.get("dateType") for d in root.iter(f"{DATACITE}date")] == ["Issued"]
    # the round trip carries it: no longer a loss put down to the Coverage date's reason
    trip = RoundTrip().record(next(iter(_records(record))))
    assert trip.status is Status.CONVERTED
    dates = [o for o in trip.outcomes if o.field == "datacite:date"]
    assert not [o for o in dates if o.outcome == "lost"], dates
    assert trip.carried.get("datacite:date") == 1


def test_a_bare_alternate_identifier_is_read(aggregated: Path) -> None:
    record = aggregated / "datacite4" / "oai_nakala.fr_hdl_11280_50f302c6.xml"
    result = Converter().convert_one(record)
    assert b"http://nakala.fr/data/11280/50f302c6" in result.xml
    assert not [i for i in result.issues if i.code == "map.not-mapped" and "alternateIdentifier" in i.message]


def test_a_reason_keyed_by_name_is_not_given_for_an_element_no_rule_reached(tmp_path: Path) -> None:
    """no_place ``size`` explains a size the size rule read and could not place (not in bytes);
    a bare size, which no rule reaches, is not mapped for want of a rule, and says so."""
    mapping = registry.compiled("datacite")
    assert "size" in mapping.no_place and "size" in mapping.read_names
    path = tmp_path / "record.xml"
    path.write_text('<resource xmlns="http://datacite.org/schema/kernel-4"><identifier identifierType="DOI">10.1234/x</identifier>'
                    "<titles><title>T</title></titles><publisher>P</publisher><publicationYear>2020</publicationYear>"
                    "<sizes><size>12 pages</size></sizes><size>2048 bytes</size></resource>", encoding="utf-8")
    result = Converter().convert_one(path)
    said = {str(i.location.xpath): i.message for i in result.issues if i.code == "map.not-mapped"}
    assert said["/datacite:resource/datacite:sizes/datacite:size"] == f"size not mapped: {mapping.no_place['size']}"
    assert said["/datacite:resource/datacite:size"] == "size not mapped: no mapping rule reads this size where it stands (rule 'size' reads size elsewhere)"
    # the round trip does not pass the bare one off as a documented loss either
    trip = RoundTrip().run([path])
    (bare,) = [o for r in trip.records for o in r.outcomes if o.xpath == "/datacite:resource/datacite:size"]
    assert (bare.outcome, bare.loss) == ("lost", "unexpected")
    (wrapped,) = [o for r in trip.records for o in r.outcomes if o.xpath == "/datacite:resource/datacite:sizes/datacite:size"]
    assert (wrapped.outcome, wrapped.loss) == ("lost", "known")


def test_roundtrip_fails_the_records_convert_to_datacite_fails(aggregated: Path) -> None:
    """The five aggregator records still refused carry no publication year at all (no
    publicationYear with a value, no date), so the DataCite writer has none to write: both
    commands fail them with out.missing-required and pass the rest."""
    folders = [aggregated / "datacite4", aggregated / "datacite3"]
    converted = {r.source: r for r in RepositoryConverter("datacite").convert(folders) if not isinstance(r, Issue)}
    tripped = {r.source: r for r in RoundTrip().run(folders).records}

    def refused(results: dict[str, Any]) -> dict[str, list[str]]:
        return {Path(s).name: sorted(i.code for i in r.issues if i.code.startswith("out.") and i.severity is Severity.ERROR)
                for s, r in results.items() if r.status is Status.FAILED}

    by_convert = refused(converted)
    assert by_convert == refused(tripped)
    missing = sorted(name for name, codes in by_convert.items() if codes == ["out.missing-required"])
    assert missing == ["12d8f77e-d66f-46f5-8d88-af7db23bc4c9.xml", "chainy.xml", "feabb67c-1fd1-423b-aec6-606d04ce53c6.xml",
                       "feabb67c-1fd1-423b-aec6-606d04ce53c6__v2.xml", "feabb67c-1fd1-423b-aec6-606d04ce53c6__v3.xml"]
    for name in missing:
        source = next(s for s in converted if Path(s).name == name)
        root = etree.parse(source).getroot()
        years = [e.text for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in ("publicationYear", "date") and (e.text or "").strip()]
        assert years == [], (name, years)
        trip = tripped[source]
        assert trip.issues[0].code == "out.missing-required" and "publicationYear" in trip.issues[0].message
        assert not trip.outcomes  # failed, as in convert: not compared
    # and of the records both pass, each says the same writer warnings in both
    def warned(issues: list[Issue]) -> list[str]:
        return sorted(i.code for i in issues if i.code.startswith("out.") and i.severity is Severity.WARNING)

    passed = [s for s, r in converted.items() if r.status is Status.CONVERTED]
    assert len(passed) > 10
    for source in passed:
        assert tripped[source].status is Status.CONVERTED
        assert warned(converted[source].issues) == warned(tripped[source].issues), source


def _records(path: Path) -> list[Any]:
    from crisbridge.readers import read_inputs

    return list(read_inputs([str(path)], "auto"))
