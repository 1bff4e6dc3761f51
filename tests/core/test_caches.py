"""The one process-wide cache: its bound, its LRU order, its threads, and its users."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest

from sociaparis.core.caches import BoundedCache, memoized

THREADS = 8


def _twice(key: int) -> int:
    return key * 2


@pytest.mark.parametrize(
    ("maxsize", "asked", "kept"),
    [
        (2, [1, 2, 3], [2, 3]),  # the oldest goes
        (2, [1, 2, 1, 3], [1, 3]),  # a hit makes 1 recent: 2 goes
        (3, [1, 2, 3, 2, 1, 4], [2, 1, 4]),
        (1, [5, 5, 6], [6]),
        (4, [1, 2], [1, 2]),
    ],
)
def test_the_cache_keeps_the_most_recently_used(maxsize, asked, kept) -> None:
    cache: BoundedCache[int, int] = BoundedCache(maxsize)
    for key in asked:
        assert cache.get(key, _twice) == key * 2
    assert cache.keys() == kept
    assert len(cache) == len(kept) <= maxsize


def test_put_and_pop_keep_the_bound_and_the_order() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("a", 3)  # replaced, and now the most recent
    cache.put("c", 4)
    assert cache.keys() == ["a", "c"]
    assert cache.pop("a") == 3 and cache.pop("a") is None
    assert cache.pop("z", (None, None)) == (None, None)
    assert "c" in cache and "a" not in cache
    cache.clear()
    assert len(cache) == 0


@pytest.mark.parametrize(
    ("maxsize", "put", "kept", "weight"),
    [
        (10, ["aaaa", "bbbb", "cccc"], ["b", "c"], 8),  # 12 > 10: the oldest goes
        (10, ["aaaa", "bb", "cccc"], ["a", "b", "c"], 10),
        (10, ["aaaa", "aa"], ["a"], 2),  # a value replaced: its old weight goes
        (3, ["aa", "bbbb"], ["a"], 2),  # too heavy on its own: not kept
    ],
)
def test_a_weighed_cache_keeps_its_total_weight(maxsize, put, kept, weight) -> None:
    cache: BoundedCache[str, str] = BoundedCache(maxsize, weigh=len)
    for value in put:
        cache.put(value[0], value)
    assert cache.keys() == kept
    assert cache.weight == weight
    popped = cache.pop(kept[0])
    assert cache.weight == weight - len(popped)
    cache.clear()
    assert cache.weight == 0


def test_find_computes_nothing_and_makes_the_value_recent() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.find("a") == 1
    assert cache.find("z") is None and cache.find("z", 0) == 0
    cache.put("c", 3)  # b was used least lately
    assert cache.keys() == ["a", "c"]


@pytest.mark.parametrize("maxsize", [0, -1, 1.5, True, "8"])
def test_a_cache_needs_a_positive_size(maxsize) -> None:
    with pytest.raises(ValueError, match="maxsize"):
        BoundedCache(maxsize)


def _concurrently(get: Callable[[int], int], keys: list[int]) -> list[list[int]]:
    """Call ``get`` on every key from THREADS threads started together."""
    barrier = threading.Barrier(THREADS)
    results: list[list[int]] = [[] for _ in range(THREADS)]

    def run(slot: int) -> None:
        barrier.wait()
        results[slot] = [get(key) for key in keys]

    threads = [threading.Thread(target=run, args=(slot,)) for slot in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


def _slow_counting(calls: Counter[int]) -> Callable[[int], int]:
    lock = threading.Lock()

    def compute(key: int) -> int:
        with lock:
            calls[key] += 1
        time.sleep(0.005)  # leaves the other threads time to ask for the key
        return key * 2

    return compute


def test_concurrent_threads_compute_each_key_once() -> None:
    cache: BoundedCache[int, int] = BoundedCache(64)
    calls: Counter[int] = Counter()
    compute = _slow_counting(calls)
    keys = [1, 2, 3, 1, 4, 2, 5, 3]
    results = _concurrently(lambda key: cache.get(key, compute), keys)
    assert results == [[key * 2 for key in keys]] * THREADS
    assert calls == Counter(dict.fromkeys(set(keys), 1))


def test_a_thread_waiting_for_a_key_gets_the_value_computed() -> None:
    cache: BoundedCache[str, str] = BoundedCache(4)
    computing, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def compute(key: str) -> str:
        calls.append(key)
        computing.set()
        release.wait(timeout=30)
        return key.upper()

    first = threading.Thread(target=cache.get, args=("k", compute))
    first.start()
    assert computing.wait(timeout=30)
    got: list[str] = []
    second = threading.Thread(target=lambda: got.append(cache.get("k", compute)))
    other = threading.Thread(target=lambda: got.append(cache.get("o", str.upper)))
    try:
        second.start()
        other.start()
        other.join(timeout=30)
        assert got == ["O"]  # another key is not held up by "k"
    finally:
        release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert got == ["O", "K"] and calls == ["k"]


def test_a_failed_computation_stores_nothing() -> None:
    cache: BoundedCache[int, int] = BoundedCache(4)

    def fail(key: int) -> int:
        raise RuntimeError(f"no {key}")

    with pytest.raises(RuntimeError, match="no 3"):
        cache.get(3, fail)
    assert 3 not in cache
    assert cache.get(3, _twice) == 6


def test_a_computation_may_use_its_own_cache() -> None:
    cache: BoundedCache[int, int] = BoundedCache(16)

    def factorial(n: int) -> int:
        return 1 if n <= 1 else n * cache.get(n - 1, factorial)

    assert cache.get(6, factorial) == 720
    assert cache.keys() == [1, 2, 3, 4, 5, 6]

    def again(key: int) -> int:
        # The same key from inside its own computation: computed, no deadlock.
        return cache.get(key, _twice) + 1

    assert cache.get(20, again) == 41
    assert cache.get(20, _twice) == 41


def test_a_memoized_function_keeps_its_most_recent_results() -> None:
    calls: list[tuple[object, ...]] = []

    @memoized(maxsize=2)
    def join(a: object, b: str = "", *, sep: str = "-") -> str:
        """Join."""
        calls.append((a, b, sep))
        return f"{a}{sep}{b}"

    answers = [join("x"), join("x", sep="+"), join("x"), join("y"), join("x", sep="+")]
    assert answers == ["x-", "x+", "x-", "y-", "x+"]
    # ("x", "+") was the least recently used when "y" came: computed again
    assert calls == [("x", "", "-"), ("x", "", "+"), ("y", "", "-"), ("x", "", "+")]
    assert join.cache_info().currsize == 2 and join.memoized
    assert join.__name__ == "join" and join.__doc__ == "Join."


def test_a_memoized_function_is_coherent_under_threads() -> None:
    calls: Counter[int] = Counter()
    slow = _slow_counting(calls)

    @memoized(maxsize=3)
    def double(key: int) -> int:
        return slow(key)

    keys = [1, 2, 1, 3, 2, 4]
    results = _concurrently(double, keys)
    assert results == [[key * 2 for key in keys]] * THREADS
    assert double.cache_info().currsize == 3


@pytest.mark.parametrize("maxsize", [0, True, None])
def test_memoized_needs_a_positive_size(maxsize) -> None:
    with pytest.raises(ValueError, match="maxsize"):
        memoized(maxsize)


def _process_caches() -> dict[str, object]:
    from sociaparis.core.statements import DirectStatement
    from sociaparis.survey import block_cache, logic, service, xpath
    from sociaparis.survey.fielding import layout
    from sociaparis.survey.fielding import service as fielding
    from sociaparis.survey.xpath import functions, values
    from sociaparis.web import questions
    from sociaparis.web.routes import survey

    statement = next(
        value for value in vars(fielding).values() if isinstance(value, DirectStatement)
    )
    return {
        "instrument versions": fielding._INSTRUMENTS,
        "instrument models": service._MODELS,
        "form plans": logic._PLANS,
        "compiled statements": statement._compiled,
        "statement result types": statement._results,
        "views shown": survey._SHOWN_VIEWS,
        "next pages' evaluations": survey._NEXT_PAGE_EVALUATIONS,
        "parsed expressions": xpath.parse,
        "regular expressions": functions._compile_regex,
        "numbers of strings": values._cached_string_to_number,
        "question texts": layout._question_texts,
        "labels' markdown": questions.odk_markdown,
        "questions' HTML": questions._question_blocks,
        "export blocks' data": block_cache.BLOCK_DATA,
    }


@pytest.mark.parametrize("name", sorted(_process_caches()))
def test_every_process_cache_is_bounded_and_thread_safe(name) -> None:
    cache = _process_caches()[name]
    # A BoundedCache is bounded and locked by construction (tested above); a
    # memoized function is an lru_cache, bounded unless its maxsize is None.
    assert isinstance(cache, BoundedCache) or (
        getattr(cache, "memoized", False) is True
        and cache.cache_parameters()["maxsize"] is not None
    )


def test_the_stored_versions_cache_forgets_the_least_recent_not_everything() -> None:
    from sociaparis.survey.fielding import service as fielding

    kept = fielding._INSTRUMENTS
    assert isinstance(kept, BoundedCache)
    saved = [(key, kept.get(key, _twice)) for key in kept.keys()]
    try:
        kept.clear()
        for number in range(kept.maxsize + 1):
            kept.put((number, "hash"), number)
        assert len(kept) == kept.maxsize and (0, "hash") not in kept
        assert (1, "hash") in kept and (kept.maxsize, "hash") in kept
    finally:
        kept.clear()
        for key, value in saved:
            kept.put(key, value)
