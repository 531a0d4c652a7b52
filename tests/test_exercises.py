"""Tests for the exercise catalog and its loader (runaudit.advice.exercises)."""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from runaudit.advice.exercises import (
    RULES,
    Catalog,
    Exercise,
    exercise_to_dict,
    exercises_for_rule,
    format_catalog,
    format_exercise,
    load_catalog,
    parse_catalog,
)

REPO = Path(__file__).resolve().parents[1]
NGRAM = 8

SOURCE_TITLES = {
    "How to Fix Runner’s Knee Fast: 6 Proven Exercises from the Moment Team",
    "Six exercises to help with runner’s knee",
    "Best Exercises for Runner's Knee: Quick Relief Tips",
    "Runners Knee Exercises (Strengthening Exercises)",
    "Dealing With Runner’s Knee? Feel Better with These PT-Approved Tips and Exercises",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    text = resources.files("runaudit.advice.exercises").joinpath("catalog.toml").read_text("utf-8")
    return tomllib.loads(text)


# --------------------------------------------------------------------------------------------
# Loading and structure
# --------------------------------------------------------------------------------------------


def test_catalog_loads_and_is_cached(catalog: Catalog) -> None:
    assert isinstance(catalog, Catalog)
    assert load_catalog() is catalog
    assert 15 <= len(catalog.exercises) <= 25


def test_sources_are_the_five_articles(catalog: Catalog) -> None:
    assert {s.title for s in catalog.sources} == SOURCE_TITLES
    assert [s.id for s in catalog.sources] == [f"seed-00{i}" for i in range(5)]
    assert all(s.file.endswith(".txt") for s in catalog.sources)


@pytest.mark.parametrize("ex_id", list(load_catalog().exercises))
def test_exercise_is_complete(catalog: Catalog, ex_id: str) -> None:
    ex = catalog.exercises[ex_id]
    assert ex.id == ex_id
    assert re.fullmatch(r"[a-z][a-z0-9_]*", ex.id)
    assert ex.name and ex.targets
    assert 3 <= len(ex.steps) <= 5
    assert all(step.strip() for step in ex.steps)
    assert ex.dose.sets >= 1
    assert ex.dose.frequency
    assert ex.dose_text
    assert isinstance(ex.dose_from_source, bool)
    assert ex.progression and ex.regression
    assert ex.sources
    assert set(ex.sources) <= SOURCE_TITLES


def test_every_rule_maps_to_existing_exercises(catalog: Catalog) -> None:
    assert tuple(catalog.rules) == RULES
    for rule in RULES:
        ids = catalog.rules[rule]
        assert ids, rule
        assert all(ex_id in catalog.exercises for ex_id in ids)
        assert catalog.rule_descriptions[rule]


def test_rule_priorities(catalog: Catalog) -> None:
    for rule in ("ramp_up", "missing_deload", "long_run_spike"):
        assert catalog.rules[rule][0] == "load_management"
    assert catalog.rules["downhill_volume"][:3] == (
        "forward_step_down",
        "single_leg_wall_sit",
        "eccentric_single_leg_squat",
    )
    assert catalog.rules["low_cadence"][:2] == ("pogo_hops_metronome", "cadence_drill")
    assert catalog.rules["hip_control"][0] == "clamshell"


def test_every_article_is_cited(catalog: Catalog) -> None:
    cited = {title for ex in catalog.exercises.values() for title in ex.sources}
    assert cited == SOURCE_TITLES


def test_advice_red_flags_and_disclaimer(catalog: Catalog) -> None:
    assert catalog.advice
    assert catalog.red_flags
    for item in (*catalog.advice, *catalog.red_flags):
        assert item.sources and set(item.sources) <= SOURCE_TITLES
    flag_ids = {flag.id for flag in catalog.red_flags}
    assert {"knee_giving_way", "marked_swelling", "worsening"} <= flag_ids
    assert "medical advice" in catalog.disclaimer.lower()
    advice_text = " ".join(a.text for a in catalog.advice)
    assert "4–6 weeks" in advice_text


def test_exercise_to_dict_is_json_ready(catalog: Catalog) -> None:
    for ex in catalog.exercises.values():
        data = exercise_to_dict(ex)
        assert json.loads(json.dumps(data)) == data
        assert data["id"] == ex.id
        assert isinstance(data["steps"], list)
        assert set(data["dose"]) == {"sets", "reps", "hold_s", "per_side", "frequency"}


# --------------------------------------------------------------------------------------------
# Lookup and rendering
# --------------------------------------------------------------------------------------------


def test_exercises_for_rule_returns_ordered_exercises() -> None:
    exercises = exercises_for_rule("downhill_volume")
    assert all(isinstance(ex, Exercise) for ex in exercises)
    assert exercises[0].id == "forward_step_down"


def test_unknown_rule_raises_key_error() -> None:
    with pytest.raises(KeyError, match="known rules"):
        exercises_for_rule("not_a_rule")
    with pytest.raises(KeyError):
        format_catalog("not_a_rule")


def test_format_catalog_for_rule_lists_forward_step_down_first(catalog: Catalog) -> None:
    text = format_catalog("downhill_volume")
    assert "downhill_volume" in text.splitlines()[0]
    numbered = [line for line in text.splitlines() if re.match(r"^\d+\. ", line)]
    names = [catalog.exercises[ex_id].name for ex_id in catalog.rules["downhill_volume"]]
    assert numbered == [f"{n}. {name}" for n, name in enumerate(names, 1)]
    assert numbered[0] == "1. Forward step-down"
    assert catalog.disclaimer.split()[0] in text


def test_format_catalog_without_rule_lists_everything(catalog: Catalog) -> None:
    text = format_catalog()
    for rule in RULES:
        assert f"{rule}:" in text
    assert "Red flags" in text
    assert "Training advice" in text
    flat = " ".join(text.split())
    assert catalog.disclaimer in flat


def test_format_exercise_contents(catalog: Catalog) -> None:
    ex = catalog.exercises["clamshell"]
    text = format_exercise(ex)
    assert text.splitlines()[0] == ex.name
    flat = " ".join(text.split())
    for label in ("Targets:", "Dose:", "Steps:", "Progression:", "Regression:", "Sources:"):
        assert label in flat
    for n, step in enumerate(ex.steps, 1):
        assert f"{n}. {step}" in flat
    assert all(len(line) <= 100 for line in text.splitlines())


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def test_group_with_unknown_exercise_is_rejected(raw: dict[str, Any]) -> None:
    bad = copy.deepcopy(raw)
    bad["groups"]["hip_control"] = ["clamshell", "no_such_exercise"]
    with pytest.raises(ValueError, match="no_such_exercise"):
        parse_catalog(bad)


def test_missing_group_is_rejected(raw: dict[str, Any]) -> None:
    bad = copy.deepcopy(raw)
    del bad["groups"]["hip_control"]
    with pytest.raises(ValueError, match="hip_control"):
        parse_catalog(bad)


def test_unknown_source_title_is_rejected(raw: dict[str, Any]) -> None:
    bad = copy.deepcopy(raw)
    bad["exercises"][0]["sources"] = ["A made-up article"]
    with pytest.raises(ValueError, match="unknown source"):
        parse_catalog(bad)


def test_exercise_without_source_is_rejected(raw: dict[str, Any]) -> None:
    bad = copy.deepcopy(raw)
    bad["exercises"][0]["sources"] = []
    with pytest.raises(ValueError, match="cites no source"):
        parse_catalog(bad)


def test_wrong_step_count_is_rejected(raw: dict[str, Any]) -> None:
    bad = copy.deepcopy(raw)
    bad["exercises"][0]["steps"] = ["Do it."]
    with pytest.raises(ValueError, match="3-5 steps"):
        parse_catalog(bad)


# --------------------------------------------------------------------------------------------
# No copying from the source articles
# --------------------------------------------------------------------------------------------

_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "′": "'", "″": '"'})


