"""DataCite publicationYear through a writer override (docs/mapping-guide.md, "Overriding a
writer mapping"): a year taken from the publication date, or from a Product's Issued date, is
the publication's own year and warns about nothing, whether or not the override repeats the
shipped rule's ``publication_dates``; a year taken from another date is reported with the
date it really came from, and says whether the record had a publication date at all.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree
from test_cli import crisbridge

from crisbridge.model import DateRange, LangString, Product
from crisbridge.writers.repository import load_out_override, merge_out, shipped_writer, writer_for

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "mapping-guide.md"
EXAMPLE = ROOT / "examples" / "harvest.xml"
DATACITE = "{http://datacite.org/schema/kernel-4}"


def guide_override() -> str:
    """The guide's example override of out/datacite, as printed in the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## Overriding a writer mapping"):]
    block = re.search(r"```yaml\n(extends: out/datacite\n.*?)```", section, re.DOTALL)
    assert block is not None, "the guide's writer override example is gone"
    assert "years_from" in block.group(1)
    return block.group(1)


def year_issues(report: Path) -> list[tuple[str, str]]:
    entries = json.loads(report.read_text(encoding="utf-8"))["records"]
    return [(e["source_id"].rsplit("/", 1)[-1], i["message"]) for e in entries for i in e["issues"] if i["code"].startswith("out.year-")]


def convert(tmp_path: Path, override: str) -> tuple[list[str], list[tuple[str, str]]]:
    mapping, out, report = tmp_path / "w1.yaml", tmp_path / "out.xml", tmp_path / "report.json"
    mapping.write_text(override, encoding="utf-8")
    proc = crisbridge("convert", str(EXAMPLE), "--to", "datacite", "--mapping", str(mapping), "-o", str(out), "--report", str(report))
    assert proc.returncode == 0, proc.stderr.decode()
    years = [y.text for y in etree.parse(str(out)).iter(f"{DATACITE}publicationYear")]
    return years, year_issues(report)


def test_the_guides_override_dates_both_records_by_their_publication_without_a_warning(tmp_path: Path) -> None:
    # the article's dc:date 2025-03, the dataset's Issued 2025-02-14
    assert convert(tmp_path, guide_override()) == (["2025", "2025"], [])


def test_a_year_from_another_date_names_that_date_and_the_publication_date_passed_over(tmp_path: Path) -> None:
    override = guide_override().replace("[publication_date, dates.Issued, dates.Available]", "[dates.Collected, publication_date]")
    years, issues = convert(tmp_path, override)
    assert years == ["2025", "2005"]
    assert issues == [("5679", ("years_from puts the Collected date before the publication date (a Product's Issued date) 2025-02-14: "
                                "publicationYear 2005 is the year of the Collected date 2005-01-01"))]


def test_a_year_from_the_embargo_end_says_the_publication_date_was_not_taken(tmp_path: Path) -> None:
    override = (guide_override().replace("from: [publication_date, dates]", "from: [publication_date, access_end_date]")
                .replace("[publication_date, dates.Issued, dates.Available]", "[access_end_date, header:datestamp]"))
    years, issues = convert(tmp_path, override)
    assert years == ["2027", "2026"]
    assert issues == [
        ("5678", "years_from does not take the publication date 2025-03: publicationYear 2027 is the year of the end of the embargo 2027-03-31"),
        ("5679", ("years_from does not take the publication date (a Product's Issued date) 2025-02-14: publicationYear 2026 is the year of "
                  "its OAI-PMH header datestamp 2026-10-31 (the date the source last created or changed the record)")),
    ]


def test_no_publication_date_is_said_only_when_there_is_none(tmp_path: Path) -> None:
    dataset = Product(titles=[LangString(value="Data")], dates={"Collected": DateRange(start="2001"), "Available": DateRange(start="2011-12-05")})
    for writer in (shipped_writer("datacite"), writer_for("datacite", (_write(tmp_path, guide_override()),))):
        _, issues = writer.write(dataset, record="test")
        assert [i.message for i in issues if i.code == "out.year-from-other-date"] == [
            "no publication date: publicationYear 2011 is the year of the Available date 2011-12-05"]


def test_the_shipped_rule_states_the_default_publication_dates(tmp_path: Path) -> None:
    """The shipped rule's explicit list and the writer's default are the same dates; the
    guide's override, which replaces the rule, leaves it to the default."""
    from crisbridge.writers.datacite import PUBLICATION_DATES

    spec = merge_out(shipped_writer("datacite").spec, load_out_override(_write(tmp_path, guide_override())))
    shipped = next(r for r in shipped_writer("datacite").spec.rules if r.name == "publication-year")
    overridden = next(r for r in spec.rules if r.name == "publication-year")
    assert tuple(shipped.options["publication_dates"]) == PUBLICATION_DATES
    assert "publication_dates" not in overridden.options


def _write(folder: Path, text: str) -> Path:
    path = folder / "override.yaml"
    path.write_text(text, encoding="utf-8")
    return path
