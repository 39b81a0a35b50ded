"""The SHACL shapes in shapes/, against the examples in tests/shapes/.

Every example is a Turtle file in a folder of tests/shapes/ (one folder per shape file), found by
walking the folders: adding a case means adding a file.

- ``ok-*.ttl`` conforms: validating it reports nothing, not even a warning.
- ``bad-*.ttl`` lists, in comment lines, exactly the results it must report, one per line:

      # expect: <severity> <code> <focus node> <path or -> <constraint component> <source shape>

  with prefixed names from the file's own prefixes (``sh:`` and ``cbsh:`` are always known) or
  full IRIs in angle brackets. A longer path is written in SPARQL syntax with prefixed names:
  ``cb:PersonName/(a:b|a:c)``.

Every shape that holds a constraint must be reported by some bad example and exercised (a focus
node with a value) by some ok example. The examples run on every installed SHACL engine
(``ENGINES``): the engines must agree on each.
"""

from __future__ import annotations

import importlib.util
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF
from rdflib.paths import AlternativePath, Path as RdfPath, SequencePath

from crisbridge.errors import ConfigurationError
from crisbridge.issues import Severity
from crisbridge.validation.shacl import (
    CBSH,
    ENGINES,
    SH,
    ShaclValidator,
    component_code,
    path_text,
    shapes_dir,
    shapes_graph,
)

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "shapes"
CASE_FILES = sorted(CASES.rglob("*.ttl"))
DEFAULT_PREFIXES = {"sh": str(SH), "cbsh": str(CBSH)}
EXPECT = re.compile(r"^#\s*expect:\s*(.*)$")
CURIE = re.compile(r"(?<![<\w])([A-Za-z][\w-]*):([^\s/|()<>*+?^]+)")

# SHACL core parameters that make a shape a constraint (SHACL 4), sh:sparql (5), and the
# parameters of the SPARQL-based components that the shapes declare themselves (6).
CORE_PARAMETERS = {
    SH[name]
    for name in (
        "class datatype nodeKind minCount maxCount minExclusive minInclusive maxExclusive maxInclusive "
        "minLength maxLength pattern languageIn uniqueLang equals disjoint lessThan lessThanOrEquals "
        "not and or xone node qualifiedValueShape closed hasValue in sparql"
    ).split()
}


def _engines() -> list[Any]:
    """Every engine; one that is not installed is skipped, except pySHACL, the dependency."""
    return [
        pytest.param(name, id=name, marks=() if name == "pyshacl" or importlib.util.find_spec(name.replace("-", "_"))
                     else pytest.mark.skip(reason=f"{name} is not installed"))
        for name in ENGINES
    ]


@pytest.fixture(scope="module", params=_engines())
def validator(request: pytest.FixtureRequest) -> ShaclValidator:
    return ShaclValidator(engine=request.param)


def _case_id(path: Path) -> str:
    return str(path.relative_to(CASES))


def _prefixes(data: Graph) -> dict[str, str]:
    known = dict(DEFAULT_PREFIXES)
    known.update({prefix: str(ns) for prefix, ns in data.namespaces()})
    return known


def _expand(token: str, prefixes: dict[str, str]) -> str:
    """A prefixed name as its IRI; inside a longer path, every prefixed name as <IRI>."""

    def iri(match: re.Match[str]) -> str:
        prefix, local = match.groups()
        if prefix not in prefixes:
            raise AssertionError(f"unknown prefix {prefix!r} in {token!r}")
        return prefixes[prefix] + local

    if token.startswith("<") and token.endswith(">"):
        return token[1:-1]
    if CURIE.fullmatch(token):
        return iri(CURIE.fullmatch(token))  # type: ignore[arg-type]
    return CURIE.sub(lambda m: f"<{iri(m)}>", token)


def _expected(path: Path, data: Graph) -> Counter[tuple[str, ...]]:
    prefixes = _prefixes(data)
    rows: Counter[tuple[str, ...]] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = EXPECT.match(line.strip())
        if not match:
            continue
        fields = match.group(1).split()
        assert len(fields) == 6, f"{path.name}: an expect line has six fields: {line!r}"
        severity, code, focus, result_path, component, shape = fields
        rows[
            (
                severity,
                code,
                _expand(focus, prefixes),
                "-" if result_path == "-" else _expand(result_path, prefixes),
                _expand(component, prefixes),
                _expand(shape, prefixes),
            )
        ] += 1
    return rows


