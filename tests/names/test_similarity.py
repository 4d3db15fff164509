"""name_similarity (tahqiq.names.similarity): variants, typos, different people, labelled pairs."""

from __future__ import annotations

import pytest

from tahqiq.names import name_similarity, skeleton_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad Aslam", "Mohd. Aslam"),
        ("Muhammad Aslam", "محمد اسلم"),
        ("Muhammad Aslam", "Aslam Muhammad"),
        ("Ghulam Rasool", "Gulam Rasul"),
        ("Ch. Muhammad Akram", "Chaudhry Mohd Akram"),
        ("Abdul Rehman", "Abdur Rahman"),
        ("Malik Riaz", "Riaz Malik"),
    ],
)
def test_variants_score_one(a, b):
    assert name_similarity(a, b) == 1.0


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Muhammad Aslam", "Mohammad Aslma"),
        ("Muhammad Aslam", "Muhammad Alsam"),  # transposition
        ("Akram", "Akarm"),
        ("Nasreen", "Nasren"),
        ("Tariq", "Tairq"),
        ("Shahzaib Khan", "Shah Zaib Khan"),
        ("Muzammil Hussain", "Muzamil Husain"),
        ("Ghulam Mustafa", "Ghulam Mustfa"),
    ],
)
def test_typos_still_score_high(a, b):
    assert name_similarity(a, b) >= 0.85


@pytest.mark.parametrize(
    ("a", "b", "most"),
    [
        ("Aslam", "Akram", 0.5),
        ("Fatima", "Fakhra", 0.5),
        ("Muhammad Aslam", "Muhammad Akram", 0.65),
        ("Fatima Bibi", "Fakhra Bibi", 0.65),
        ("Hasan", "Hussain", 0.5),
        ("Saleem", "Aslam", 0.3),
        ("Muhammad", "Mahmood", 0.5),
        ("Ghulam Rasool", "Ghulam Qadir", 0.65),
        ("محمد اسلم", "Muhammad Akram", 0.65),
    ],
)
def test_different_people_score_clearly_lower(a, b, most):
    assert name_similarity(a, b) <= most
    assert name_similarity(a, b) < name_similarity(a, a) - 0.3


def test_similarity_edge_cases():
    assert name_similarity("", "") == 0.0
    assert name_similarity("Aslam", "") == 0.0
    assert name_similarity("Muhammad Aslam", "Aslam") >= 0.8  # Muhammad weighs little
    assert name_similarity("Hamid", "Hameed") == pytest.approx(0.8)  # different names, confused in Roman
    assert name_similarity("Fatima", "Fakhra") == name_similarity("Fakhra", "Fatima")


def test_labelled_pairs_accuracy():
    from tahqiq.names.data.accuracy import load_pairs

    pairs = load_pairs()
    same = [(a, b) for a, b, label, group in pairs if label == "same" and group != "typo"]
    diff = [(a, b) for a, b, label, _ in pairs if label == "diff"]
    assert len(same) > 200 and len(diff) > 60
    same_skeleton = sum(skeleton_key(a) == skeleton_key(b) for a, b in same) / len(same)
    same_hi = sum(name_similarity(a, b) >= 0.85 for a, b in same) / len(same)
    diff_hi = sum(name_similarity(a, b) >= 0.85 for a, b in diff) / len(diff)
    diff_skeleton = sum(skeleton_key(a) == skeleton_key(b) for a, b in diff) / len(diff)
    assert same_skeleton >= 0.97
    assert same_hi >= 0.97
    assert diff_hi <= 0.02
    assert diff_skeleton <= 0.35  # the skeleton is a blocking key: look-alike names do collide
