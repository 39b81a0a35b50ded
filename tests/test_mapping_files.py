"""Mapping files: a broken one is refused before any record is read, naming the file, the
line and the reason; an override file changes what a real record becomes; the command line
checks files and prints the format's JSON Schema.

Every broken file here is an override of the shipped oai_dc mapping with two sound rules
before the broken one, so the line reported has to be the broken rule's own line in the
override file, not a line of the shipped mapping.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from crisbridge.errors import ConfigurationError, MappingError
from crisbridge.mapping import registry
from crisbridge.pipeline import Converter

CERIF = "https://www.openaire.eu/cerif-profile/1.2/"
PUBLICATION_TYPES = "https://www.openaire.eu/cerif-profile/vocab/COAR_Publication_Types"
DLIBRA_ABSTRACT = "real-records/openaire-dnet-hadoop/records/oai_dc/oai_lib.psnc.pl_22.xml"  # dc:type "abstrakt"

HEAD = """\
# a local override
extends: oai_dc
rules:
  - name: local-title
    match: dc:title
    to: titles
    transform: lang_text
  - name: local-language
    match: dc:language
    to: languages
    transform: language
"""

# name -> (file text, line, words the reason must hold)
BROKEN: dict[str, tuple[str, int, str]] = {
    # an unclosed flow sequence: the parser notices on the next line
    "bad-yaml": (HEAD + "  - name: broken\n    match: [dc:title\n    to: titles\n", 14, "not valid YAML"),
    "unknown-key-in-rule": (HEAD + "  - name: broken\n    match: dc:title\n    to: titles\n    transfrom: text\n", 15, "transfrom"),
    "unknown-top-level-key": (HEAD + "tabels:\n  resource_types: {}\n", 12, "tabels"),
    "loader-field-given-by-hand": (HEAD + "  - name: broken\n    match: dc:title\n    to: titles\n    line: 3\n", 15, "line"),
    "unknown-transform": (HEAD + "  - name: broken\n    match: dc:title\n    to: titles\n    transform: titlecase\n", 15, "unknown transform 'titlecase'"),
    "unknown-table": (HEAD + "  - name: broken\n    match: dc:type\n    to: type\n    transform: lookup\n    table: local_types\n", 16, "unknown table 'local_types'"),
    "unknown-target-field": (HEAD + "  - name: broken\n    match: dc:title\n    to: headline\n", 14, "unknown target field"),
    "bad-xpath-syntax": (HEAD + "  - name: broken\n    match: \"dc:identifier[starts-with(., 'x'\"\n    to: url\n", 13, "bad XPath"),
    "xpath-with-undeclared-prefix": (HEAD + "  - name: broken\n    match: \"dcterms:abstract/text()\"\n    to: abstracts\n", 13, "bad XPath"),
    "xpath-with-unknown-function": (HEAD + "  - name: broken\n    match: \"dc:title[lower-case(.) = 'x']\"\n    to: titles\n", 13, "unknown function lower-case()"),
    "xpath-with-undeclared-prefix-in-a-predicate": (HEAD + "  - name: broken\n    match: \"dc:title[@xml:lang='en' or dcterms:x]\"\n    to: titles\n", 13, "prefix 'dcterms'"),
    "undeclared-prefix-step": (HEAD + "  - name: broken\n    match: dcterms:abstract\n    to: abstracts\n", 13, "prefix 'dcterms'"),
    "bad-when-regex": (HEAD + "  - name: broken\n    match: dc:title\n    to: titles\n    when: \"([A-Z]\"\n", 15, "bad regular expression '([A-Z]': missing ),"),
    "bad-citation-pattern": (HEAD + "  - name: broken\n    match: dc:source\n    to: [volume]\n    transform: citation\n    options:\n      patterns: [\"(?P<volume>\\\\d+\"]\n", 17, "bad regular expression '(?P<volume>\\\\d+'"),
    # errors name the key at fault, not the rule's first line: here the second rewrite's pattern
    "bad-rewrite-pattern": (HEAD + "  - name: broken\n    match: dc:identifier\n    to: [handle]\n    transform: identifier\n"
                            "    options:\n      rewrite:\n        - {pattern: '^hdl:', replace: ''}\n"
                            "        - pattern: '^(https?://repo/'\n          replace: 'hdl:'\n", 19, "bad regular expression '^(https?://repo/'"),
    "duplicate-key": (HEAD + "  - name: broken\n    match: dc:title\n    to: titles\n    to: abstracts\n", 15, "appears twice"),
    "extends-unknown-mapping": ("extends: marc21\nrules: []\n", 1, "unknown mapping 'marc21'"),
    "extends-nothing": ("rules:\n  - match: dc:title\n    to: titles\n", 1, "extends"),
    "not-a-mapping": ("- extends: oai_dc\n", 1, "YAML mapping"),
    "empty": ("", 1, "empty"),
    # a misspelt table name: its rows would never be read
    "table-read-by-no-rule": (HEAD + "tables:\n  resource_typs:\n    artigo: http://purl.org/coar/resource_type/c_6501\n", 13, "'resource_typs' is read by no rule"),
}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_mapping_is_refused_with_file_line_and_reason(case: str, tmp_path: Path) -> None:
    text, line, reason = BROKEN[case]
    path = _write(tmp_path, case, text)
    with pytest.raises(MappingError) as caught:
        Converter(mapping_files=[path])
    exc = caught.value
    assert exc.file == str(path), f"the error names {exc.file}, not the broken file"
    assert exc.line == line, f"{exc}: line {exc.line}, expected {line}"
    assert reason in exc.reason, exc.reason
    assert str(exc).startswith(f"{path}:{line}: ")
    assert isinstance(exc, ConfigurationError)


def test_the_sound_head_of_those_files_is_itself_accepted(tmp_path: Path) -> None:
    registry.check_overrides((_write(tmp_path, "head", HEAD),))


def test_an_unknown_transform_lists_the_known_ones(tmp_path: Path) -> None:
    path = _write(tmp_path, "t", BROKEN["unknown-transform"][0])
    with pytest.raises(MappingError, match="known transforms: .*lang_text"):
        registry.check_overrides((path,))


def test_an_unreadable_mapping_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="cannot be read") as caught:
        Converter(mapping_files=[tmp_path / "missing.yaml"])
    assert caught.value.file == str(tmp_path / "missing.yaml")


# -- an override changes what a real record becomes ---------------------------------------

OVERRIDE = """\
# dLibra (PSNC) types its records in Polish
extends: oai_dc
tables:
  resource_types:
    abstrakt: http://purl.org/coar/resource_type/c_5794
