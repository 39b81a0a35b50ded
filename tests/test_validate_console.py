"""`crisbridge validate` on the console: each finding's line names the element or property it is
about and the value at fault (shortened), which the JSON report holds as the location's focus
node, path and value. Checked on real output: the example harvest converted, and the official
1.2 persons sample with its ORCID whose check digit is wrong."""

from __future__ import annotations

from pathlib import Path

from conftest import REFERENCE  # conftest.py's folder is on sys.path; the package "tests" is not
from typer.testing import CliRunner

from crisbridge.cli.app import app
from crisbridge.writers.rdf import element_path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "harvest.xml"


def _lines(*args: str) -> list[list[str]]:
    result = CliRunner().invoke(app, ["validate", *args])
    return [line.split("\t") for line in result.stdout.splitlines() if "\t" in line]


def test_a_finding_inside_an_embedded_entity_names_its_element_and_value(tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    assert CliRunner().invoke(app, ["convert", str(EXAMPLE), "-o", str(out)]).exit_code == 0
    title = [line for line in _lines(str(out)) if line[1] == "shacl.datatype"]
    assert len(title) == 1
    severity, _, where, message = title[0]
    assert severity == "warning"
    assert where.startswith(f"{out}:oai:crisbridge.local:Publications/")
    # the journal's title, embedded in the article's PublishedIn, not the article's own
    assert message == 'A title should carry a language tag (PublishedIn/Title: "Journal of Example Hydrology")'


def test_a_check_digit_finding_shows_the_identifier(reference: Path) -> None:
    sample = REFERENCE / "openaire-cris" / "v1.2.0" / "samples" / "openaire_cerif_xml_example_persons.xml"
    found = [line for line in _lines(str(sample)) if line[1] == "shacl.check-digit"]
    assert [(line[2].rsplit(":", 1)[-1], line[3]) for line in found] == [
        ("Persons/2000001", 'The check digit does not match the rest of the identifier (ORCID: "https://orcid.org/0009-0000-0000-0000")')]


def test_a_long_value_is_shortened_to_one_line(tmp_path: Path) -> None:
    title = "A title " + "that goes on\nand on " * 20
    record = tmp_path / "long.xml"
    record.write_text(
        '<Publication xmlns="https://www.openaire.eu/cerif-profile/1.2/" id="Publications/1">'
        '<Type xmlns="https://www.openaire.eu/cerif-profile/vocab/COAR_Publication_Types">http://purl.org/coar/resource_type/c_6501</Type>'
        f"<Title>{title}</Title></Publication>", encoding="utf-8")
    (line,) = [line for line in _lines(str(record)) if line[1] == "shacl.datatype"]
    shown = line[3].split("(Title: ", 1)[1]
    assert shown.startswith('"A title that goes on and on that goes on') and shown.endswith('\u2026")')
    assert len(shown) == len('""') + 80 + len(")")


def test_element_path_reads_the_rdf_vocabulary_back_as_elements() -> None:
    record = "oai:crisbridge.local:Publications/1"
    base = "https://crisbridge.local/"
    assert element_path(f"{base}Publications/1#PublishedIn", "https://w3id.org/cerif/model#ResultPublication.Title", record) == "PublishedIn/Title"
    assert element_path(f"{base}Publications/1#Authors/1/Person", "https://w3id.org/crisbridge/vocab#ORCID", record) == "Authors/1/Person/ORCID"
    assert element_path(f"{base}Publications/1#License/1", "http://www.w3.org/1999/02/22-rdf-syntax-ns#value", record) == "License/1"
    # an entity embedded with its own id is named by it
    assert element_path(f"{base}OrgUnits/7", "https://w3id.org/crisbridge/vocab#RORID", record) == "OrgUnits/7/RORID"
    assert element_path(None, None, record) is None
