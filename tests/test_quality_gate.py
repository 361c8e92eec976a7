"""Quality gate: metric extraction against the gold sets must stay above pinned floors.

Floors are what was measured when they were pinned, rounded down a little (see each constant).
The shared development set (../shared/corpus) is skipped when absent; our own annotated
samples (corpora/gold) and the blind held-out set (corpora/heldout, annotated by someone else
and never tuned on string by string) are checked when present.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnpolicy.quality.evaluate import Scores, evaluate

# Shared set (3 real reform reports, 96 gold metrics), measured: F1 1.000, subject 0.917
# (exact match), region 1.000, every change's before right. The floors are F1 0.95,
# subject 0.90, region 0.95; ours sit just under what we measured.
SHARED_FLOORS = {"f1": 0.98, "subject": 0.90, "region": 0.98, "before": 1.0}
# corpora/ (11 samples in txt, HTML, PDF, DOCX written by us, 204 gold metrics), measured:
# F1 1.000, subject 0.907, region 1.000, before 1.000, indicator 0.909.
CORPORA_FLOORS = {"f1": 0.98, "subject": 0.89, "region": 0.98, "before": 0.97, "indicator": 0.88}
# corpora/heldout (5 documents in txt, HTML, PDF, DOCX, 194 gold metrics), measured after the
# rounds of general rules: F1 1.000, region 1.000, subject 0.794 exact / 0.964 lenient (one
# subject contains the other: the annotator's phrase boundaries differ from ours more than the
# thing named does, so the lenient rate is the one gated), indicator 0.900.
HELDOUT_FLOORS = {"f1": 0.98, "region": 0.98, "subject_lenient": 0.94, "indicator": 0.87}

# corpora/heldout2 (7 documents: txt, GBK txt, GBK HTML, HTML, PDF x2, DOCX; 214 gold metrics),
# written blind in this round. First run: F1 0.974, subject 0.454 / 0.785, region 0.873; after
# the general rules it prompted: F1 1.000, subject 0.710 / 0.963, region 1.000, indicator 0.867.
HELDOUT2_FLOORS = {"f1": 0.98, "region": 0.98, "subject_lenient": 0.93, "before": 1.0}


def rates(scores: Scores) -> dict[str, float]:
    return {
        "f1": scores.f1,
        **{
            name: scores.rate(name)
            for name in ("subject", "subject_lenient", "region", "before", "indicator")
        },
    }


def check(scores: Scores, floors: dict[str, float]) -> None:
    measured = rates(scores)
    below = {
        name: round(measured[name], 4) for name, floor in floors.items() if measured[name] < floor
    }
    missed = [g.quote for g in scores.missed]
    spurious = [m.text for m in scores.spurious]
    assert not below, f"below the floors {floors}: {below}; missed {missed}; spurious {spurious}"


def test_shared_development_set(shared_corpus: Path) -> None:
    report = evaluate(shared_corpus / "gold", shared_corpus / "reform")
    assert report.overall.tp > 0
    check(report.overall, SHARED_FLOORS)


def test_our_annotated_samples(corpora: Path) -> None:
    gold = corpora / "gold"
    if not any(gold.glob("*.jsonl")):
        pytest.skip(f"no annotated samples in {gold} yet")
    report = evaluate(gold, corpora)
    assert report.overall.tp > 0
    check(report.overall, CORPORA_FLOORS)


@pytest.mark.parametrize(
    ("folder", "floors"), [("heldout", HELDOUT_FLOORS), ("heldout2", HELDOUT2_FLOORS)]
)
def test_held_out_sets(corpora: Path, folder: str, floors: dict[str, float]) -> None:
    gold = corpora / folder / "gold"
    if not any(gold.glob("*.jsonl")):
        pytest.skip(f"no held-out gold in {gold}")
    report = evaluate(gold, corpora / folder)
    assert report.overall.tp > 0
    check(report.overall, floors)


# corpora/realtune (4 real work reports: 1960, 1985, 2024 national, jilin-2026; 391 gold metrics)
# is a TUNING set: first run F1 0.888, after the statistic-family rules F1 0.985. A regression
# gate for those families, not an estimate (the blind sets are corpora/realgold*).
REALTUNE_FLOORS = {"f1": 0.97, "before": 1.0}


def test_real_tuning_set(corpora: Path, shared_corpus: Path) -> None:
    real = shared_corpus / "real"
    if not real.is_dir():
        pytest.skip(f"the real documents are not at {real}")
    report = evaluate(corpora / "realtune", real)
    assert report.overall.tp > 0
    check(report.overall, REALTUNE_FLOORS)


# The blind real-report sets (corpora/realgold*: State Council and provincial work reports,
# annotated by helpers who never saw extract/; their first runs are in the README). Each is a
# regression gate now that its errors were read, floors just under the last measured figures:
# realgold (6 reports, 435 mentions) F1 0.973, subject lenient 0.900, region 0.993;
# realgold2 (3 reports, 416) F1 0.961, lenient 0.905, region 1.000;
# realgold3 (sichuan-2026, guangdong-2026; 603) F1 0.961, lenient 0.909, region 0.957;
# realgold4 (hunan-2026, guowuyuan-2005; 279) first run F1 0.966, lenient 0.905, region 0.996;
# realgold5 (guowuyuan-1994, -2008; 155) first run F1 0.966, lenient 0.844, region 1.000;
# realgold6 (jiangsu-2026, guowuyuan-2012; 237) first run F1 0.973, lenient 0.819, region 0.978;
# realgold7 (shanxi-2026, guowuyuan-1999; 232) first run F1 0.944, lenient 0.910, region 0.986.
# After the subject kinds read from realgold5–7 (lists before 分别 with whole items, pairs joined
# by 和, 国家 in names, 年均 with its rate verb, qualifiers, per-capita leads, older 分别 lists, a
# middle dot as decimal point): lenient 0.904, 0.917, 0.926, 0.941, 0.909, 0.901, 0.956; realgold7
# F1 0.962 (the middle dot); the others' F1 and every region unchanged.
# realgold8 (fujian-2026, guowuyuan-2019; 267) first run after that F1 0.974, lenient 0.905,
# region 0.989; realgold9 (hubei-2026, guowuyuan-2003; 268) F1 0.980, lenient 0.857, region 0.993.
# After the subject kinds read from realgold8–9 (a target's 要, a benchmark after 是, naming
# numerals, a measure after 的, 分别 inside, the object of 把, mistagged words): lenient realgold
# 0.907, realgold8 0.947, realgold9 0.906; F1, region and the other sets unchanged.
# realgold10 (anhui-2026, guowuyuan-2013; 296) first run after the kinds read from realgold8-9:
# F1 0.964, lenient 0.931, region 0.990. After the kinds read from it (a change's value dated by
# 去年/现在, the verb before a counted milestone, a manner adverb before the rate verb, 累计 with
# it): realgold10 F1 0.968, lenient 0.955; realgold5 F1 0.969; the others unchanged or better.
# realgold11 (chongqing-2026, guowuyuan-2010; 410) first run at 113f67b: F1 0.970, lenient 0.922,
# region 0.987; 0.992 after 全国 inside a name (新创建全国文明城市) was left to the place. After
# its kinds (翻番 without a numeral, decimals are no code, 关口 a milestone): F1 0.975, lenient
# 0.930; realgold2/4/8/10 F1 0.963/0.970/0.976/0.972.
REALGOLD_FLOORS = {
    "realgold": {"f1": 0.97, "subject_lenient": 0.905, "region": 0.99},
    "realgold2": {"f1": 0.955, "subject_lenient": 0.915, "region": 0.99},
    "realgold3": {"f1": 0.955, "subject_lenient": 0.92, "region": 0.95},
    "realgold4": {"f1": 0.96, "subject_lenient": 0.935, "region": 0.99},
    "realgold5": {"f1": 0.96, "subject_lenient": 0.905, "region": 0.99},
    "realgold6": {"f1": 0.97, "subject_lenient": 0.895, "region": 0.985},
    "realgold7": {"f1": 0.955, "subject_lenient": 0.95, "region": 0.99},
    "realgold8": {"f1": 0.97, "subject_lenient": 0.945, "region": 0.99},
    "realgold9": {"f1": 0.975, "subject_lenient": 0.905, "region": 0.99},
    "realgold10": {"f1": 0.965, "subject_lenient": 0.95, "region": 0.985},
    "realgold11": {"f1": 0.97, "subject_lenient": 0.925, "region": 0.985},
}


@pytest.mark.parametrize("folder", sorted(REALGOLD_FLOORS))
def test_blind_real_report_sets(corpora: Path, shared_corpus: Path, folder: str) -> None:
    real = shared_corpus / "real"
    if not real.is_dir():
        pytest.skip(f"the real documents are not at {real}")
    report = evaluate(corpora / folder, real)
    assert report.overall.tp > 150
    check(report.overall, REALGOLD_FLOORS[folder])