"""


def _type_of(xml: bytes) -> tuple[str, str | None]:
    """(entity element, its Type): the Type element's namespace differs per entity kind."""
    entity = etree.fromstring(xml)
    types = [c.text for c in entity if etree.QName(c).localname == "Type"]
    return etree.QName(entity).localname, types[0] if types else None


def test_an_override_table_row_changes_the_type_of_a_real_record(reference: Path, tmp_path: Path) -> None:
    record = reference / DLIBRA_ABSTRACT
    plain = Converter().convert_one(record)
    # the Polish word is unknown: "other", which the profile lists as a Product type
    assert _type_of(plain.xml) == ("Product", "http://purl.org/coar/resource_type/c_1843")
    assert any(i.code == "map.no-type" for i in plain.issues)
    assert any(i.code == "map.not-mapped" and i.location.value == "abstrakt" for i in plain.issues)

    override = _write(tmp_path, "dlibra", OVERRIDE)
    local = Converter(mapping_files=[override]).convert_one(record)
    assert local.status.value == "converted"
    assert _type_of(local.xml) == ("Publication", "http://purl.org/coar/resource_type/c_5794")
    assert not any(i.code == "map.no-type" for i in local.issues)
    assert not any(i.location.value == "abstrakt" for i in local.issues)
    # the same source record: the id keeps its key and changes its collection
    assert plain.entities[0].id.startswith("Products/")
    assert local.entities[0].id == "Publications/" + plain.entities[0].id.split("/", 1)[1]

    # and the override is not left behind for converters that did not ask for it
    assert _type_of(Converter().convert_one(record).xml) == ("Product", "http://purl.org/coar/resource_type/c_1843")


