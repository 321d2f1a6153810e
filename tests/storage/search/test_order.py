"""List order and sorted searches (storage/search/order.py)."""

from __future__ import annotations

from storage import Library
from storage.search.order import ListOrder
from tests.storage.search.helpers import found, ids


# ------------------------------------------------------------------- sorting
def test_sort_orders(shared: Library) -> None:
    by_date = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY published DESC, id DESC")]
    assert ids(shared, "sort:date") == by_date
    assert ids(shared, "", sort="date") == by_date
    by_votes = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY upvotes DESC, id DESC")]
    assert ids(shared, "sort:upvotes") == by_votes
    by_title = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY title COLLATE NOCASE, id")]
    assert ids(shared, "sort:title") == by_title
    by_added = [r[0] for r in shared.conn.execute(
        "SELECT id FROM papers ORDER BY added_at DESC, id")]
    assert ids(shared, "sort:added") == by_added
    # Text with a sort: the matches, in that order.
    matched = found(shared, "quantization ")
    assert ids(shared, "quantization sort:date") == [i for i in by_date if i in matched]
    # What was typed beats the argument.
    assert shared.search("quantization sort:upvotes", sort="date").sort == "upvotes"
    assert ids(shared, "quantization ", sort="upvotes") == [i for i in by_votes
                                                           if i in matched]


def test_large_and_small_results_share_the_list_order(shared: Library) -> None:
    engine = shared._search
    order = ids(shared, "")
    for size in (1, 5, 12, 13, 100, 415):
        chosen = set(order[::max(1, len(order) // size)][:size])
        assert engine.order.ordered(chosen) == [i for i in order if i in chosen]


def test_list_order_is_newest_import_first_and_follows_a_new_import(library: Library) -> None:
    library.import_text("Zorblax Networks for Things\n\nWe study zorblax networks.\n"
                        "\nQuuxify Everything Now\n\nQuuxify all the models.\n")
    order = ListOrder(library.conn)
    assert list(order.every_id()) == [1, 2]
    library.import_text("Newer Paper About Blorps\n\nWe study blorps.\n", name="second")
    assert list(order.every_id()) == [1, 2]  # kept between searches
    order.reset()
    assert list(order.every_id()) == [3, 1, 2]
    assert order.ordered({2, 3}) == [3, 2] and order.ordered(set()) == []
    compiled = library._search.plan("sort:title").compiled
    assert order.listed(compiled, None, 0) == [3, 2, 1]  # Newer, Quuxify, Zorblax
    assert order.listed(compiled, 1, 1) == [2]
