"""Folding and stemming as the full-text index does them (storage/search/words.py)."""

from __future__ import annotations

from storage import Library
from storage.search.words import WORD, common_prefix, fold, folded_with_map, index_term_query, stem


def test_stem_of_the_folded_word_is_what_fts5_indexes(library: Library) -> None:
    title = "Stemming Check for Words"
    # Accented Latin letters and case, as the index folds them. (fold is more
    # lenient than unicode61 on ß and ligatures, which the index keeps: "strasse"
    # still highlights "Straße".)
    text = ("We study naïve Señor décodeurs, fine-tuned LLMs, studies of policies and "
            "GPT4 quantization at the ÉCOLE d'été in Zürich.")
    assert library.import_text(f"{title}\n\n{text}\n").error is None
    indexed = {r[0] for r in library.conn.execute("SELECT term FROM papers_fts_vocab")}
    ours = {stem(fold(w)) for w in WORD.findall(f"{title} {text}")}
    assert len(ours) > 20
    assert ours == indexed


def test_index_term_query_finds_exactly_the_papers_of_a_term(seeded: Library) -> None:
    rows = seeded.conn.execute(
        "SELECT term, doc FROM papers_fts_vocab WHERE term >= 'd' AND term < 'e'").fetchall()
    assert len(rows) > 100
    exact = 0
    for term, docs in rows:
        query = index_term_query(term)
        found = seeded.conn.execute(
            "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH ?", (query,)).fetchone()[0]
        if query.endswith("*"):
            assert found >= docs, term  # no word stems to it: the prefix, a superset
        else:
            exact += 1
            assert found == docs, term
    assert exact > 0.9 * len(rows)
    # A stem that is not its own stem is rebuilt into a word that stems to it.
    assert stem("diffus") != "diffus" and stem(index_term_query("diffus").strip('"')) == "diffus"


def test_folding_keeps_a_map_back_to_the_original_positions() -> None:
    assert fold("Naïve ÉCOLE") == "naive ecole"
    folded, where = folded_with_map("ﬁne Straße")
    assert folded == "fine strasse"
    assert where[:4] == [0, 0, 1, 2] and where[-2:] == [8, 9]
    assert folded_with_map("plain ascii") == ("plain ascii", [])
    assert common_prefix("decoding", "decod") == "decod" and common_prefix("ab", "xy") == ""
