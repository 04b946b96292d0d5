"""Tiered scores at each boundary of the handout's tiers (read from the mlp_cifar10 manifest)."""

from pathlib import Path

import pytest

from autograder.manifest import load_manifest
from autograder.scoring import read_tiers, tier_reached

MANIFEST = load_manifest(Path(__file__).resolve().parents[2] / "solutions" / "mlp_cifar10" / "assignment.toml")


@pytest.mark.parametrize("error, points", [
    (0.0, 10), (4.99, 10), (5.0, 5), (9.99, 5), (10.0, 3), (19.99, 3), (20.0, 0), (100.0, 0),
])
def test_p1_tiers_by_test_error_percent(error, points):
    tier = tier_reached(error, read_tiers(MANIFEST, "p1"))
    assert tier.points == points, f"test error {error}%: expected {points} points, got {tier.points:g} ({tier.name})"


@pytest.mark.parametrize("accuracy, points", [
    (100.0, 15), (90.01, 15), (90.0, 10), (85.01, 10), (85.0, 5), (80.01, 5), (80.0, 3), (75.01, 3), (75.0, 0), (0.0, 0),
])
def test_p2_tiers_by_test_accuracy_percent(accuracy, points):
    tier = tier_reached(accuracy, read_tiers(MANIFEST, "p2"))
    assert tier.points == points, f"test accuracy {accuracy}%: expected {points} points, got {tier.points:g} ({tier.name})"


def test_the_top_tier_of_each_score_is_its_points_plus_its_extra_credit():
    for score, part in (("p1", "1e"), ("p2", "2b")):
        top = read_tiers(MANIFEST, score)[0].points
        expected = MANIFEST.parts[part].points + MANIFEST.parts[part].extra_credit
        assert top == expected, f"[scoring.{score}]: top tier {top:g}, part {part} offers {expected:g}"
