"""crisbridge: repository metadata (Dublin Core, DataCite, OpenAIRE) to OpenAIRE CERIF.

    from crisbridge import Converter
    result = Converter().convert_one(Path("record.xml"))
    result.status, result.xml, result.issues

Importing this package is light: the converter and its dependencies load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crisbridge._version import __version__
from crisbridge.errors import ConfigurationError, CrisbridgeError, MappingError, UnknownFormatError

if TYPE_CHECKING:
    from crisbridge.issues import Issue, Location, Severity
    from crisbridge.pipeline import Converter, EntityOutput, RecordResult
    from crisbridge.report import Report, Status

__all__ = [
    "ConfigurationError",
    "Converter",
    "CrisbridgeError",
    "EntityOutput",
    "Issue",
    "Location",
    "MappingError",
    "RecordResult",
    "Report",
    "Severity",
    "Status",
    "UnknownFormatError",
    "__version__",
]

_LAZY = {
    "Converter": "crisbridge.pipeline",
    "EntityOutput": "crisbridge.pipeline",
    "RecordResult": "crisbridge.pipeline",
    "Issue": "crisbridge.issues",
    "Location": "crisbridge.issues",
    "Severity": "crisbridge.issues",
    "Report": "crisbridge.report",
    "Status": "crisbridge.report",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'crisbridge' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
