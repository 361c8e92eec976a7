"""Write a synthetic corpus of reform reports and 三定 rules (real places, varied figures).

    python corpora/generate.py --count 1000 --output /tmp/synth            # text files
    python -m corpora.generate --count 1000 --format jsonl --output x.jsonl  # extracted records

Documents stream one at a time (memory stays flat at any size); document i of a seed is always
the same. The texts are synthetic: see cnpolicy/quality/synth.py and search/data/synth.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from cnpolicy.quality.synth import generate, write_corpus


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="generate", description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=positive, required=True, help="documents to write")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--start", type=int, default=0, help="first document number")
    parser.add_argument(
        "--format",
        choices=("txt", "jsonl"),
        default="txt",
        help="txt: one text file per document; jsonl: the records, one per line",
    )
    parser.add_argument(
        "--output",
        type=Path,
        required=True,
        help="folder (txt) or file (jsonl; - for standard output)",
    )
    args = parser.parse_args(argv)
    if args.format == "txt":
        written = sum(
            1 for _ in write_corpus(args.output, args.count, seed=args.seed, start=args.start)
        )
        print(f"wrote {written} documents under {args.output}", file=sys.stderr)
        return 0
    out = sys.stdout if str(args.output) == "-" else args.output.open("w", encoding="utf-8")
    try:
        for document in generate(args.count, seed=args.seed, start=args.start):
            out.write(json.dumps(document.to_dict(), ensure_ascii=False) + "\n")
    except BrokenPipeError:  # the reader (head, less) stopped early
        return 0
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
