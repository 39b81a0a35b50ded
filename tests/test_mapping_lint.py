"""`crisbridge mappings check` beyond the schema (crisbridge/mapping/lint.py): rules that can
never match and fields written twice, each proven on a small override file that triggers it,
with the file, line, rule and reason it must name; and the shipped mappings check clean."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from crisbridge.issues import Severity
from crisbridge.mapping import lint, registry, transforms
from crisbridge.mapping.transforms import TableUse

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# name -> (override file text, code, severity, the rule it is about, words the message holds)
CASES: dict[str, tuple[str, str, Severity, str, str]] = {
    "step-without-prefix": (
        "extends: oai_dc\nrules:\n  - name: bare\n    match: title\n    to: titles\n",
        "lint.no-namespace", ERROR, "bare", "did you mean dc:title?",
    ),
    "misspelt-element": (
        "extends: oai_dc\nrules:\n  - name: titel\n    match: dc:titel\n    to: titles\n",
        "lint.unknown-element", ERROR, "titel", "no element 'titel' in http://purl.org/dc/elements/1.1/ (did you mean title?)",
    ),
    "misspelt-element-in-a-predicate": (
        "extends: datacite\nrules:\n  - name: titled\n    match: \"datacite:titles/datacite:title[../datacite:titel]\"\n    to: titles\n",
        "lint.unknown-element", ERROR, "titled", "no element 'titel'",
    ),
    "misspelt-attribute": (
        "extends: datacite\nrules:\n  - name: sub\n    match: \"datacite:titles/datacite:title[@titletype='Subtitle']\"\n    to: subtitles\n    transform: lang_text\n",
        "lint.unknown-attribute", ERROR, "sub", "@titletype: no element of the datacite schemas has this attribute (did you mean titleType?)",
    ),
    "prefixed-attribute": (
        "extends: datacite\nrules:\n  - name: sub\n    match: \"datacite:titles/datacite:title[@datacite:titleType='Subtitle']\"\n    to: subtitles\n",
        "lint.unknown-attribute", ERROR, "sub", "have no namespace; write @titleType",
    ),
    "namespace-the-format-does-not-use": (
        "extends: oai_dc\nnamespaces:\n  dcterms: http://purl.org/dc/terms/\nrules:\n  - name: abstract\n    match: dcterms:abstract\n    to: abstracts\n",
        "lint.foreign-namespace", WARNING, "abstract", "a namespace the oai_dc schemas do not use",
    ),
    "lookup-without-a-table": (
        "extends: oai_dc\nrules:\n  - name: local-type\n    match: dc:type\n    to: type\n    transform: lookup\n",
        "lint.table-missing", ERROR, "local-type", "transform 'lookup' looks values up in the rule's table and is given no table",
    ),
    "lookup-in-an-empty-table": (
        "extends: oai_dc\ntables:\n  local_types: {}\nrules:\n  - name: local-type\n    match: dc:type\n    to: type\n    transform: lookup\n    table: local_types\n",
        "lint.table-missing", ERROR, "local-type", "is given table 'local_types', which has no rows",
    ),
    "when-no-key-satisfies": (
        ("extends: oai_dc\ntables:\n  local_types:\n    artigo: http://purl.org/coar/resource_type/c_6501\n"
         "rules:\n  - name: local-type\n    match: dc:type\n    when: '^info:eu-repo/'\n    to: type\n    transform: lookup\n    table: local_types\n"),
        "lint.when-matches-no-key", ERROR, "local-type", "when '^info:eu-repo/' admits no key of table 'local_types'",
    ),
    "table-the-transform-never-reads": (
        "extends: oai_dc\nrules:\n  - name: lang\n    match: dc:language\n    to: languages\n    transform: language\n    table: languages\n",
        "lint.table-unused", WARNING, "lang", "transform 'language' does not read the rule's table, so table 'languages' is not used",
    ),
    "after-a-rule-that-ends-the-group": (
        ("extends: oai_dc\nrules:\n  - name: coverage-lost\n    match: dc:coverage\n    to: coverage\n    transform: known_loss\n"
         "  - name: coverage-keyword\n    match: dc:coverage\n    to: keywords\n    transform: lang_text\n"),
        "lint.unreachable", ERROR, "coverage-keyword", "never runs: {file}:3 (rule 'coverage-lost') has the same match, no `when`, and transform 'known_loss' ends every element",
    ),
    "after-a-rule-that-always-takes-the-field": (
        ("extends: oai_dc\nrules:\n  - name: any-edition\n    match: dc:coverage\n    to: edition\n"
         "  - name: numeric-edition\n    match: dc:coverage\n    when: '^[0-9]+$'\n    to: edition\n"),
        "lint.shadowed", ERROR, "numeric-edition", "its values are always refused: {file}:3 (rule 'any-edition') has the same match, no `when`, and writes edition first",
    ),
    "unknown-preference": (
        "extends: oai_dc\nrules:\n  - name: coverage-edition\n    match: dc:coverage\n    to: edition\n    options: {prefer: latest}\n",
        "lint.unknown-preference", ERROR, "coverage-edition", "options.prefer 'latest' is not one the engine knows (first, earliest)",
    ),
    "one-name-twice": (
        ("extends: oai_dc\nrules:\n  - name: local\n    match: dc:coverage\n    to: keywords\n    transform: lang_text\n"
         "  - name: local\n    match: dc:source\n    to: keywords\n    transform: lang_text\n"),
        "lint.duplicate-name", WARNING, "local", "the name is used before in this file ({file}:3 (rule 'local'))",
    ),
    "single-field-written-twice": (
        "extends: oai_dc\nrules:\n  - name: coverage-date\n    match: dc:coverage\n    to: publication_date\n    transform: date\n",
        "lint.written-twice", WARNING, "coverage-date", "writes publication_date (one value each), as {shipped}:{date_line} (rule 'date') does, and both can apply to one record: the first value the record gives is kept",
    ),
    "written-twice-with-different-preferences": (
        "extends: oai_dc\nrules:\n  - name: coverage-date\n    match: dc:coverage\n    to: publication_date\n    transform: date\n    options: {prefer: first}\n",
        "lint.written-twice", WARNING, "coverage-date", "they state different preferences ('earliest', 'first')",
    ),
}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, rule: str, nth: int = -1) -> int:
    """The line of a rule's `- name:` item (the last one of that name unless told)."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if line.strip() == f"- name: {rule}"]
    return lines[nth]


