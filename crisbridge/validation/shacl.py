"""SHACL validation of crisbridge RDF against the shapes in ``shapes/``.

The shapes follow the vocabulary of ``docs/rdf-vocabulary.md`` (one Turtle file per entity plus
shared ones); they are parsed once per folder and checked once, when a validator is made.
Each SHACL result becomes an ``Issue`` that keeps what SHACL says about it:

- ``code``: the ``cbsh:code`` of the SPARQL constraint, shape or SPARQL-based constraint
  component that reported it (a shape names its code only when it holds a single constraint),
  else ``shacl.`` and the constraint component's name in kebab case:
  ``sh:MinCountConstraintComponent`` -> ``shacl.min-count``, ``sh:SPARQLConstraintComponent`` ->
  ``shacl.sparql``, ``cbsh:StartNotAfterEndConstraintComponent`` -> ``shacl.start-not-after-end``;
- ``severity``: ``sh:Violation`` -> error, ``sh:Warning`` -> warning, ``sh:Info`` -> info (a
  severity SHACL does not define counts as an error);
- ``location``: focus node, result path, source shape and value node. A path that is one
  property is its IRI; a longer one is written in SPARQL property path syntax
  (``<a>/(<b>|<c>)``). Blank nodes are written ``_:id``, literals as their lexical form.

    >>> validator = ShaclValidator()                # the shipped shapes
    >>> for issue in validator.issues(graph):       # a plain in-memory rdflib Graph
    ...     print(issue.severity.value, issue.code, issue.location.focus_node)

Validate a batch as one graph: references between its records resolve only there (a record
validated alone reports each of its references to another record as ``shacl.unresolved-reference``),
and pyshacl's cost per call (reading some 200 shapes, tens of milliseconds) is paid once.

Two engines run the shapes, with the same results (``tests/test_shapes.py`` runs every example
on each installed engine, ``tests/test_validate.py`` compares them on the official samples):

- ``pyshacl-turbo``, a Rust engine with pySHACL's API, about ten times faster (DESIGN 6): the
  engine whenever it is installed. The shapes are compiled once per validator. Triples of the
  RDF writer (``results_of``) reach it as a list of rdflib terms in a graph that only iterates
  them (``_TripleList``): it reads a graph by iterating it, so no rdflib store is filled, which
  at a million triples is most of the time. A validator checks once that the engine finds in
  such a list what it finds in a real graph, and builds the real graph when it does not.
  (A pyoxigraph store is no way round: its loader renames blank nodes, and the engine then
  takes the store's ``xsd:string`` literals for other values than the shapes' plain ones.)
- ``pyshacl``, the reference implementation: the fallback.

``CRISBRIDGE_SHACL_ENGINE=pyshacl`` (or ``ShaclValidator(engine="pyshacl")``) picks one. The
engines word their own messages differently, so a result whose shape gives no ``sh:message``
gets one written here from the constraint (``generic_message``), not the engine's.

The engines are imported here only, and only when a validator is made. pyshacl is given plain
in-memory rdflib graphs (over a pyoxigraph store it is about 110 times slower, DESIGN 6). pyshacl hands
rdflib the text of every SPARQL query once per focus node, and rdflib parses SPARQL slowly
(10 to 100 ms a query), so the data graph is wrapped in a graph over the same store that parses
each query text once; nothing is copied. The SPARQL-based shapes are written for that engine too
(``shapes/components.ttl``).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import BNode, ConjunctiveGraph, Graph, Namespace, URIRef
from rdflib.namespace import RDF, NamespaceManager
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from crisbridge.errors import ConfigurationError
from crisbridge.issues import Issue, Location, Severity

SH = Namespace("http://www.w3.org/ns/shacl#")
CBSH = Namespace("https://w3id.org/crisbridge/shapes#")

# The SHACL engines crisbridge can run, the preferred first (DESIGN 6).
ENGINES = ("pyshacl-turbo", "pyshacl")
ENGINE_VARIABLE = "CRISBRIDGE_SHACL_ENGINE"

SEVERITIES: Mapping[Node, Severity] = {
    SH.Violation: Severity.ERROR,
    SH.Warning: Severity.WARNING,
    SH.Info: Severity.INFO,
}


def shapes_dir() -> Path:
    """The shipped shapes: inside the installed package, or the repository's ``shapes/`` when
    running from a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_data" / "shapes", here.parent / "shapes"):
        if (candidate / "components.ttl").is_file():
            return candidate
    raise ConfigurationError(f"{here}: the shipped SHACL shapes are missing from this installation")


