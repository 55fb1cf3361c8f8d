"""The command line, one module per command group under commands/ (see main.py)."""

from dispatch_desktop.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