def _key_line(text: str, rule: str, code: str) -> int:
    """The line a finding of ``code`` about ``rule`` names: its key's (``match:`` for a name the
    format lacks, ``when:``, ``transform:``...), or the rule's own for findings about the whole rule."""
    start = _line_of(text, rule)
    key = lint._KEY_OF.get(code)
    if key is None:
        return start
    lines = text.splitlines()
    return next((i for i in range(start, len(lines) + 1) if lines[i - 1].strip().startswith(f"{key[0]}:")), start)


def _shipped_line(fmt: str, rule: str) -> int:
    path = registry.mappings_dir() / registry.SHIPPED[fmt]
    return _line_of(path.read_text(encoding="utf-8"), rule, 0)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_check_names_the_file_line_rule_and_reason(case: str, tmp_path: Path) -> None:
    text, code, severity, rule, words = CASES[case]
    path = _write(tmp_path, case, text)
    findings = lint.check([path])
    assert [f.code for f in findings] == [code], "\n".join(map(str, findings))
    found = findings[0]
    assert found.severity is severity
    assert found.where.file == str(path), "the finding names the override file, not the mapping it extends"
    assert found.where.line == _key_line(text, rule, code)
    assert found.where.rule == rule
    shipped = registry.mappings_dir() / registry.SHIPPED["oai_dc"]
    expected = words.format(file=path, shipped=shipped, date_line=_shipped_line("oai_dc", "date"))
    assert expected in found.message, found.message
    assert str(found).startswith(f"{path}:{found.where.line}: {severity.value}: rule {rule!r}: ")
    assert str(found).endswith(f"[{code}]")


