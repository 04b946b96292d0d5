"""Tiered scores: a measured value (a test error, an accuracy) earns the points of the first tier it reaches.

An assignment's manifest lists the tiers of a score under ``[scoring.<name>]``, best first::

    tiers = [
      { name = "error below 5%", below = 5.0, points = 10 },
      { name = "error below 10%", below = 10.0, points = 5 },
      { name = "error of 10% or more", points = 0 },
    ]

A tier with ``below`` is reached by values strictly below it, one with ``above`` by values strictly
above it, and the last tier, with neither, by every value.
"""

from dataclasses import dataclass

from autograder.manifest import ManifestError


@dataclass(frozen=True)
class Tier:
    """One tier: its name in messages, its points and its bound (at most one of ``below``/``above``)."""

    name: str
    points: float
    below: float = None
    above: float = None

    def reached_by(self, value):
        """Whether ``value`` reaches this tier."""
        if self.below is not None:
            return value < self.below
        if self.above is not None:
            return value > self.above
        return True


def read_tiers(manifest, score, key="tiers"):
    """The tiers of ``[scoring.<score>]`` (its list under ``key``) in the manifest, best first.

    Raises ManifestError when the table is missing, a tier has both bounds, or the last tier has a bound.
    """
    table = manifest.scoring.get(score, {}).get(key)
    if not table:
        raise ManifestError(f"{manifest.path}: no {key} under [scoring.{score}]")
    tiers = [Tier(name=entry["name"], points=float(entry["points"]), below=entry.get("below"), above=entry.get("above"))
             for entry in table]
    if any(tier.below is not None and tier.above is not None for tier in tiers):
        raise ManifestError(f"{manifest.path}: a tier of [scoring.{score}] has both `below` and `above`")
    if tiers[-1].below is not None or tiers[-1].above is not None:
        raise ManifestError(f"{manifest.path}: the last tier of [scoring.{score}] must have no bound, so that every value reaches a tier")
    return tiers


def tier_reached(value, tiers):
    """The first of ``tiers`` that ``value`` reaches."""
    return next(tier for tier in tiers if tier.reached_by(value))
