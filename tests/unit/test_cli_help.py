"""The CLI's help is complete and the README's CLI table matches it."""

from __future__ import annotations

import argparse
from pathlib import Path

from claimwatch.cli import build_parser

README = Path(__file__).resolve().parents[2] / "README.md"


def commands(parser=None, path=()):
    """(command path, parser) for every command and subcommand."""
    parser = parser or build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield path + (name,), sub, action
                yield from commands(sub, path + (name,))


def test_every_command_and_option_has_help():
    top = build_parser()
    assert all(a.help for a in top._actions if a.option_strings)
    for path, parser, subparsers in commands():
        listed = {a.dest: a.help for a in subparsers._choices_actions}
        assert listed.get(path[-1]), f"`claimwatch {' '.join(path)}` has no help line"
        assert parser.description, f"`claimwatch {' '.join(path)} --help` has no description"
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"`claimwatch {' '.join(path)}` {action.option_strings or action.dest} has no help"


def _readme_cli_table() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The CLI\n", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("|"))


def test_the_readme_cli_table_lists_every_subcommand_and_option():
    table = _readme_cli_table()
    for path, parser, _ in commands():
        if any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
            continue  # `feeds`, `watches`: their subcommands are the rows
        name = " ".join(path)
        row = next((r for r in table.splitlines() if f"`claimwatch {name}" in r or f"`{name}" in r), None)
        assert row is not None, f"README CLI table has no row for `claimwatch {name}`"
        for action in parser._actions:
            for option in action.option_strings:
                if option in ("-h", "--help", "--debug", "--stack-name", "--endpoint-url") and name != "run":
                    continue  # said once under the table
                if option in ("-h", "--help", "--debug"):
                    continue
                assert option in row, f"README row for `claimwatch {name}` lacks {option}"
    text = README.read_text(encoding="utf-8")
    for shared in ("--stack-name", "--endpoint-url", "--debug", "--version"):
        assert shared in text.split("## The CLI\n", 1)[1].split("\n## ", 1)[0]