def test_a_pair_names_the_other_rule_with_its_own_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "pair", CASES["single-field-written-twice"][0])
    (found,) = lint.check([path])
    assert found.other is not None
    assert found.other.file == str(registry.mappings_dir() / "oai_dc.yaml")
    assert (found.other.line, found.other.rule) == (_shipped_line("oai_dc", "date"), "date")


def test_sound_variants_of_the_cases_check_clean(tmp_path: Path) -> None:
    sound = {
        # a `when` that a key satisfies ignoring case: "Artigo" is looked up as "artigo"
        # (stating, as the shipped type rules do, that the first type found is kept)
        "when-a-key-satisfies": CASES["when-no-key-satisfies"][0].replace("'^info:eu-repo/'", "'^Artigo'") + "    options: {prefer: first}\n",
        # the same pair, both rules stating the same preference
        "both-earliest": CASES["written-twice-with-different-preferences"][0].replace("prefer: first", "prefer: earliest"),
        # a rule after a known_loss that only some values reach
        "loss-with-when": CASES["after-a-rule-that-ends-the-group"][0].replace(
            "    transform: known_loss\n", "    transform: known_loss\n    when: '^-'\n"
        ),
        # a later rule that writes a list field beside the earlier one's single field
        "list-after-value": CASES["after-a-rule-that-always-takes-the-field"][0].replace("when: '^[0-9]+$'\n    to: edition", "to: keywords\n    transform: lang_text"),
        "datacite-names": "extends: datacite\nrules:\n  - name: sub\n    match: \"datacite:titles/datacite:title[@titleType='Subtitle' and @xml:lang='en']\"\n    to: subtitles\n    transform: lang_text\n",
    }
    for name, text in sound.items():
        findings = lint.check([_write(tmp_path, name, text)])
        assert findings == [], f"{name}: " + "\n".join(map(str, findings))


@pytest.mark.parametrize("fmt", sorted(registry.SHIPPED))
def test_every_shipped_mapping_checks_clean(fmt: str) -> None:
    findings = lint.check([registry.mappings_dir() / registry.SHIPPED[fmt]])
    assert findings == [], "\n".join(map(str, findings))


def test_the_command_checks_every_shipped_mapping_clean() -> None:
    from crisbridge.writers.repository import SHIPPED_OUT

    shipped = [registry.mappings_dir() / rel for rel in [*registry.SHIPPED.values(), *SHIPPED_OUT.values()]]
    run = _cli("mappings", "check", *map(str, shipped))
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.splitlines() == [f"{p}: ok" for p in shipped]


# -- the command line: errors exit 2, warnings are shown and exit 0 --------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crisbridge", *args], check=False, capture_output=True, text=True, timeout=120)


def test_mappings_check_exits_2_on_a_rule_that_can_never_match(tmp_path: Path) -> None:
    text = CASES["misspelt-element"][0]
    path = _write(tmp_path, "titel", text)
    run = _cli("mappings", "check", str(path))
    assert run.returncode == 2, run
    assert f"{path}:4: error: rule 'titel': dc:titel: " in run.stderr  # line 4: match:
    assert "[lint.unknown-element]" in run.stderr
    assert run.stdout.splitlines() == [f"{path}: 1 error"]


def test_mappings_check_shows_warnings_and_exits_0(tmp_path: Path) -> None:
    path = _write(tmp_path, "twice", CASES["single-field-written-twice"][0])
    run = _cli("mappings", "check", str(path))
    assert run.returncode == 0, run.stderr
    assert f"{path}:3: warning: rule 'coverage-date': writes publication_date" in run.stderr
    assert run.stdout.splitlines() == [f"{path}: ok, 1 warning"]


# -- the facts the checks rest on -------------------------------------------------------------


