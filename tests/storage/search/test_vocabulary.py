"""The index's terms, their paper counts and readable forms (storage/search/vocabulary.py)."""

from __future__ import annotations

from storage import Library
from storage.search.vocabulary import PREFIX_TERMS, Vocabulary
from storage.search.words import stem


def _vocab(lib: Library) -> dict[str, int]:
    return dict(lib.conn.execute("SELECT term, doc FROM papers_fts_vocab"))


def test_a_bucket_is_every_term_of_its_letter_with_its_paper_count(shared: Library) -> None:
    vocabulary = Vocabulary(shared.conn)
    every = _vocab(shared)
    bucket = vocabulary.bucket("d")
    assert bucket.terms == sorted(t for t in every if t.startswith("d"))
    assert bucket.docs_of == {t: d for t, d in every.items() if t.startswith("d")}
    assert vocabulary.beginning("graph") == sorted(t for t in every if t.startswith("graph"))
    assert vocabulary.beginning("") == [] and vocabulary.beginning("zzzzq") == []


def test_completions_are_the_common_terms_a_prefix_begins(shared: Library) -> None:
    vocabulary = Vocabulary(shared.conn)
    every = _vocab(shared)
    begins = {t: d for t, d in every.items() if t.startswith("lea")}
    assert len(begins) > PREFIX_TERMS
    completions = vocabulary.completions("lea")
    assert 0 < len(completions) <= PREFIX_TERMS
    assert list(completions) == sorted(completions)
    assert max(begins, key=begins.__getitem__) in completions  # "learn"
    assert all(begins[t] >= max(begins.values()) / 100 for t in completions)
    assert vocabulary.completions("kolmogorov") == ("kolmogorov",)


def test_display_forms_are_real_words_with_the_stem(shared: Library) -> None:
    vocabulary = Vocabulary(shared.conn)
    forms = vocabulary.display_forms("decod", None)
    assert "decoding" in forms and all(stem(f) == "decod" for f in forms)
    assert vocabulary.display_forms("kolmogorov", "title") == ("kolmogorov",)
    assert vocabulary.display_forms("zzzzq", None) == ()


def test_share_and_hits_and_abbreviations(shared: Library, library: Library) -> None:
    vocabulary = Vocabulary(shared.conn)
    vocabulary.papers = 415
    every = _vocab(shared)
    assert vocabulary.share("models") == every["model"] / 415 > 0.5
    assert vocabulary.share("xqzvvkjw") == 0.0
    assert vocabulary.has_hit('"merging"') and not vocabulary.has_hit('"xqzvvkjw"')
    assert vocabulary.has_abbreviations()
    assert not Vocabulary(library.conn).has_abbreviations()  # an empty library defines none


def test_reset_reads_words_an_import_added(library: Library) -> None:
    first = library.import_text("Zorblax Networks for Things\n\nWe study zorblax networks.\n")
    assert first.error is None
    vocabulary = Vocabulary(library.conn)
    assert vocabulary.beginning("zorb") == ["zorblax"]
    second = library.import_text("Zorbing Everything at Once\n\nWe study zorbing.\n",
                                 name="second")
    assert second.error is None and second.new == 1
    assert vocabulary.beginning("zorb") == ["zorblax"]  # cached until reset
    vocabulary.reset()
    assert vocabulary.beginning("zorb") == ["zorb", "zorblax"]
