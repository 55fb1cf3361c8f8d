"""Agents and operators: the record lists and their edit dialogs."""
