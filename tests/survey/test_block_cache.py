"""The export blocks' data kept in a process's memory."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sociaparis.core.caches import BoundedCache
from sociaparis.survey.block_cache import BLOCK_CACHE_BYTES, BlockKey, read_blocks

AT = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)


def _kept(budget: int = BLOCK_CACHE_BYTES) -> BoundedCache[BlockKey, bytes]:
    return BoundedCache(budget, weigh=len)


class Database:
    """Block data by id, counting what is fetched from it."""

    def __init__(self, blocks: dict[int, bytes]) -> None:
        self.blocks = blocks
        self.fetched: list[list[int]] = []

    def fetch(self, block_ids: list[int]) -> dict[int, bytes]:
        self.fetched.append(sorted(block_ids))
        return {i: self.blocks[i] for i in block_ids if i in self.blocks}


def test_a_block_read_again_is_not_fetched_again() -> None:
    cache, database = _kept(), Database({1: b"one", 2: b"two"})
    listed = {1: AT, 2: AT}
    assert read_blocks(cache, "db", 7, listed, database.fetch, complete=True) == {
        1: b"one",
        2: b"two",
    }
    assert read_blocks(cache, "db", 7, listed, database.fetch, complete=True) == {
        1: b"one",
        2: b"two",
    }
    assert database.fetched == [[1, 2]]
    assert (len(cache), cache.weight) == (2, 6)


@pytest.mark.parametrize(
    ("second_read", "fetched_again"),
    [
        (("db", 7, {1: AT}), []),  # the same block
        (("db", 7, {1: LATER}), [1]),  # claimed at another time: another block
        (("other-db", 7, {1: AT}), [1]),  # another database
        (("db", 8, {1: AT}), [1]),  # another version
    ],
)
def test_a_block_is_known_by_database_version_id_and_claim(
    second_read: tuple[str, int, dict[int, datetime]], fetched_again: list[int]
) -> None:
    cache, database = _kept(), Database({1: b"one"})
    read_blocks(cache, "db", 7, {1: AT}, database.fetch, complete=True)
    database.fetched.clear()
    read_blocks(cache, *second_read, database.fetch, complete=False)
    assert database.fetched == ([fetched_again] if fetched_again else [])


@pytest.mark.parametrize(("complete", "left"), [(True, 1), (False, 2)])
def test_a_block_no_longer_listed_is_forgotten_when_the_listing_is_complete(
    complete: bool, left: int
) -> None:
    cache, database = _kept(), Database({1: b"one", 2: b"two", 3: b"six"})
    read_blocks(cache, "db", 7, {1: AT, 2: AT}, database.fetch, complete=True)
    read_blocks(cache, "db", 8, {3: AT}, database.fetch, complete=True)  # another version
    # Block 2 was dropped (one of its responses changed).
    assert read_blocks(cache, "db", 7, {1: AT}, database.fetch, complete=complete) == {
        1: b"one"
    }
    assert len(cache) == left + 1
    assert read_blocks(cache, "db", 8, {3: AT}, database.fetch, complete=True) == {
        3: b"six"
    }


def test_a_block_dropped_before_its_data_is_fetched_is_left_out() -> None:
    cache, database = _kept(), Database({1: b"one"})
    assert read_blocks(cache, "db", 7, {1: AT, 2: AT}, database.fetch, complete=True) == {
        1: b"one"
    }
    assert len(cache) == 1


def test_the_blocks_read_longest_ago_go_first_over_the_budget() -> None:
    cache = _kept(budget=10)
    database = Database({1: b"aaaa", 2: b"bbbb", 3: b"cccc"})
    read_blocks(cache, "db", 7, {1: AT}, database.fetch, complete=False)
    read_blocks(cache, "db", 7, {2: AT}, database.fetch, complete=False)
    read_blocks(cache, "db", 7, {1: AT}, database.fetch, complete=False)  # 1 read last
    read_blocks(cache, "db", 7, {3: AT}, database.fetch, complete=False)
    assert cache.weight == 8
    database.fetched.clear()
    read_blocks(cache, "db", 7, {1: AT, 2: AT, 3: AT}, database.fetch, complete=False)
    assert database.fetched == [[2]]
