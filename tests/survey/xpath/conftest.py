"""A stub evaluation context for the XPath tests."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest

from sociaparis.survey.xpath import Value, XPathError, XPathErrorCode, evaluate

# 2024-03-05 10:30:15.250 at UTC+01:00 (Paris, winter time): a Tuesday.
FIXED_NOW = datetime(2024, 3, 5, 10, 30, 15, 250000, tzinfo=timezone(timedelta(hours=1)))


@dataclass
class StubContext:
    """Answers from a dict; repeat instances as lists; labels as 'question:value'."""

    values: Mapping[str, str | Sequence[str]] = field(default_factory=dict)
    here: str = ""
    repeat_position: int | None = None
    repeats: Mapping[str, Sequence[str]] = field(default_factory=dict)
    moment: datetime = FIXED_NOW
    choice: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, name: str) -> str | Sequence[str]:
        return self.values.get(name, "")

    def current(self) -> str:
        return self.here

    def position(self) -> int:
        if self.repeat_position is None:
            raise XPathError(XPathErrorCode.NOT_IN_REPEAT, expression="position(..)")
        return self.repeat_position

    def indexed(self, name: str, repeat: str, index: int) -> str:
        instances = self.repeats.get(name, ())
        return instances[index - 1] if 1 <= index <= len(instances) else ""

    def choice_label(self, question: str, value: str) -> str:
        return f"{question}:{value}" if value else ""

    def now(self) -> datetime:
        return self.moment

    def choice_value(self, column: str) -> str:
        return self.choice.get(column, "")


Evaluator = Callable[..., Value]


@pytest.fixture
def xeval() -> Evaluator:
    """Evaluate an expression with answers given as keyword arguments."""

    def run(
        expression: str,
        values: Mapping[str, str | Sequence[str]] | None = None,
        **options: object,
    ) -> Value:
        return evaluate(expression, StubContext(values or {}, **options))  # type: ignore[arg-type]

    return run


@pytest.fixture
def stub() -> type[StubContext]:
    """The stub context class, for tests that build contexts themselves."""
    return StubContext