def test_the_table_use_each_transform_declares_is_what_its_code_does() -> None:
    # a transform reads the rule's own table as `rule.table` (the shared ones as `rule.tables`)
    reads = re.compile(r"\brule\.table\b(?!s)")
    for name, fn in transforms.TRANSFORMS.items():
        declared = transforms.FACTS[name].table is not TableUse.NONE
        assert bool(reads.search(inspect.getsource(fn))) == declared, name


def test_the_guide_documents_every_check() -> None:
    guide = (Path(__file__).resolve().parent.parent / "docs" / "mapping-guide.md").read_text(encoding="utf-8")
    codes = set(re.findall(r"``(lint\.[a-z-]+)``", lint.__doc__ or ""))
    assert codes >= {case[1] for case in CASES.values()}
    missing = sorted(code for code in codes if f"`{code}`" not in guide)
    assert not missing, missing


@pytest.mark.parametrize(
    ("path", "tests"),
    [
        ("dc:title", [("element", "dc", "title")]),
        ("datacite:titles/datacite:title[@titleType='Sub and div']", [("element", "datacite", "titles"), ("element", "datacite", "title"), ("attribute", None, "titleType")]),
        ("dc:identifier[starts-with(normalize-space(.), 'doi:') or contains(., 'x')]", [("element", "dc", "identifier")]),
        (".//datacite:date[not(@dateType='Issued')]", [("element", "datacite", "date"), ("attribute", None, "dateType")]),
        ("(a:x | a:y)[@t and @u]", [("element", "a", "x"), ("element", "a", "y"), ("attribute", None, "t"), ("attribute", None, "u")]),
        ("child::a:x/attribute::b | a:*", [("element", "a", "x"), ("attribute", None, "b"), ("element", "a", "*")]),
        ("a:x[position() mod 2 = 1]/text()", [("element", "a", "x")]),
        ("a:x[@xml:lang='en'][. = $v]", [("element", "a", "x"), ("attribute", "xml", "lang")]),
        ("a:x[2 * 3 > 1]", [("element", "a", "x")]),
    ],
)
def test_the_name_tests_of_an_xpath(path: str, tests: list[tuple[str, str | None, str]]) -> None:
    assert [(t.kind, t.prefix, t.local) for t in lint.name_tests(path)] == tests


def test_the_names_table_is_what_the_generator_makes_of_the_xsds(reference: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    try:
        import generate_vocabularies
    finally:
        sys.path.pop(0)
    out = tmp_path / "names.yaml"
    generate_vocabularies.source_names(reference, out)
    shipped = registry.mappings_dir() / lint.NAMES_FILE
    assert out.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8"), "run tools/generate_vocabularies.py"


# -- what the shipped mappings now state ------------------------------------------------------


def test_an_openaire_records_own_identifier_wins_over_an_alternate(tmp_path: Path) -> None:
    # oai_openaire.yaml reads datacite:identifier before datacite:alternateIdentifier (XPath
    # rules run in the order written), as datacite.yaml does
    from crisbridge.pipeline import Converter

    record = tmp_path / "record.xml"
    record.write_text(
        '<oaire:resource xmlns:oaire="http://namespace.openaire.eu/schema/oaire/" xmlns:datacite="http://datacite.org/schema/kernel-4">'
        "<datacite:titles><datacite:title>T</datacite:title></datacite:titles>"
        '<datacite:alternateIdentifiers><datacite:alternateIdentifier alternateIdentifierType="DOI">10.1234/alternate</datacite:alternateIdentifier></datacite:alternateIdentifiers>'
        '<datacite:identifier identifierType="DOI">10.1234/own</datacite:identifier>'
        '<oaire:resourceType resourceTypeGeneral="literature" uri="http://purl.org/coar/resource_type/c_6501">journal article</oaire:resourceType>'
        "</oaire:resource>",
        encoding="utf-8",
    )
    result = Converter().convert_one(record)
    assert b"<DOI>10.1234/own</DOI>" in result.xml
    assert [i.location.value for i in result.issues if i.code == "map.extra-value"] == ["10.1234/alternate"]
