"""Exceptions raised by crisbridge.

Bad records never raise: they become issues in the report. Exceptions are kept for
configuration that cannot be used and for programming errors.

    CrisbridgeError
     +-- ConfigurationError        unusable configuration
     |    +-- MappingError         a mapping file is broken (names file and line)
     |    +-- UnknownFormatError   a format name nobody registered
     +-- RegistryError             a name registered twice, or looked up and unknown
"""

from __future__ import annotations


class CrisbridgeError(Exception):
    """Root of every exception crisbridge raises on purpose."""


class ConfigurationError(CrisbridgeError):
    """Configuration that cannot be used (the CLI exits with code 2)."""


class MappingError(ConfigurationError):
    """A mapping file that cannot be loaded; the message names the file and line."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {reason}")


class UnknownFormatError(ConfigurationError):
    """A source or target format nobody registered."""


class RegistryError(CrisbridgeError):
    """A registry was asked to hold a name twice, or for a name it does not hold."""
