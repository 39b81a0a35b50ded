"""Parts of an element the reading rule leaves out (``leaves_out`` in a mapping) are reported by
convert as ``map.part-not-mapped``, per record, with the ``no_place`` reason: the free text of a
DataCite resourceType, a title's type, a subject's scheme. The corpus test holds convert to what
``crisbridge roundtrip`` finds by reading each element again with a part altered: every part it
classifies as a documented change (``no_place``) convert reports too, and every part convert
reports is one the round trip finds the mapping does not read.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisbridge import Converter, Issue
from crisbridge.errors import MappingError
from crisbridge.mapping import lint, registry
from crisbridge.readers import read_inputs
from crisbridge.roundtrip import RoundTrip, _altered, _nudged, _read_with, trace

XML = "http://www.w3.org/XML/1998/namespace"
ROOT = Path(__file__).resolve().parent.parent
DATACITE = '<resource xmlns="http://datacite.org/schema/kernel-4">'
BASE = ('<identifier identifierType="DOI">10.1234/x</identifier><titles><title>T</title></titles>'
        '<publicationYear>2020</publicationYear><publisher>P</publisher>')


def parts(source: str | Path, tmp_path: Path | None = None) -> list[Issue]:
    if isinstance(source, str):
        assert tmp_path is not None
        path = tmp_path / "record.xml"
        path.write_text(f"{DATACITE}{BASE}{source}</resource>", encoding="utf-8")
        source = path
    result = Converter().convert_one(Path(source))
    return [i for i in result.issues if i.code == "map.part-not-mapped"]


def xpaths(issues: list[Issue]) -> list[str]:
    return [str(i.location.xpath).replace("datacite:", "").removeprefix("/resource/") for i in issues]


# -- what a rule reads and what it leaves out ------------------------------------------------


def test_the_readme_example_reports_the_free_text_type(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    done = subprocess.run([sys.executable, "-m", "crisbridge", "convert", str(ROOT / "examples" / "harvest.xml"),
                           "-o", str(tmp_path / "o.xml"), "--report", str(report)], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    issues = [i for r in json.loads(report.read_text(encoding="utf-8"))["records"] for i in r["issues"]
              if i["code"] == "map.part-not-mapped"]
    (rtype,) = [i for i in issues if "resourceType" in i["location"]["xpath"]]
    assert rtype["severity"] == "info" and rtype["location"]["value"] == "Time series"
    assert rtype["message"].startswith("resourceType text 'Time series' not mapped: the free-text type has no place")
    assert rtype["location"]["xpath"] == "/datacite:resource/datacite:resourceType/text()"
    assert "Time series" not in (tmp_path / "o.xml").read_text(encoding="utf-8")


def test_a_subtitle_keeps_its_type_and_other_titles_do_not(tmp_path: Path) -> None:
    found = parts('<titles><title titleType="Subtitle">S</title><title titleType="AlternativeTitle">A</title></titles>', tmp_path)
    assert xpaths(found) == ["titles[2]/title[2]/@titleType"]
    assert found[0].message.startswith("title titleType 'AlternativeTitle' not mapped: the profile's Title has no type")


def test_an_abstract_keeps_its_type_and_methods_do_not(tmp_path: Path) -> None:
    found = parts('<descriptions><description descriptionType="Abstract">A</description>'
                  '<description descriptionType="Methods">M</description></descriptions>', tmp_path)
    assert xpaths(found) == ["descriptions/description[2]/@descriptionType"]


def test_a_subject_scheme_uri_is_read_beside_a_value_uri(tmp_path: Path) -> None:
    found = parts('<subjects><subject subjectScheme="ddc">300 Social sciences</subject>'
                  '<subject schemeURI="http://dewey.info/">computer science</subject>'
                  '<subject schemeURI="http://id.loc.gov/" valueURI="http://id.loc.gov/sh1" xml:lang="en">Cats</subject></subjects>',
                  tmp_path)
    assert xpaths(found) == ["subjects/subject[1]/@subjectScheme", "subjects/subject[2]/@schemeURI",
                             "subjects/subject[3]/text()", "subjects/subject[3]/@xml:lang"]


def test_a_rights_text_is_read_unless_the_uri_said_it_first(tmp_path: Path) -> None:
    found = parts('<rightsList><rights rightsURI="https://creativecommons.org/licenses/by/4.0/">Creative Commons Attribution</rights>'
                  '<rights>CC BY 4.0</rights>'
                  '<rights rightsURI="http://example.org/ours">CC BY 4.0</rights></rightsList>', tmp_path)
    # the second and third are read from their text (the third's URL is not a licence the table knows)
    assert xpaths(found) == ["rightsList/rights[1]/text()"]


def test_a_second_name_in_one_creator_is_reported(tmp_path: Path) -> None:
    found = parts('<creators><creator><creatorName>Doe, Jane</creatorName><creatorName>Roe, Rick</creatorName>'
                  '<nameIdentifier nameIdentifierScheme="GND" schemeURI="http://d-nb.info/gnd/">118611593</nameIdentifier>'
                  '<nameIdentifier nameIdentifierScheme="ORCID" schemeURI="https://orcid.org">0000-0002-1825-0097</nameIdentifier>'
                  '</creator></creators>', tmp_path)
    assert xpaths(found) == ["creators/creator/creatorName[2]", "creators/creator/nameIdentifier[1]/@nameIdentifierScheme"]


# -- the lint and the schema -----------------------------------------------------------------


def test_an_unknown_part_key_is_a_lint_error_with_its_line(tmp_path: Path) -> None:
    override = tmp_path / "local.yaml"
    override.write_text("extends: datacite\nrules:\n  - name: title\n    match: datacite:titles/datacite:title\n"
                        "    to: titles\n    transform: lang_text\n    leaves_out:\n      - title/@titleTyp\n", encoding="utf-8")
    findings = [f for f in lint.check([override]) if f.code == "lint.unknown-part"]
    assert [(f.severity.value, f.where.file, f.where.line) for f in findings] == [("error", str(override), 8)]
    assert "title/@titleType" in findings[0].message  # did you mean


def test_a_malformed_part_key_or_condition_is_refused_with_its_line(tmp_path: Path) -> None:
    override = tmp_path / "local.yaml"
    override.write_text("extends: datacite\nrules:\n  - name: title\n    match: datacite:titles/datacite:title\n"
                        "    to: titles\n    transform: lang_text\n    leaves_out:\n      - title@titleType\n", encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        registry.compiled("datacite", (override,))
    assert caught.value.line == 8
    override.write_text("extends: datacite\nrules:\n  - name: title\n    match: datacite:titles/datacite:title\n"
                        "    to: titles\n    transform: lang_text\n    leaves_out:\n      - {part: title/@titleType, when: '@a = ('}\n",
                        encoding="utf-8")
    with pytest.raises(MappingError, match="bad leaves_out condition"):
        registry.compiled("datacite", (override,))


def test_the_schema_describes_leaves_out() -> None:
    from crisbridge.mapping.spec import json_schema

    schema = json.dumps(json_schema())
    assert "leaves_out" in schema and "PartSpec" in schema


# -- convert and roundtrip agree over the DataCite corpus --------------------------------------

# Parts roundtrip explains by no_place that convert reports under another code, because only the
# transform knows the condition: an organisation's affiliations (the transform tells an
# organisation from a person by its name's words) are map.not-mapped on the creator.
OTHER_CODE = {"creator/affiliation": "map.not-mapped"}


def _datacite_records(reference: Path) -> list[Any]:
    real = reference / "real-records"
    return [rec for rec in read_inputs([str(real)], "auto") if rec.format == "datacite" and rec.problem is None and not rec.deleted]


@pytest.fixture(scope="module")
def datacite_corpus(reference: Path) -> tuple[list[Any], dict[tuple[str, str | None], list[Issue]]]:
    records = _datacite_records(reference)
    converter = Converter()
    issues = {}
    for rec in records:
        result = converter.convert_record(rec)
        issues[(rec.source, rec.oai_identifier)] = list(result.issues)
    return records, issues


def _key(o: Any, path: str, no_place: dict[str, str]) -> str | None:
    """The no_place key roundtrip gave for a part, found as roundtrip finds it."""
    local = o.xpath.rsplit("/", 1)[-1].split("[")[0].split(":")[-1]
    steps = path.split("/")
    keys = [f"{local}/{path}", "/".join(steps[-2:]) if len(steps) > 1 else "", f"*/{steps[-1]}"]
    key = next((k for k in keys if k in no_place), None)
    return key if key is not None and f"no_place: {key})" in str(o.reason) else None


def test_convert_reports_every_part_roundtrip_finds_documented(datacite_corpus: Any) -> None:
    records, issues = datacite_corpus
    trip = RoundTrip()
    no_place = registry.compiled("datacite").no_place
    checked, missing = 0, []
    for rec in records:
        report = trip.record(rec)
        said = issues[(rec.source, rec.oai_identifier)]
        for o in report.outcomes:
            if o.outcome != "changed" or o.loss != "known" or "no_place:" not in str(o.reason) or not o.xpath:
                continue
            for shown in str(o.how).split("; "):
                path = shown.split(": ", 1)[0]
                key = _key(o, path, no_place)
                if key is None:
                    continue
                checked += 1
                code = OTHER_CODE.get(key, "map.part-not-mapped")
                last = path.rsplit("/", 1)[-1].replace("@lang", "@xml:lang")
                hits = [i for i in said if i.code == code and str(i.location.xpath).startswith(o.xpath)
                        and (code != "map.part-not-mapped" or re.sub(r"\[\d+\]", "", str(i.location.xpath)).endswith(last.replace("datacite:", "")))]
                if not hits:
                    missing.append(f"{rec.source}: {o.xpath} {path} ({key})")
    assert checked > 900, checked
    assert not missing, "\n".join(missing[:20]) + f"\n({len(missing)} in all)"


def test_every_part_convert_reports_is_one_the_mapping_does_not_read(datacite_corpus: Any) -> None:
    """The other way: each reported part, altered in the source (wholly and by its last
    character, as roundtrip tests what a rule reads) or taken away, changes nothing the mapping
    makes of its element as it stands: what the part says is not in the output."""
    records, issues = datacite_corpus
    mapping = registry.compiled("datacite")
    reported = 0
    wrong = []
    for rec in records:
        said = [i for i in issues[(rec.source, rec.oai_identifier)] if i.code == "map.part-not-mapped"]
        if not said:
            continue
        root = rec.payload
        ns = {"datacite": etree.QName(root).namespace or "", "xml": XML}
        items = {i.xpath: i for i in trace(mapping, root, rec.source, rec.oai_identifier)}
        for issue in said:
            reported += 1
            xpath = str(issue.location.xpath)
            item = next((items[x] for x in sorted(items, key=len, reverse=True) if xpath.startswith(x + "/")), None)
            assert item is not None, xpath
            # the issue's XPath starts at the record's root, which may sit in an OAI-PMH envelope
            holder_path, _, last = ("./" + xpath.split("/", 2)[2]).rpartition("/")
            if last.startswith("@"):
                (holder,) = root.xpath(holder_path, namespaces=ns)
                attr = f"{{{XML}}}{last[5:]}" if last.startswith("@xml:") else last[1:]
                changes = [[(holder, attr, alter(holder.get(attr)))] for alter in (_altered, _nudged)]
            elif last == "text()":
                (holder,) = root.xpath(holder_path, namespaces=ns)
                changes = [[(holder, None, alter(holder.text))] for alter in (_altered, _nudged)]
            else:
                (child,) = root.xpath(f"{holder_path}/{last}", namespaces=ns)
                changes = [[(child, "", None)]]
            # altered wholly, by its last character, or taken away, as the element stands
            if any(_read_with(item, change) != item.norm for change in changes):
                wrong.append(f"{rec.source}: {xpath}")
    assert reported > 900, reported
    assert not wrong, "\n".join(wrong[:20])
