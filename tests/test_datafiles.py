"""The one reader of packaged data files (cnpolicy/datafiles.py): a bad file is a named error."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnpolicy.datafiles import read_data_json, read_data_text
from cnpolicy.errors import ExtractError


@pytest.fixture
def package(tmp_path: Path) -> Iterator[str]:
    data = tmp_path / "cnpolicy_datafiles_probe" / "data"
    data.mkdir(parents=True)
    (data.parent / "__init__.py").write_text("", "utf-8")
    (data / "good.json").write_text('{"a": [1]}', "utf-8")
    (data / "broken.json").write_text('{"a": [1', "utf-8")
    (data / "list.json").write_text("[1, 2]", "utf-8")
    (data / "words.txt").write_text("编制\n机构\n", "utf-8")
    sys.path.insert(0, str(tmp_path))
    yield "cnpolicy_datafiles_probe"
    sys.path.remove(str(tmp_path))
    sys.modules.pop("cnpolicy_datafiles_probe", None)


def test_text_and_json_are_read(package: str) -> None:
    assert read_data_text(package, "words.txt") == "编制\n机构\n"
    assert read_data_json(package, "good.json") == {"a": [1]}


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.json", "cannot read it"), ("broken.json", "invalid JSON"),
     ("list.json", "expected a JSON object")],
)  # fmt: skip
def test_a_bad_file_is_an_error_naming_it(package: str, name: str, message: str) -> None:
    with pytest.raises(ExtractError, match=message) as error:
        read_data_json(package, name)
    assert error.value.source == f"{package}/data/{name}"