def _actual(validator: ShaclValidator, data: Graph) -> Counter[tuple[str, ...]]:
    rows: Counter[tuple[str, ...]] = Counter()
    for result in validator.results(data):
        issue = result.issue()
        rows[
            (
                issue.severity.value,
                issue.code,
                issue.location.focus_node or "",
                issue.location.path or "-",
                str(result.component),
                issue.location.shape or "",
            )
        ] += 1
    return rows


def _describe(rows: Counter[tuple[str, ...]]) -> str:
    lines = ("  " + " ".join(row) + (f"  (x{n})" if n > 1 else "") for row, n in sorted(rows.items()))
    return "\n".join(lines) or "  (nothing)"


@pytest.mark.parametrize("case", CASE_FILES, ids=_case_id)
def test_case(case: Path, validator: ShaclValidator) -> None:
    assert case.name.startswith(("ok-", "bad-")), f"{case.name}: a case is ok-*.ttl or bad-*.ttl"
    data = Graph().parse(case, format="turtle")
    expected = _expected(case, data)
    if case.name.startswith("ok-"):
        assert not expected, f"{case.name}: an ok case expects nothing"
    else:
        assert expected, f"{case.name}: a bad case lists the results it expects"
    actual = _actual(validator, data)
    assert actual == expected, (
        f"{_case_id(case)}\nexpected:\n{_describe(expected)}\nreported:\n{_describe(actual)}\n"
        f"missing:\n{_describe(expected - actual)}\nunexpected:\n{_describe(actual - expected)}"
    )


# --- Every shape has a violating and a conforming example -------------------------------------


def _constraint_parameters(shapes: Graph) -> set[URIRef]:
    custom = {
        p
        for c in shapes.subjects(RDF.type, SH.ConstraintComponent)
        for p in shapes.objects(shapes.value(c, SH.parameter), SH.path)
    }
    return CORE_PARAMETERS | {p for p in custom if isinstance(p, URIRef)}


TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def _constraint_shapes(shapes: Graph) -> set[URIRef]:
    """Named shapes that hold a constraint and can report a result themselves: those with targets
    or reached through sh:property. (A shape used only inside sh:not, cbsh:Bare, is tested through
    the shapes that use it.)"""
    parameters = _constraint_parameters(shapes)
    found = set()
    for subject, predicate in shapes.subject_predicates():
        if predicate in parameters and isinstance(subject, URIRef) and subject.startswith(str(CBSH)):
            reachable = any((subject, t, None) in shapes for t in TARGETS) or (None, SH.property, subject) in shapes
            if reachable:
                found.add(subject)
    return found


def _rdflib_path(shapes: Graph, path: object) -> URIRef | RdfPath:
    if isinstance(path, URIRef):
        return path
    assert isinstance(path, BNode)
    if (path, RDF.first, None) in shapes:
        return SequencePath(*[_rdflib_path(shapes, step) for step in shapes.items(path)])
    alternatives = shapes.value(path, SH.alternativePath)
    assert alternatives is not None, "the test knows sequence and alternative paths only"
    return AlternativePath(*[_rdflib_path(shapes, step) for step in shapes.items(alternatives)])