def _words(text: str) -> list[str]:
    """Lowercase, normalise curly quotes, drop apostrophes and split on punctuation."""
    text = text.translate(_QUOTES).lower().replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def _ngrams(words: list[str], n: int = NGRAM) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _catalog_text(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield (path, text) for every string in the TOML document.

    Source citations (``sources`` lists and the ``[[sources]]`` table) are skipped: they are
    article titles and are meant to match the articles exactly.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "sources":
                yield from _catalog_text(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _catalog_text(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def _seeds_dir() -> Path:
    shared = os.environ.get("RUNAUDIT_SHARED")
    base = Path(shared) if shared else REPO.parent / "shared"
    return base / "seeds"


def test_words_normalisation() -> None:
    expected = ["runners", "knee", "dont", "single", "leg"]
    assert _words("Runner’s knee—“don’t” Single-Leg!") == expected


def test_no_eight_word_run_copied_from_articles(raw: dict[str, Any]) -> None:
    seeds = sorted(_seeds_dir().glob("*.txt"))
    if not seeds:
        pytest.skip(f"{_seeds_dir()}: shared/seeds not found; set RUNAUDIT_SHARED")
    seed_grams: dict[tuple[str, ...], str] = {}
    for seed in seeds:
        for gram in _ngrams(_words(seed.read_text(encoding="utf-8"))):
            seed_grams.setdefault(gram, seed.name)

    texts = list(_catalog_text(raw))
    assert len(texts) > 100  # sanity check that the walk found the prose
    copied = [
        f"{path}: '{' '.join(gram)}' (from {seed_grams[gram]})"
        for path, text in texts
        for gram in sorted(_ngrams(_words(text)))
        if gram in seed_grams
    ]
    assert not copied, "text copied from source articles:\n" + "\n".join(copied)


def test_source_files_exist_and_titles_match(catalog: Catalog) -> None:
    seeds = _seeds_dir()
    if not seeds.is_dir():
        pytest.skip(f"{seeds}: shared/seeds not found; set RUNAUDIT_SHARED")
    for source in catalog.sources:
        text = (seeds / source.file).read_text(encoding="utf-8")
        assert source.title in text[:2000], source.file
