"""The optional neural NER component (extract/neural.py) with a tiny model built in the test.

Nothing is downloaded: a two-layer BERT with a character vocabulary is initialised at random and
saved to a temporary folder; its classifier bias is set so that the tags it predicts are known.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import spacy

from cnpolicy.config import ExtractOptions
from cnpolicy.errors import ModelLoadError
from cnpolicy.extract.neural import Prediction, chunks, decode, load_model

torch = pytest.importorskip("torch", reason="the [neural] extra (torch) is not installed")
transformers = pytest.importorskip("transformers", reason="the [neural] extra is not installed")

TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-MISC"]
VOCAB = "天气很好今天我们去看一看开会了市委组织部张三湛江廉江局。,"


def build_model(folder: Path, favoured: str, max_length: int | None = None) -> Path:
    """A tiny token classifier that tags every character `favoured`, saved to `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text(
        "\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted(set(VOCAB))]) + "\n"
    )
    limit = {"model_max_length": max_length} if max_length else {}
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(vocab), **limit)
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        num_labels=len(TAGS),
        id2label=dict(enumerate(TAGS)),
        label2id={tag: i for i, tag in enumerate(TAGS)},
    )
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.copy_(torch.tensor([5.0 if t == favoured else 0.0 for t in TAGS]))
    tokenizer.save_pretrained(folder)
    model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {tag: build_model(root / tag, tag) for tag in ("O", "B-PER", "I-PER", "B-LOC", "B-MISC")}


def pipeline(model: Path, rules: bool = True) -> spacy.language.Language:
    nlp = spacy.blank("zh")
    if rules:
        nlp.add_pipe("cnpolicy_entities")
    nlp.add_pipe("cnpolicy_neural_ner", config={"model": str(model)})
    return nlp


def records(doc: spacy.tokens.Doc) -> list[tuple[str, str, int, int]]:
    found = [s._.cnpolicy_entity for s in doc.spans["entities"]]
    return [(e.label, e.text, e.start, e.end) for e in found]


def test_model_entities_with_mapped_labels_and_exact_offsets(models: dict[str, Path]) -> None:
    text = "天气很好。张三"
    doc = pipeline(models["B-PER"])(text)
    # Every character begins a PER entity; the full stop alone is punctuation and dropped.
    assert records(doc) == [("PERSON", c, i, i + 1) for i, c in enumerate(text) if c != "。"]


def test_rule_based_entities_win_on_overlap(models: dict[str, Path]) -> None:
    # I-PER on every token makes one entity of the whole sentence; it overlaps the rules' ORG.
    doc = pipeline(models["I-PER"])("今天市委组织部开会了")
    assert records(doc) == [("ORG", "市委组织部", 2, 7)]
    alone = pipeline(models["I-PER"], rules=False)("今天市委组织部开会了")
    assert records(alone) == [("PERSON", "今天市委组织部开会了", 0, 10)]


def test_places_get_codes_and_unknown_types_are_dropped(models: dict[str, Path]) -> None:
    doc = pipeline(models["B-MISC"], rules=False)("湛江廉江")
    assert records(doc) == []  # MISC has no label of ours
    loc = spacy.blank("zh")
    loc.add_pipe("cnpolicy_neural_ner", config={"model": str(models["B-LOC"])})
    located = loc("湛江")
    entities = [s._.cnpolicy_entity for s in located.spans["entities"]]
    assert [(e.label, e.text, e.code) for e in entities] == [
        ("GPE", "湛", None),
        ("GPE", "江", None),
    ]


def test_long_texts_are_cut_to_what_the_model_takes(tmp_path: Path) -> None:
    model = build_model(tmp_path / "short", "B-PER", max_length=16)
    text = "天气很好今天我们去看一看" * 9  # 108 characters, inputs of at most 14
    doc = pipeline(model, rules=False)(text)
    assert [start for _, _, start, _ in records(doc)] == list(range(len(text)))


def test_all_o_adds_nothing(models: dict[str, Path]) -> None:
    doc = pipeline(models["O"])("天气很好,张三去看一看")
    assert records(doc) == [] and list(doc.ents) == []


def test_decode_bio_bioes_and_io() -> None:
    offsets = [(0, 0), (0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (0, 0)]
    bio = ["O", "B-PER", "I-PER", "O", "I-LOC", "I-LOC", "O"]
    assert decode(bio, offsets) == [Prediction(0, 2, "PER"), Prediction(3, 5, "LOC")]
    bioes = ["O", "S-ORG", "B-ORG", "E-ORG", "B-PER", "I-ORG", "O"]
    assert decode(bioes, offsets) == [
        Prediction(0, 1, "ORG"),
        Prediction(1, 3, "ORG"),
        Prediction(3, 4, "PER"),
        Prediction(4, 5, "ORG"),
    ]
    assert decode(["O", "PER", "PER", "O", "LOC", "O", "O"], offsets) == [
        Prediction(0, 2, "PER"),
        Prediction(3, 4, "LOC"),
    ]


def test_chunks_cover_the_text_and_cut_at_sentence_ends() -> None:
    text = "第一句话。" * 30 + "没有标点的长句" * 20
    pieces = list(chunks(text, size=40))
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 40 and text[at : at + len(piece)] == piece for at, piece in pieces)
    assert pieces[0][1].endswith("。")


def test_missing_model_is_a_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="only local files"):
        load_model(str(tmp_path / "no-such-model"))
    with pytest.raises(ModelLoadError, match="no model given"):
        spacy.blank("zh").add_pipe("cnpolicy_neural_ner")


def test_without_transformers_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # makes `import transformers` fail
    with pytest.raises(ModelLoadError, match=r"cnpolicy\[neural\]"):
        load_model("any-model")


def test_pipeline_adds_the_component_when_a_model_is_set(models: dict[str, Path]) -> None:
    from cnpolicy.extract.pipeline import build_nlp

    nlp = build_nlp(ExtractOptions(metrics=False, sanding=False, neural_model=str(models["O"])))
    assert nlp.pipe_names == ["cnpolicy_entities", "cnpolicy_neural_ner"]


def run_cli_in_child(arguments: list[str]) -> tuple[list[dict[str, Any]], bool]:
    """`cnpolicy` run by its entry point in a fresh interpreter: its JSONL records and whether
    torch was loaded in that process by the end."""
    script = (
        "import sys\n"
        "from cnpolicy.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "print('torch loaded:', 'torch' in sys.modules, file=sys.stderr)\n"
        "raise SystemExit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *arguments], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded = done.stderr.strip().splitlines()[-1]
    return [json.loads(line) for line in done.stdout.splitlines()], loaded == "torch loaded: True"


def test_the_cli_keeps_torch_unloaded_when_no_model_is_asked_for(tmp_path: Path) -> None:
    # thinc imports torch on its own import when torch is installed (1.2 s, ~850 MB here).
    report = tmp_path / "report.txt"
    report.write_text("某市精简内设机构20个。", encoding="utf-8")
    found, torch_loaded = run_cli_in_child(["extract", str(report), "--format", "jsonl"])
    assert [m["value"] for m in found[0]["metrics"]] == [20]
    assert not torch_loaded


def test_the_cli_still_runs_a_neural_model(models: dict[str, Path], tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text("天气很好。张三", encoding="utf-8")
    found, torch_loaded = run_cli_in_child(
        ["extract", str(report), "--format", "jsonl", "--neural-model", str(models["B-PER"])]
    )
    people = [e["text"] for e in found[0]["entities"] if e["label"] == "PERSON"]
    assert torch_loaded and {"张", "三"} <= set(people)  # the model tags every character PER


def test_keeping_torch_from_thinc_leaves_other_imports_of_torch_alone() -> None:
    script = (
        "import sys\n"
        "from cnpolicy.imports import keep_torch_from_thinc\n"
        "keep_torch_from_thinc()\n"
        "import thinc.compat\n"
        "assert 'torch' not in sys.modules and not thinc.compat.has_torch\n"
        "import torch\n"
        "print(torch.tensor([2, 3]).sum().item())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "5"
