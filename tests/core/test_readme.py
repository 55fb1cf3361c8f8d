"""The README stays true: its command reference is the parser's, and it shows every screenshot."""

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from dispatch_desktop.cli.main import build_parser

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
REFERENCE = README.split("\n## Command line\n", 1)[1].split("\n### ", 1)[0]


def _commands(
    parser: argparse.ArgumentParser, words: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    groups = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    yield words, parser
    for group in groups:
        for name, sub in group.choices.items():
            yield from _commands(sub, (*words, name))


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {
        option for action in parser._actions for option in action.option_strings if option.startswith("--")
    }


def test_every_command_and_option_is_in_the_reference() -> None:
    missing = []
    for words, parser in _commands(build_parser()):
        if words and not re.search(rf"(dispatch-desktop|\|) {re.escape(' '.join(words))}\b", REFERENCE):
            missing.append(" ".join(words))
        missing += [f"{' '.join(words)} {option}" for option in _options(parser) if option not in REFERENCE]
    assert len(list(_commands(build_parser()))) > 60
    assert missing == []


def test_the_reference_invents_no_option() -> None:
    known = set().union(*(_options(parser) for _, parser in _commands(build_parser())))
    assert set(re.findall(r"--[a-z][a-z-]*", REFERENCE)) - known == set()


def test_every_screenshot_is_shown_in_the_readme() -> None:
    shots = sorted(
        path.name for path in (Path(__file__).resolve().parents[2] / "docs" / "screenshots").glob("*.png")
    )
    assert len(shots) > 10
    assert [name for name in shots if f"(docs/screenshots/{name})" not in README] == []
