"""Generate cnpolicy/data/gazetteer.tsv from jionlp's administrative-division data.

Run by hand when the gazetteer should be refreshed (``pip install jionlp`` first):
    python tools/build_gazetteer.py
Keeps provinces, prefecture-level and county-level divisions with their six-digit codes;
jionlp's record of renamed divisions (襄樊市 → 襄阳市) becomes the ``former`` column.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "cnpolicy" / "data" / "gazetteer.tsv"
LEVELS = ("province", "city", "county")


def _jionlp_dictionary() -> Path:
    spec = importlib.util.find_spec("jionlp")
    if spec is None or spec.origin is None:
        sys.exit("jionlp is not installed: pip install jionlp")
    return Path(spec.origin).parent / "dictionary"


def _read_locations(folder: Path) -> list[tuple[str, str, str, str, str, str]]:
    with zipfile.ZipFile(folder / "china_location.zip") as archive:
        text = archive.read("china_location.txt").decode("utf-8")
    rows: list[tuple[str, str, str, str, str, str]] = []
    parents = ["", "", ""]
    for line in io.StringIO(text):
        depth = len(line) - len(line.lstrip("\t"))
        if depth > 2:
            continue
        fields = line.strip().split("\t")
        if len(fields) < 3:
            continue
        name, code, short = fields[0], fields[1], fields[2]
        parents[depth] = code
        province = parents[0]
        parent = parents[depth - 1] if depth else ""
        rows.append((code, name, short, LEVELS[depth], province, parent))
    return rows


def _read_renames(folder: Path) -> dict[tuple[str, ...], list[str]]:
    """Map the new full path of a renamed division to its former names."""
    renames: dict[tuple[str, ...], list[str]] = {}
    for line in (folder / "china_location_change.txt").read_text("utf-8").splitlines():
        if "=>" not in line:
            continue
        old, new = line.split("=>")
        old_fields = old.split("\t")[2:]
        old_names = old_fields[0::2]
        new_names = tuple(new.split("\t"))
        if old_names and old_names[-1] != new_names[-1]:
            renames.setdefault(new_names, []).append(old_names[-1])
    return renames


def main() -> None:
    folder = _jionlp_dictionary()
    rows = _read_locations(folder)
    renames = _read_renames(folder)
    by_code = {row[0]: row for row in rows}
    lines = ["code\tname\tshort\tlevel\tprovince\tparent\tformer"]
    for code, name, short, level, province, parent in sorted(rows):
        path = [by_code[province][1]] if level != "province" else []
        if level == "county" and parent in by_code and parent != province:
            path.append(by_code[parent][1])
        path.append(name)
        former = ",".join(sorted(set(renames.get(tuple(path), []))))
        lines.append("\t".join((code, name, short, level, province, parent, former)))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines) - 1} divisions to {OUT}")


if __name__ == "__main__":
    main()
