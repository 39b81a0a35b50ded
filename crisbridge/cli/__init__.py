"""The command line: a thin layer that parses options, calls the library, renders and picks
the exit code (0 all converted without errors, 1 some failed or carry errors, 2 usage or
configuration error). Only this package prints or exits."""

from __future__ import annotations

from crisbridge.cli.app import app, main

__all__ = ["app", "main"]
