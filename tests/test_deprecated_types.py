"""Deprecated COAR resource types: the profile decides what is written, the shapes warn only
where the user can do something about it (shapes/vocabularies.ttl).

info:eu-repo/semantics/preprint is written as COAR c_816b, which COAR Resource Types 3.2
deprecates without naming a current term; it is the only preprint type in the type lists of
both profile versions (read from the XSD into mappings/profiles/cerif-1.*-types.yaml), so the
mappings keep writing it and validation does not warn about it. A deprecated type with a
current term (conference paper not in proceedings) is warned about, naming that term.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from conftest import REFERENCE  # conftest.py's folder is on sys.path; the package "tests" is not

from crisbridge.pipeline import Converter, RecordResult
from crisbridge.validation.runner import validate
from crisbridge.writers.oaipmh import ListRecordsWriter

ROOT = Path(__file__).resolve().parent.parent
PREPRINT = "http://purl.org/coar/resource_type/c_816b"
ZENODO = "real-records/zenodo-oaipmh-scythe/records/oai_dc"


def _write(results: list[RecordResult], path: Path) -> None:
    with path.open("wb") as out:
        sink = ListRecordsWriter(out, "crisbridge.local", "oai_cerif_openaire_v1_2", "https://www.openaire.eu/cerif-profile/1.2/")
        for r in results:
            for e in r.entities:
                sink.record(e.id, e.kind.value, "2026-01-01", e.xml)
        sink.close()


def test_the_profile_lists_the_deprecated_preprint_type_and_no_other() -> None:
    for version in ("1.2", "1.1"):
        tables = yaml.safe_load((ROOT / "mappings" / "profiles" / f"cerif-{version}-types.yaml").read_text())["tables"]
        assert PREPRINT in tables["publication_types"]
    coar = yaml.safe_load((ROOT / "mappings" / "vocabularies" / "coar.yaml").read_text())["tables"]
    assert PREPRINT in coar["coar_deprecated"]
    assert [uri for uri, label in coar["coar_labels"].items() if "preprint" in label] == [PREPRINT]


def test_real_preprints_are_written_as_the_profile_lists_them_and_validate_without_a_warning(reference: Path, tmp_path: Path) -> None:
    files = sorted(p for p in (REFERENCE / ZENODO).glob("*.xml") if b"info:eu-repo/semantics/preprint" in p.read_bytes())
    assert len(files) == 3
    results = [r for r in Converter().convert(files) if isinstance(r, RecordResult)]
    assert [e.entity.type for r in results for e in r.entities] == [PREPRINT] * 3
    out = tmp_path / "preprints.xml"
    _write(results, out)
    report = validate([str(out)])
    codes = {i.code for r in report.records for i in r.issues} | {n.code for n in report.notes}
    assert "shacl.deprecated-term" not in codes
    assert len(report.records) == 3


def test_a_deprecated_type_with_a_current_term_is_warned_about_naming_it(tmp_path: Path) -> None:
    source = (b'<Publication xmlns="https://www.openaire.eu/cerif-profile/1.2/" id="Publications/1">'
              b'<Type xmlns="https://www.openaire.eu/cerif-profile/vocab/COAR_Publication_Types">http://purl.org/coar/resource_type/c_18cp</Type>'
              b'<Title xml:lang="en">A talk</Title></Publication>')
    result = Converter().convert_one(source)
    out = tmp_path / "talk.xml"
    _write([result], out)
    report = validate([str(out)])
    found = [i for r in report.records for i in r.issues if i.code == "shacl.deprecated-term"]
    assert [i.message for i in found] == [
        ("COAR has deprecated this resource type (conference paper not in proceedings); use its current term, "
         "conference paper (http://purl.org/coar/resource_type/c_5794), which the profile lists too")]
    assert found[0].location.value == "http://purl.org/coar/resource_type/c_18cp"