@lru_cache(maxsize=8)
def shapes_graph(directory: Path) -> Graph:
    """Every ``*.ttl`` of a folder, parsed into one graph. Cached per folder: treat it as read-only."""
    files = sorted(directory.glob("*.ttl"))
    if not files:
        raise ConfigurationError(f"{directory}: no SHACL shapes (*.ttl) in this folder")
    graph = Graph()
    for file in files:
        try:
            graph.parse(file, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
            raise ConfigurationError(f"{file}: the shapes cannot be parsed: {exc}") from None
    return graph


@dataclass(frozen=True, slots=True)
class ShaclResult:
    """One SHACL validation result, as SHACL reports it, with the crisbridge code it maps to."""

    focus_node: Node
    path: str | None
    component: URIRef
    severity: Node
    shape: Node
    constraint: Node | None
    value: Node | None
    message: str
    code: str

    def issue(self, file: str | None = None, record: str | None = None) -> Issue:
        return Issue(
            code=self.code,
            severity=SEVERITIES.get(self.severity, Severity.ERROR),
            message=self.message,
            location=Location(
                file=file,
                record=record,
                focus_node=node_text(self.focus_node),
                path=self.path,
                shape=node_text(self.shape),
                value=None if self.value is None else node_text(self.value),
            ),
        )


class ShaclValidator:
    """Validates RDF graphs against one folder of shapes (by default the shipped ``shapes/``).

    Making one parses the shapes (once per folder) and has the engine read them, on an empty
    graph. ``engine`` is one of ``ENGINES`` (default: ``$CRISBRIDGE_SHACL_ENGINE``, else the
    first installed). Shapes it cannot use raise ``ConfigurationError``: a broken file or
    shape when the validator is made, a broken constraint when it first meets a focus node.
    """

    def __init__(self, directory: Path | None = None, engine: str | None = None) -> None:
        self.directory = directory or shapes_dir()
        self.shapes = shapes_graph(self.directory)
        self.engine = engine or os.environ.get(ENGINE_VARIABLE) or default_engine()
        self._run, self._errors = self._engine(self.engine)
        self._labels: dict[tuple[Node | None, ...], tuple[str, str]] = {}
        self._reads_lists = False
        self.results(Graph())
        self._reads_lists = self.engine == "pyshacl-turbo" and self._finds_in_lists()

    def _finds_in_lists(self) -> bool:
        """Whether the engine finds in a ``_TripleList`` what it finds in a graph of the same
        triples (a node of each class the shapes target, with nothing else said about it)."""
        classes = sorted({o for o in self.shapes.objects(None, SH.targetClass) if isinstance(o, URIRef)})
        probe = [(URIRef(f"https://crisbridge.test/probe/{n}"), RDF.type, cls) for n, cls in enumerate(classes)]
        graph = Graph()
        for triple in probe:
            graph.add(triple)
        expected = self.results(graph)
        return bool(expected) and self.results(_TripleList(probe)) == expected

    def _engine(self, name: str) -> tuple[Callable[[Graph], tuple[Any, Any, Any]], tuple[type[BaseException], ...]]:
        """The engine's validate function over this validator's shapes, and the exceptions by
        which it says the shapes cannot be used."""
        if name == "pyshacl-turbo":
            try:
                import pyshacl_turbo
            except ImportError:
                raise ConfigurationError("the SHACL engine pyshacl-turbo is not installed") from None
            try:
                # once: reused for every graph (the function has no annotations)
                program = pyshacl_turbo.compile_shapes(self.shapes)  # type: ignore[no-untyped-call]
            except (pyshacl_turbo.ReportableRuntimeError, pyshacl_turbo.ValidationFailure, RuntimeError) as exc:
                raise ConfigurationError(f"{self.directory}: the SHACL shapes cannot be used: {exc}") from None
            return program.validate, (pyshacl_turbo.ReportableRuntimeError, pyshacl_turbo.ValidationFailure, RuntimeError)
        if name == "pyshacl":
            import pyshacl
            import pyshacl.errors

            def run(data: Graph) -> tuple[Any, Any, Any]:
                result: tuple[Any, Any, Any] = pyshacl.validate(
                    _QueryCachingGraph.over(data), shacl_graph=self.shapes, inference="none", advanced=False,
                    allow_warnings=False)
                return result

            return run, (pyshacl.errors.ReportableRuntimeError,)
        raise ConfigurationError(f"unknown SHACL engine {name!r}; known: {', '.join(ENGINES)}")

    def results(self, data: Graph) -> list[ShaclResult]:
        """Every result of validating ``data``, sorted by focus node, path, shape and value."""
        try:
            conforms, report, text = self._run(data)
        except self._errors as exc:  # a shape the engine cannot use
            raise ConfigurationError(f"{self.directory}: the SHACL shapes cannot be used: {exc}") from None
        if not isinstance(report, Graph):  # the engine returns the failure in place of a report
            raise ConfigurationError(f"{self.directory}: the SHACL shapes cannot be used: {text}")
        # Only the report's own results: a result may carry others as sh:detail (sh:node).
        found = [
            self._result(report, node)
            for validation in report.subjects(RDF.type, SH.ValidationReport)
            for node in report.objects(validation, SH.result)
        ]
        return sorted(found, key=_sort_key)

    def results_of(self, triples: Iterable[Any]) -> list[ShaclResult]:
        """``results`` for triples as ``writers.rdf.RdfWriter`` writes them."""
        from crisbridge.writers.rdf import to_graph

        if self._reads_lists:
            return self.results(to_graph(triples, _TripleList()))
        return self.results(to_graph(triples))

    def issues(self, data: Graph, file: str | None = None, record: str | None = None) -> Iterator[Issue]:
        """The results of validating ``data`` as issues, located in ``file`` and ``record``."""
        for result in self.results(data):
            yield result.issue(file=file, record=record)

    def _result(self, report: Graph, node: Node) -> ShaclResult:
        # one pass over the result's properties; where one has several values, the least
        found: dict[Node, Node] = {}
        for p, o in report.predicate_objects(node):
            if p not in found or o < found[p]:  # type: ignore[operator]  # rdflib terms order
                found[p] = o
        focus, shape = found.get(SH.focusNode), found.get(SH.sourceShape)
        component = found.get(SH.sourceConstraintComponent)
        if focus is None or not isinstance(component, URIRef) or shape is None:
            raise ConfigurationError(
                f"{self.engine} reported a result without focus node, component or shape: {node}"
            )
        path, constraint = found.get(SH.resultPath), found.get(SH.sourceConstraint)
        # what the shapes say about a (component, shape, constraint) is looked up once per validator
        key = (component, shape, constraint, path if isinstance(path, URIRef) else SH.path if path is not None else None)
        labels = self._labels.get(key)
        if labels is None:
            labels = self._labels[key] = (self._message(shape, component, constraint, path),
                                          self.code(component, shape, constraint))
        return ShaclResult(
            focus_node=focus,
            path=None if path is None else path_text(report, path),
            component=component,
            severity=found.get(SH.resultSeverity) or SH.Violation,
            shape=shape,
            constraint=constraint,
            value=found.get(SH.value),
            message=labels[0],
            code=labels[1],
        )

    def code(self, component: URIRef, shape: Node, constraint: Node | None = None) -> str:
        """The issue code of a result: the ``cbsh:code`` of its SPARQL constraint, shape or
        constraint component, else one derived from the component's name."""
        for owner in (constraint, shape, component):
            if owner is not None:
                named = self.shapes.value(owner, CBSH.code)
                if named is not None:
                    return str(named)
        return component_code(component)

    def _message(self, shape: Node, component: Node, constraint: Node | None, path: Node | None) -> str:
        # Prefer what the shapes say, the most specific first: the SPARQL constraint, the
        # validator of a SPARQL-based component, the shape; else a message written here.
        validators = [
            v
            for p in (SH.validator, SH.propertyValidator, SH.nodeValidator)
            for v in self.shapes.objects(component, p)
        ]
        for owner in (constraint, *validators, shape):
            if owner is not None:
                own = sorted(str(m) for m in self.shapes.objects(owner, SH.message))
                if own:
                    return own[0]
        return generic_message(self.shapes, shape, component, path)


def validate(data: Graph, file: str | None = None, record: str | None = None) -> list[Issue]:
    """Issues of ``data`` against the shipped shapes."""
    return list(default_validator().issues(data, file=file, record=record))


@lru_cache(maxsize=1)
def default_validator() -> ShaclValidator:
    return ShaclValidator()


def default_engine() -> str:
    """The first of ``ENGINES`` that is installed."""
    for name in ENGINES:
        if importlib.util.find_spec(name.replace("-", "_")) is not None:
            return name
    raise ConfigurationError(f"no SHACL engine is installed: install one of {', '.join(ENGINES)}")


def generic_message(shapes: Graph, shape: Node, component: Node, path: Node | None) -> str:
    """A message for a result whose shape gives none, from the constraint's parameter (the
    engines each word their own, and a report should not depend on which one ran)."""
    subject = "a value" if path is None else f"a value of {_local_name(path)}"
    values = "values" if path is None else f"values of {_local_name(path)}"
    name = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")

    def parameter(local: str) -> str:
        value = shapes.value(shape, SH[local])
        return "?" if value is None else _local_name(value)

    templates = {
        "MinCount": lambda: f"Fewer than {parameter('minCount')} {values}",
        "MaxCount": lambda: f"More than {parameter('maxCount')} {values}",
        "Class": lambda: f"{subject.capitalize()} is not a {parameter('class')}",
        "Datatype": lambda: f"{subject.capitalize()} is not of datatype {parameter('datatype')}",
        "NodeKind": lambda: f"{subject.capitalize()} is not of node kind {parameter('nodeKind')}",
        "Pattern": lambda: f"{subject.capitalize()} does not match {parameter('pattern')}",
        "In": lambda: f"{subject.capitalize()} is not one of the values allowed",
        "HasValue": lambda: f"{values.capitalize()} lack {parameter('hasValue')}",
    }
    template = templates.get(name)
    return template() if template is not None else f"{name} constraint not met"


def _local_name(node: Node) -> str:
    if isinstance(node, URIRef):
        return re.split(r"[#/]", str(node).rstrip("/#"))[-1] or str(node)
    if isinstance(node, BNode):
        return "a longer path"
    return str(node)


def component_code(component: URIRef) -> str:
    """``shacl.`` + the component's local name without ``ConstraintComponent``, in kebab case."""
    name = re.split(r"[#/]", str(component))[-1].removesuffix("ConstraintComponent")
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+", name)
    return "shacl." + "-".join(w.lower() for w in words)


def node_text(node: Node) -> str:
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path (SHACL 2.3.1) as text: one property as its IRI, anything longer in
    SPARQL property path syntax."""
    if isinstance(path, URIRef):
        return str(path)
    return _path(graph, path, nested=False)


def _path(graph: Graph, path: Node, nested: bool) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if (path, RDF.first, None) in graph:
        return _group([_path(graph, step, True) for step in graph.items(path)], "/", nested)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return _group([_path(graph, step, True) for step in graph.items(alternatives)], "|", nested)
    for predicate, prefix, suffix in (
        (SH.inversePath, "^", ""),
        (SH.zeroOrMorePath, "", "*"),
        (SH.oneOrMorePath, "", "+"),
        (SH.zeroOrOnePath, "", "?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return f"{prefix}{_path(graph, inner, True)}{suffix}"
    return node_text(path)


def _group(parts: list[str], separator: str, nested: bool) -> str:
    joined = separator.join(parts)
    return f"({joined})" if nested and len(parts) > 1 else joined


def _sort_key(result: ShaclResult) -> tuple[str, ...]:
    return (
        node_text(result.focus_node),
        result.path or "",
        node_text(result.shape),
        str(result.component),
        "" if result.value is None else node_text(result.value),
    )


class _NoPrefixes(NamespaceManager):
    """Writes every IRI in full and binds nothing, so naming a node never touches the store."""

    def normalizeUri(self, rdfTerm: str) -> str:  # noqa: N802, N803  (rdflib's names)
        return f"<{rdfTerm}>"

    def bind(self, prefix: str | None, namespace: Any, override: bool = True, replace: bool = False) -> None:
        return None


class _TripleList(Graph):
    """A graph that is its triples, in a list: ``add`` appends, iterating yields them; nothing
    else works. For pyshacl-turbo, which reads a data graph by iterating it."""

    def __init__(self, triples: Iterable[Any] = ()) -> None:
        super().__init__(bind_namespaces="none")
        self._triples = list(triples)

    def add(self, triple: Any) -> _TripleList:  # rdflib's Graph.add, without the store
        self._triples.append(triple)
        return self

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]  # rdflib's Graph.__iter__
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)


@lru_cache(maxsize=512)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class _QueryCachingGraph(Graph):
    """The caller's graph (the same store, nothing copied) whose SPARQL query texts are parsed
    once per process: pyshacl sends the same text, with different bindings, for every focus node."""

    @classmethod
    def over(cls, data: Graph) -> Graph:
        if isinstance(data, ConjunctiveGraph):  # a dataset: validate the union of its graphs
            flat = Graph()
            for triple in data.triples((None, None, None)):
                flat.add(triple)
            data = flat
        graph = cls(store=data.store, identifier=data.identifier, bind_namespaces="none")
        # pyshacl writes a text report naming every node of every result, nested ones included;
        # rdflib would invent a prefix for each new namespace (one per record) and keep it in the
        # store, which is the caller's, and slow down as they pile up. That text is not used here.
        graph.namespace_manager = _NoPrefixes(graph, bind_namespaces="none")
        return graph

    def query(  # type: ignore[override]  # same parameters, one more kind of cache
        self,
        query_object: Any,
        processor: Any = "sparql",
        result: Any = "sparql",
        initNs: Mapping[str, Any] | None = None,  # noqa: N803  (rdflib's names)
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Any:
        if isinstance(query_object, str) and not initNs and processor == "sparql":
            query_object = _prepared(query_object)
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


__all__ = [
    "ENGINES",
    "SEVERITIES",
    "ShaclResult",
    "ShaclValidator",
    "component_code",
    "default_engine",
    "default_validator",
    "generic_message",
    "path_text",
    "shapes_dir",
    "shapes_graph",
    "validate",
]
