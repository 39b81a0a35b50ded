"""Where the shipped mappings live, and loading a format's mapping with user overrides.

The built-in mappings are listed here, in one table; a user's ``--mapping FILE`` names the
mapping it extends. An override's tables add or replace rows; its rules are added, and a
rule whose ``name`` matches a shipped rule replaces that rule in place. An override of a
writer mapping (``extends: out/datacite``) works the same way; the writers apply it
(``crisbridge.writers.repository``), and the source mappings pass it by.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from crisbridge.errors import MappingError, UnknownFormatError
from crisbridge.mapping.engine import CompiledMapping, _fold
from crisbridge.mapping.spec import MappingSpec, ProfileSpec, load_profile, load_spec

SHIPPED: dict[str, str] = {
    "oai_dc": "oai_dc.yaml",
    "datacite": "datacite.yaml",
    "oai_openaire": "oai_openaire.yaml",
}
VOCABULARIES = (
    "vocabularies/common.yaml",
    "vocabularies/creative-commons.yaml",
    "vocabularies/languages.yaml",
    "vocabularies/coar.yaml",
)
PROFILES = {"1.2": "profiles/cerif-1.2.yaml", "1.1": "profiles/cerif-1.1.yaml"}
# How an override names a writer mapping (model -> a repository format), as `mappings list` does.
WRITER_PREFIX = "out/"
PROFILE_TYPES = {"1.2": "profiles/cerif-1.2-types.yaml", "1.1": "profiles/cerif-1.1-types.yaml"}


def mappings_dir() -> Path:
    """The shipped mapping folder: inside the installed package, or the repository's
    ``mappings/`` when running from a checkout."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_data" / "mappings", here.parent / "mappings"):
        if (candidate / "vocabularies" / "common.yaml").is_file():
            return candidate
    raise MappingError(str(here), None, "the shipped mapping files are missing from this installation")


@lru_cache(maxsize=None)
def shared_tables() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for rel in VOCABULARIES:
        for name, rows in load_spec(mappings_dir() / rel).tables.items():
            tables.setdefault(name, {}).update(_fold(rows))
    return tables


def shipped_spec(name: str) -> MappingSpec:
    try:
        rel = SHIPPED[name]
    except KeyError:
        raise UnknownFormatError(f"no mapping for format {name!r}; known: {', '.join(sorted(SHIPPED))}") from None
    return load_spec(mappings_dir() / rel)


def merge(base: MappingSpec, override: MappingSpec) -> MappingSpec:
    """The base mapping with an override file's tables and rules applied."""
    rules = list(base.rules)
    index = {r.name: i for i, r in enumerate(rules) if r.name}
    for rule in override.rules:
        if rule.name and rule.name in index:
            rules[index[rule.name]] = rule
        else:
            rules.append(rule)
    tables = {k: dict(v) for k, v in base.tables.items()}
    for name, rows in override.tables.items():
        tables.setdefault(name, {}).update(rows)
    namespaces = {**base.namespaces, **override.namespaces}
    no_place = {**base.no_place, **override.no_place}
    return base.model_copy(
        update={
            "rules": rules,
            "tables": tables,
            "namespaces": namespaces,
            "no_place": no_place,
            "default_type": override.default_type or base.default_type,
        }
    )


def extends_a_writer(path: Path) -> bool:
    """True for an override of a writer mapping (``extends: out/datacite``). A file that cannot
    be read or parsed is not one: the loader that gets it reports why, with the line."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError):
        return False
    return isinstance(data, dict) and isinstance(data.get("extends"), str) and data["extends"].startswith(WRITER_PREFIX)


def known_mappings() -> list[str]:
    """The names an override may extend: the source mappings and the writer mappings."""
    from crisbridge.writers.repository import SHIPPED_OUT

    return sorted(SHIPPED) + [f"{WRITER_PREFIX}{name}" for name in sorted(SHIPPED_OUT)]


def overrides_for(name: str, override_files: tuple[Path, ...]) -> list[MappingSpec]:
    out = []
    for path in override_files:
        if extends_a_writer(path):
            continue
        spec = load_spec(path)
        target = spec.extends or spec.format
        if target is None:
            raise MappingError(str(path), 1, "an override file says which mapping it extends (extends: oai_dc)")
        if target not in SHIPPED:
            raise MappingError(str(path), 1, f"extends unknown mapping {target!r}; known: {', '.join(known_mappings())}")
        if target == name:
            out.append(spec)
    return out


@lru_cache(maxsize=32)
def compiled(name: str, override_files: tuple[Path, ...] = ()) -> CompiledMapping:
    spec = shipped_spec(name)
    for override in overrides_for(name, override_files):
        spec = merge(spec, override)
    tables = {k: dict(v) for k, v in shared_tables().items()}
    for table, rows in spec.tables.items():
        tables.setdefault(table, {}).update(_fold(rows))
    return CompiledMapping(spec, tables)


def check_overrides(override_files: tuple[Path, ...]) -> None:
    """Load and compile every override file now, so a broken one stops the run before any
    record is read (a configuration error, exit 2): the writer mappings' overrides too, whether
    or not the run writes their format, as an override of a source format the input does not
    have is checked."""
    writers = tuple(p for p in override_files if extends_a_writer(p))
    if writers:
        from crisbridge.writers.repository import check_writer_overrides

        check_writer_overrides(writers)
    for path in override_files:
        if path in writers:
            continue
        spec = load_spec(path)
        target = spec.extends or spec.format
        if target is None or target not in SHIPPED:
            overrides_for(target or "", (path,))
        mapping = compiled(str(target), override_files)
        _check_tables_are_used(spec, mapping)


def _check_tables_are_used(override: MappingSpec, mapping: CompiledMapping) -> None:
    """A table an override adds that no rule reads is a misspelling (``resource_typs``): its
    rows would never be used, so it is refused rather than accepted silently."""
    known = set(shared_tables()) | set(shipped_spec(mapping.name).tables)
    read_by_rules = {r.table for r in mapping.spec.rules if r.table}
    for name in override.tables:
        if name not in known and name not in read_by_rules:
            near = ", ".join(sorted(known | read_by_rules))
            raise MappingError(str(override.file), override.table_line(name), f"table {name!r} is read by no rule and extends no shipped table (misspelt?); known tables: {near}")


@lru_cache(maxsize=None)
def profile(version: str) -> ProfileSpec:
    try:
        spec = load_profile(mappings_dir() / PROFILES[version])
    except KeyError:
        raise UnknownFormatError(f"no CERIF profile {version!r}; known: {', '.join(sorted(PROFILES))}") from None
    types = load_spec(mappings_dir() / PROFILE_TYPES[version])
    # type URIs are looked up folded to lower case, as every vocabulary key is: COAR's newer
    # ids (R60J-J5BD, H9BQ-739P) were otherwise never found and fell back to a broader type
    spec.tables.update({name: _fold(rows) for name, rows in types.tables.items()})
    return spec
