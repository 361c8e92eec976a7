"""Lazy start-up: `cnpolicy --help` and a usage error import no stage's heavy dependencies, and
each command's options come from its own module through the command table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cnpolicy.cli import BENCHMARKS, COMMANDS, build_parser

HEAVY = ("spacy", "torch", "pandas", "jieba", "rjieba", "pdfplumber", "fastapi", "transformers")
PROBE = """
import sys
from cnpolicy.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
print("LOADED:" + ",".join(sorted(m for m in {heavy!r} if m in sys.modules)))
"""


@pytest.mark.parametrize(
    "argv", [["--help"], ["--version"], ["no-such-command"], ["extract", "-h"], ["extract"]]
)
def test_help_and_usage_errors_import_nothing_heavy(argv: list[str]) -> None:
    probe = PROBE.format(argv=argv, heavy=HEAVY)
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = run.stdout.rsplit("LOADED:", 1)[1].strip()
    assert loaded == "", f"{argv} imported {loaded}"


def test_every_command_in_the_table_loads_its_options_and_run() -> None:
    for command in (*COMMANDS, *BENCHMARKS):
        add_arguments, run = command.load()
        assert callable(add_arguments) and callable(run), command.name
    parser = build_parser()  # every command with its options
    assert parser.parse_args(["vacuum", "--store", "x.db"]).run is not None
    assert parser.parse_args(["bench", "extract"]).bench == "extract"