def test_an_override_rule_with_a_shipped_rules_name_replaces_it(reference: Path, tmp_path: Path) -> None:
    # the shipped "title" rule reads dc:title; replaced by one that keeps no titles, the
    # record has no title left and fails with the reason that says so
    override = _write(tmp_path, "no-title", "extends: oai_dc\nrules:\n  - name: title\n    match: dc:title\n    to: titles\n    when: '^NEVER$'\n")
    result = Converter(mapping_files=[override]).convert_one(reference / DLIBRA_ABSTRACT)
    assert result.status.value == "failed"
    assert [i.code for i in result.issues if i.severity.value == "error"] == ["map.no-title"]


def test_an_override_is_applied_on_the_command_line(reference: Path, tmp_path: Path) -> None:
    override = _write(tmp_path, "dlibra", OVERRIDE)
    out = tmp_path / "out.xml"
    run = _cli("convert", str(reference / DLIBRA_ABSTRACT), "--mapping", str(override), "-o", str(out))
    assert run.returncode == 0, run.stderr
    types = etree.parse(str(out)).findall(f".//{{{PUBLICATION_TYPES}}}Type")
    assert [t.text for t in types] == ["http://purl.org/coar/resource_type/c_5794"]


# -- the command line ---------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crisbridge", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", ["bad-yaml", "unknown-transform", "unknown-target-field", "xpath-with-undeclared-prefix", "bad-when-regex"])
def test_mappings_check_exits_2_on_a_broken_file(case: str, tmp_path: Path) -> None:
    text, line, reason = BROKEN[case]
    path = _write(tmp_path, case, text)
    run = _cli("mappings", "check", str(path))
    assert run.returncode == 2, run
    assert f"{path}:{line}: " in run.stderr
    assert reason in run.stderr
    assert "Traceback" not in run.stderr


def test_mappings_check_exits_0_on_good_files(tmp_path: Path) -> None:
    good = [_write(tmp_path, "dlibra", OVERRIDE), _write(tmp_path, "head", HEAD)]
    run = _cli("mappings", "check", *map(str, good))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == [f"{p}: ok" for p in good]


def test_mappings_check_accepts_the_shipped_mappings() -> None:
    shipped = [registry.mappings_dir() / rel for rel in registry.SHIPPED.values()]
    run = _cli("mappings", "check", *map(str, shipped))
    assert run.returncode == 0, run.stderr


def test_a_broken_mapping_stops_convert_with_exit_2_before_any_output(reference: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "broken", BROKEN["unknown-table"][0])
    out = tmp_path / "out.xml"
    run = _cli("convert", str(reference / DLIBRA_ABSTRACT), "--mapping", str(path), "-o", str(out))
    assert run.returncode == 2
    assert f"{path}:{BROKEN['unknown-table'][1]}: unknown table 'local_types'" in run.stderr  # the table: line
    assert not out.exists()


def test_mappings_schema_prints_the_json_schema_of_the_format() -> None:
    run = _cli("mappings", "schema")
    assert run.returncode == 0, run.stderr
    schema: dict[str, Any] = json.loads(run.stdout)
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert {"extends", "format", "namespaces", "rules", "tables", "no_place", "source_id"} <= set(schema["properties"])
    rule = schema["$defs"]["RuleSpec"]
    assert rule["additionalProperties"] is False
    assert set(rule["required"]) == {"match", "to"}
    assert {"name", "match", "to", "transform", "table", "when", "options", "note", "leaves_out"} == set(rule["properties"])
    assert all("description" in rule["properties"][k] for k in ("match", "to", "transform"))
    # what the loader fills in is not part of the format an editor should offer
    assert "file" not in schema["properties"]


def test_every_shipped_mapping_file_keeps_to_the_schema_printed() -> None:
    # the printed schema describes the files that ship: every top-level key and rule key they
    # use is a property the schema declares
    schema = json.loads(_cli("mappings", "schema").stdout)
    import yaml

    for rel in registry.SHIPPED.values():
        data = yaml.safe_load((registry.mappings_dir() / rel).read_text(encoding="utf-8"))
        assert set(data) <= set(schema["properties"]), rel
        for rule in data.get("rules", []):
            assert set(rule) <= set(schema["$defs"]["RuleSpec"]["properties"]), (rel, rule)
