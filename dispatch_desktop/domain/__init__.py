"""Dispatch rules. Pure Python: no Qt, no database."""
