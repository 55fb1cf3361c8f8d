"""Dispatch Desktop: a field-service dispatch console with a built-in notifier."""

__version__ = "0.1.0"
