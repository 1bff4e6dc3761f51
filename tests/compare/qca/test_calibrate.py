"""Calibration: hand-derived values and the error catalog (R values: test_conformance)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sociaparis.compare.qca.calibrate import calibrate, calibrate_sets, parse_thresholds
from sociaparis.compare.qca.errors import QCAError
from sociaparis.core.errors import SociaparisError

X = [10, 20, 30, 40, 50]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"type": "crisp", "thresholds": 30}, [0, 0, 1, 1, 1]),
        ({"type": "crisp", "thresholds": [20, 40]}, [0, 1, 1, 2, 2]),
        # logistic: at the inclusion threshold membership = idm
        (
            {"thresholds": "e=10, c=30, i=50"},
            [0.05, 1 / (1 + 19**0.5), 0.5, 1 / (1 + 19**-0.5), 0.95],
        ),
        (
            {"thresholds": "i=10, c=30, e=50"},
            [0.95, 1 / (1 + 19**-0.5), 0.5, 1 / (1 + 19**0.5), 0.05],
        ),
        # linear: straight lines between the anchors
        ({"thresholds": "e=10, c=30, i=50", "logistic": False}, [0, 0.25, 0.5, 0.75, 1]),
        # bell: rises to 1 between i1 and i2, falls after
        (
            {"thresholds": "e1=10, c1=15, i1=20, i2=30, c2=40, e2=50", "logistic": False},
            [0, 1, 1, 0.5, 0],
        ),
    ],
)
def test_calibrate_by_hand(options: dict, expected: list[float]) -> None:
    np.testing.assert_allclose(calibrate(X, **options), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"thresholds": 99}, "outside the range"),
        ({"thresholds": "e=10, c=30, i=50, x=20"}, "3 or 6"),
        ({"type": "crisp", "thresholds": "e=10, c=30, i=50"}, "named thresholds"),
        ({"thresholds": "e=10, c=x, i=50"}, "not numbers"),
    ],
)
def test_bad_thresholds(options: dict, reason: str) -> None:
    with pytest.raises(SociaparisError) as raised:
        calibrate(X, **options)
    assert raised.value.error is QCAError.BAD_THRESHOLDS
    assert reason in raised.value.message


def test_parse_thresholds_orders_names() -> None:
    parsed = parse_thresholds({"i": 9, "e": 1, "c": 5})
    assert parsed.names == ("i", "e", "c")
    # the named order is restored by calibrate: i first means a decreasing set
    assert math.isclose(
        calibrate([1, 5, 9], thresholds={"i": 1, "c": 5, "e": 9})[0], 0.95
    )


def test_calibrate_sets_map_and_negate() -> None:
    raw = pd.DataFrame({"tool": ["a", "b"], "score": [1, 9]}, index=["x", "y"])
    plan = {
        "A": {"source": "tool", "map": {"a": 1, "b": 0}},
        "LOW": {"source": "score", "thresholds": "e=1, c=5, i=9", "negate": True},
    }
    sets = calibrate_sets(raw, plan)
    assert list(sets.columns) == ["A", "LOW"]
    np.testing.assert_allclose(sets["LOW"], [0.95, 0.05])
    with pytest.raises(SociaparisError) as raised:
        calibrate_sets(raw, {"A": {"source": "tool", "map": {"a": 1}}})
    assert raised.value.error is QCAError.BAD_CALIBRATION