def _focus_nodes(shapes: Graph, shape: URIRef, data: Graph) -> set[object]:
    focus: set[object] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        focus.update(data.subjects(RDF.type, cls))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        focus.update(data.subjects(prop, None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        focus.update(data.objects(None, prop))
    focus.update(shapes.objects(shape, SH.targetNode))
    for parent in shapes.subjects(SH.property, shape):
        focus.update(_focus_nodes(shapes, parent, data))  # type: ignore[arg-type]
    for holder in shapes.subjects(SH.node, shape):  # a property shape whose values must conform
        holder_path = shapes.value(holder, SH.path)
        for node in _focus_nodes(shapes, holder, data):  # type: ignore[arg-type]
            focus.update(data.objects(node, _rdflib_path(shapes, holder_path)))  # type: ignore[arg-type]
    return focus


def _exercised(shapes: Graph, shape: URIRef, data: Graph) -> bool:
    focus = _focus_nodes(shapes, shape, data)
    path = shapes.value(shape, SH.path)
    if path is None or str(shapes.value(shape, SH.maxCount)) == "0":  # nothing to have a value for
        return bool(focus)
    steps = _rdflib_path(shapes, path)
    return any(next(iter(data.objects(node, steps)), None) is not None for node in focus)  # type: ignore[arg-type]


def test_every_shape_has_a_violating_example() -> None:
    shapes = shapes_graph(shapes_dir())
    reported: set[str] = set()
    for case in CASE_FILES:
        if case.name.startswith("bad-"):
            data = Graph().parse(case, format="turtle")
            reported.update(row[5] for row in _expected(case, data))
    missing = sorted(str(s) for s in _constraint_shapes(shapes) if str(s) not in reported)
    assert not missing, "shapes no bad-*.ttl example reports:\n" + "\n".join(missing)


def test_every_shape_has_a_conforming_example() -> None:
    shapes = shapes_graph(shapes_dir())
    remaining = _constraint_shapes(shapes)
    for case in CASE_FILES:
        if case.name.startswith("ok-"):
            data = Graph().parse(case, format="turtle")
            remaining = {s for s in remaining if not _exercised(shapes, s, data)}
    assert not remaining, "shapes no ok-*.ttl example exercises (a focus node with a value):\n" + "\n".join(
        sorted(remaining)
    )


# --- The shapes themselves ---------------------------------------------------------------------


def _in_list(shapes: Graph, shape: URIRef, via_not: bool = False) -> set[str]:
    holder = shapes.value(shape, SH["not"]) if via_not else shape
    return {str(v) for v in shapes.items(shapes.value(holder, SH["in"]))}


def test_type_lists_are_the_profiles() -> None:
    """The sh:in lists are the profile's vocabularies, as the mapping data holds them
    (mappings/profiles/cerif-1.2-types.yaml, generated from the XSD), and the deprecated terms
    those COAR flags (mappings/vocabularies/coar.yaml)."""
    shapes = shapes_graph(shapes_dir())
    tables = yaml.safe_load((ROOT / "mappings" / "profiles" / "cerif-1.2-types.yaml").read_text())["tables"]
    coar = yaml.safe_load((ROOT / "mappings" / "vocabularies" / "coar.yaml").read_text())["tables"]
    assert _in_list(shapes, CBSH["Publication-Type"]) == set(tables["publication_types"])
    assert _in_list(shapes, CBSH["Product-Type"]) == set(tables["product_types"])
    assert _in_list(shapes, CBSH["Patent-Type"]) == set(tables["patent_types"])
    assert _in_list(shapes, CBSH["Funding-Type"]) == set(tables["funding_types"])
    assert _in_list(shapes, CBSH["Access"]) == set(tables["access_rights"])
    # every term COAR deprecates: warned about with its current term, warned about as outside
    # the profile, or silent because both profile versions list it and COAR names no current term
    replaced = {"http://purl.org/coar/resource_type/c_18co": "http://purl.org/coar/resource_type/c_6670",
                "http://purl.org/coar/resource_type/c_18cp": "http://purl.org/coar/resource_type/c_5794"}
    for old, current in replaced.items():
        shape = CBSH["DeprecatedType-" + old.rsplit("/", 1)[-1]]
        assert _in_list(shapes, shape, via_not=True) == {old}
        assert current in str(shapes.value(shape, SH["message"])) and current in tables["publication_types"]
        assert current not in coar["coar_deprecated"]
    tables_11 = yaml.safe_load((ROOT / "mappings" / "profiles" / "cerif-1.1-types.yaml").read_text())["tables"]
    kinds = ("publication_types", "product_types", "patent_types")
    listed = {t for t in coar["coar_deprecated"] if all(any(t in profile[k] for k in kinds) for profile in (tables, tables_11))}
    unlisted = _in_list(shapes, CBSH["DeprecatedType"], via_not=True)
    assert unlisted == set(coar["coar_deprecated"]) - listed
    assert len(coar["coar_deprecated"]) == 12 and len(listed) == 10 and len(listed - set(replaced)) == 8


def test_a_named_code_labels_a_single_constraint() -> None:
    shapes = shapes_graph(shapes_dir())
    parameters = _constraint_parameters(shapes)
    for owner in shapes.subjects(CBSH.code, None):
        if (owner, RDF.type, SH.SPARQLConstraint) in shapes or (owner, RDF.type, SH.ConstraintComponent) in shapes:
            continue
        held = [p for p in shapes.predicates(owner, None) if p in parameters]
        assert len(held) == 1 or sorted(held) == [SH.maxLength, SH.minLength, SH.pattern], (
            f"{owner} names its code but holds {sorted(map(str, held))}"
        )


def test_shape_files_are_one_per_entity_plus_shared() -> None:
    names = {p.stem for p in shapes_dir().glob("*.ttl")}
    entities = {
        "publication", "product", "patent", "person", "orgunit", "project", "funding", "event", "equipment", "medium"
    }
    assert entities <= names
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= names, "a case folder is named after its shape file"


# --- Results into issues -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "code"),
    [
        (SH.MinCountConstraintComponent, "shacl.min-count"),
        (SH.SPARQLConstraintComponent, "shacl.sparql"),
        (SH.NodeKindConstraintComponent, "shacl.node-kind"),
        (SH.HasValueConstraintComponent, "shacl.has-value"),
        (CBSH.StartNotAfterEndConstraintComponent, "shacl.start-not-after-end"),
    ],
)
def test_component_codes(component: URIRef, code: str) -> None:
    assert component_code(component) == code


@pytest.mark.parametrize(
    ("component", "shape", "constraint", "code"),
    [
        (SH.MaxCountConstraintComponent, CBSH["Publication-Type"], None, "shacl.max-count"),
        (SH.OrConstraintComponent, CBSH["ISBN"], None, "shacl.pattern"),
        (CBSH.ISSNCheckDigitConstraintComponent, CBSH["ISSN"], None, "shacl.check-digit"),
        (SH.SPARQLConstraintComponent, CBSH["Embargo"], CBSH["EmbargoNeedsEndDate"], "shacl.embargo-without-end-date"),
    ],
)
def test_codes_the_shapes_name(
    validator: ShaclValidator, component: URIRef, shape: URIRef, constraint: URIRef | None, code: str
) -> None:
    assert validator.code(component, shape, constraint) == code


def test_issue_keeps_location_and_severity(validator: ShaclValidator) -> None:
    data = Graph().parse(
        data="""
        @prefix cb: <https://w3id.org/crisbridge/vocab#> .
        @prefix cerif: <https://w3id.org/cerif/model#> .
        <https://crisbridge.test/p> a cerif:Person ; cb:ORCID <https://orcid.org/0000-0002-1825-0098> .
        """,
        format="turtle",
    )
    issues = list(validator.issues(data, file="f.xml", record="oai:x:1"))
    assert [(i.code, i.severity) for i in issues] == [
        ("shacl.min-count", Severity.WARNING),
        ("shacl.check-digit", Severity.ERROR),
    ]
    check = issues[1]
    assert check.location.model_dump(exclude_none=True) == {
        "file": "f.xml",
        "record": "oai:x:1",
        "focus_node": "https://crisbridge.test/p",
        "path": "https://w3id.org/crisbridge/vocab#ORCID",
        "shape": "https://w3id.org/crisbridge/shapes#ORCID",
        "value": "https://orcid.org/0000-0002-1825-0098",
    }
    assert "check digit" in check.message
    assert issues[0].location.path == (
        "(<https://w3id.org/crisbridge/vocab#PersonName>/"
        "(<https://w3id.org/cerif/model#PersonName.FamilyNames>|<https://w3id.org/cerif/model#PersonName.FirstNames>))"
        "|<https://w3id.org/crisbridge/vocab#entity>"
    )


def test_longer_paths_are_written_as_sparql_paths() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <https://crisbridge.test/> .
        ex:s sh:path ( ex:a [ sh:alternativePath ( ex:b [ sh:inversePath ex:c ] ) ] [ sh:zeroOrMorePath ex:d ] ) .
        ex:t sh:path ex:a .
        """,
        format="turtle",
    )
    one = shapes.value(URIRef("https://crisbridge.test/t"), SH.path)
    longer = shapes.value(URIRef("https://crisbridge.test/s"), SH.path)
    assert one is not None and longer is not None
    assert path_text(shapes, one) == "https://crisbridge.test/a"
    assert path_text(shapes, longer) == (
        "<https://crisbridge.test/a>/(<https://crisbridge.test/b>|^<https://crisbridge.test/c>)"
        "/<https://crisbridge.test/d>*"
    )


def test_validation_leaves_the_graph_alone(validator: ShaclValidator) -> None:
    case = CASES / "publication" / "ok-article.ttl"
    data = Graph().parse(case, format="turtle")
    before, prefixes = set(data), set(data.namespaces())
    validator.results(data)
    assert set(data) == before
    assert set(data.namespaces()) == prefixes


def test_unusable_shapes_are_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no SHACL shapes"):
        ShaclValidator(tmp_path)
    (tmp_path / "broken.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="broken.ttl"):
        ShaclValidator(tmp_path)


def test_an_unknown_engine_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="known: pyshacl-turbo, pyshacl"):
        ShaclValidator(engine="topbraid")


@pytest.mark.parametrize("engine", _engines())
def test_a_broken_constraint_is_a_configuration_error(tmp_path: Path, engine: str) -> None:
    (tmp_path / "shapes.ttl").write_text(
        """
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://crisbridge.test/s> a sh:NodeShape ; sh:targetNode <https://crisbridge.test/x> ;
            sh:sparql [ sh:select "SELECT $this WHERE { MINUS { $this ?p ?o } }" ] .
        """,
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError, match="cannot be used"):
        ShaclValidator(tmp_path, engine=engine)
