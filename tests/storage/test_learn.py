"""For you, per-tag suggestions and the paper vectors, on the sample listings."""

from __future__ import annotations

import re

import pytest

from storage import Library, LibraryError
from storage.learn import MIN_POSITIVES
from storage.vectors import generation, missing

DIFFUSION = ["Statistical guarantees for denoising reflected diffusion",
             "On Error Propagation of Diffusion Models",
             "LAPTOP-Diff: Layer Pruning",
             "eDiff-I: Text-to-Image Diffusion Models",
             "Train-Once Plan-Anywhere Kinodynamic"]
QUANTISATION = ["ParetoQ:", "VPTQ:", "ResQ:", "EasyQuant:", "decoupleQ:"]
MOE = ["FSMoE:", "SlimMoE:", "MC-MoE:", "Joint MoE Scaling Laws", "Read-ME:"]


def _id(lib: Library, title_start: str) -> int:
    return lib.conn.execute("SELECT id FROM papers WHERE title LIKE ? || '%'",
                            (title_start,)).fetchone()[0]


def _text(lib: Library, paper_id: int) -> str:
    title, abstract = lib.conn.execute("SELECT title, abstract FROM papers WHERE id = ?",
                                       (paper_id,)).fetchone()
    return f"{title} {abstract}".lower()


def test_starring_diffusion_papers_brings_diffusion_papers_first(seeded: Library) -> None:
    before = seeded.recommend(limit=5)
    stars = [_id(seeded, t) for t in DIFFUSION]
    seeded.set_starred(stars)
    ranking = seeded.recommend(limit=5)
    assert not ranking.cold
    assert not set(stars) & set(ranking.ids)
    # The sample library holds seven papers about diffusion: the two not starred
    # come first, out of 410.
    others = {i for i, in seeded.conn.execute(
        "SELECT id FROM papers WHERE lower(title || abstract) LIKE '%diffusion%'")} - set(stars)
    assert len(others) == 2
    assert set(ranking.ids[:2]) == others, ranking.ids
    assert not others & set(before.ids)
    # Other decisions, another order: the ranking follows what the user did.
    seeded.set_starred(stars, False)
    seeded.set_starred([_id(seeded, t) for t in QUANTISATION])
    after = seeded.recommend(limit=5)
    assert all("quantiz" in _text(seeded, i) for i in after.ids), after.ids
    assert not set(after.ids) & set(ranking.ids)


def test_skipped_papers_count_against_their_topic(seeded: Library) -> None:
    seeded.set_starred([_id(seeded, t) for t in QUANTISATION])
    first = seeded.recommend(limit=1).ids[0]
    score = seeded.recommend().scores[0]
    # "Read and left alone" is the weak negative until triage states exist.
    similar_to_first = seeded.similar(first, limit=3)
    seeded.set_read([first, *similar_to_first])
    ranking = seeded.recommend()
    assert first not in ranking.ids  # decided papers leave the Inbox
    assert ranking.scores[0] <= score + 1e-6


def test_the_explanation_names_real_terms_and_kept_papers(seeded: Library) -> None:
    stars = [_id(seeded, t) for t in MOE]
    seeded.set_starred(stars)
    ranking = seeded.recommend(limit=5)
    for paper_id in ranking.ids:
        why = seeded.why_recommended(paper_id)
        assert why is not None and why.terms
        text = _text(seeded, paper_id)
        for term in why.terms:
            # As printed in the paper: "large-scale", not the stems "larg scale".
            assert re.search(rf"\b{re.escape(term.lower())}", text), (term, text[:200])
        assert why.like and all(other in stars for other, _, _ in why.like)
        assert all(reason == "starred" for _, _, reason in why.like)
        assert "Words that weighed most:" in why.text()


def test_too_few_decisions_say_so_and_order_by_upvotes(seeded: Library) -> None:
    seeded.set_starred([_id(seeded, t) for t in DIFFUSION[:MIN_POSITIVES - 1]])
    ranking = seeded.recommend()
    assert ranking.cold
    assert f"{MIN_POSITIVES - 1} of {MIN_POSITIVES}" in ranking.message
    assert "upvotes" in ranking.message
    upvotes = [seeded.get(i).upvotes or 0 for i in ranking.ids]
    assert upvotes == sorted(upvotes, reverse=True)
    assert seeded.why_recommended(ranking.ids[0]) is None


def test_every_kind_of_keeping_counts_as_a_positive(seeded: Library) -> None:
    ids = [_id(seeded, t) for t in QUANTISATION]
    seeded.set_starred(ids[:1])
    seeded.add_tags(ids[1:2], ["quant"])
    seeded.set_note(ids[2], "read the appendix")
    seeded.annotate(ids[3], 0, 10)
    assert seeded.recommend().cold
    seeded.add_tags(ids[4:5], ["later"])
    ranking = seeded.recommend(limit=3)
    assert not ranking.cold and ranking.positives == 5
    assert all("quantiz" in _text(seeded, i) for i in ranking.ids)


def test_a_tag_suggests_unread_papers_like_its_own(seeded: Library) -> None:
    moe = [_id(seeded, t) for t in MOE]
    seeded.add_tags(moe, ["moe"])
    seeded.set_starred([_id(seeded, t) for t in DIFFUSION])  # the Inbox model's business
    ranking = seeded.recommend(tag="moe", limit=5)
    assert not ranking.cold and ranking.tag == "moe"
    assert not set(moe) & set(ranking.ids)
    assert all("expert" in _text(seeded, i) for i in ranking.ids[:4]), ranking.ids
    why = seeded.why_recommended(ranking.ids[0], tag="moe")
    assert why is not None and all(r == "tagged #moe" for _, _, r in why.like)
    with pytest.raises(LibraryError, match="no tag named 'nope'"):
        seeded.recommend(tag="nope")


def test_vectors_are_made_for_new_papers_only(seeded: Library, tmp_path) -> None:
    assert missing(seeded.conn) == 415
    assert seeded.update_vectors() == 415
    stored = dict(seeded.conn.execute("SELECT paper_id, terms FROM paper_vectors"))
    listing = tmp_path / "new.txt"
    listing.write_text("Diffusion Transformers for Speculative Decoding\n\n"
                       "We study diffusion models that draft tokens for speculative decoding.\n")
    seeded.import_files([listing])
    # The import vectorised its paper itself (the library has vectors).
    assert missing(seeded.conn) == 0
    assert seeded.update_vectors() == 0
    after = dict(seeded.conn.execute("SELECT paper_id, terms FROM paper_vectors"))
    assert {k: after[k] for k in stored} == stored
    new_id = _id(seeded, "Diffusion Transformers for Speculative")
    near = seeded.similar(new_id, limit=3)
    assert all("speculative" in _text(seeded, i) or "diffusion" in _text(seeded, i)
               for i in near)


def test_a_changed_abstract_is_vectorised_again(seeded: Library) -> None:
    seeded.update_vectors()
    before = generation(seeded.conn)
    paper = _id(seeded, "BadVLA")
    seeded.conn.execute("UPDATE papers SET abstract = 'Speculative decoding drafts tokens.' "
                        "WHERE id = ?", (paper,))
    assert missing(seeded.conn) == 1
    assert generation(seeded.conn) > before
    near = seeded.similar(paper, limit=3)
    assert all("speculative" in _text(seeded, i) for i in near)
    assert missing(seeded.conn) == 0


def test_a_read_only_library_ranks_without_writing(seeded_path) -> None:
    with Library(seeded_path) as lib:
        lib.set_starred([_id(lib, t) for t in DIFFUSION])
    with Library(seeded_path, read_only=True) as lib:
        # No stored vectors and no right to store them: neighbours come from the
        # paper's own words against an empty index, so none, and nothing raises.
        assert lib.similar(_id(lib, "BadVLA")) == []
        assert lib.recommend().cold


def test_sort_interest_orders_any_query_by_the_model(seeded: Library) -> None:
    stars = [_id(seeded, t) for t in QUANTISATION]
    seeded.set_starred(stars)
    before = seeded.conn.total_changes
    cold = seeded.search("is:unread sort:interest", limit=20).ids
    upvotes = [seeded.get(i).upvotes or 0 for i in cold]
    assert upvotes == sorted(upvotes, reverse=True)  # no vectors yet: by upvotes
    assert seeded.conn.total_changes == before  # a search never writes
    seeded.update_vectors()
    result = seeded.search("is:unread sort:interest", limit=10)
    assert result.sort == "interest" and len(result.ids) == 10
    # The kept papers themselves score highest; after them, the For you order.
    assert set(result.ids[:5]) == set(stars)
    assert result.ids[5:] == seeded.recommend(limit=5).ids
    # Within a query's matches too, and pages follow on.
    page1 = seeded.search("language models", sort="interest", limit=3)
    page2 = seeded.search("language models", sort="interest", limit=3, offset=3)
    assert all("quantiz" in _text(seeded, i) for i in page1.ids), page1.ids
    assert not set(page1.ids) & set(page2.ids)
    # Pages are sorted only up to their end: the same pages as the whole order.
    whole = seeded.search("language models", sort="interest", limit=None)
    assert page1.ids + page2.ids == whole.ids[:6]
    assert page1.total == page2.total == whole.total == len(whole.ids)
    assert seeded.search("is:unread sort:interest", limit=None).ids[:10] == result.ids


def test_the_model_is_scikit_learns_logistic_regression(seeded: Library) -> None:
    """fit_logistic stands in for sklearn's LogisticRegression (whose solvers cost the
    app ~75 MB to import): same objective, so the same weights."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from storage.learn import fit_logistic

    seeded.update_vectors()
    index = seeded.recommender.vectors.get(seeded.conn)
    rng = np.random.default_rng(3)
    rows = rng.choice(len(index), size=120, replace=False)
    features = index.vectors(seeded.conn, index.ids[rows])
    labels = (rng.random(120) < 0.2).astype(float)
    weights = rng.choice([1.0, 0.5, 0.3], size=120)
    coef, intercept = fit_logistic(features, labels, weights)
    reference = LogisticRegression(C=1.0, class_weight="balanced", tol=1e-8, max_iter=10000)
    reference.fit(features, labels, sample_weight=weights)
    assert np.allclose(coef, reference.coef_[0], atol=1e-3)
    assert abs(intercept - reference.intercept_[0]) < 1e-3


def test_triage_states_count_once_the_library_has_them(seeded: Library) -> None:
    """Shortlist is a positive, Skipped a full negative, and For you ranks the Inbox
    state, once papers carry a triage state (storage/states.py adds the column)."""
    from storage.learn import decisions

    if "state" not in {r[1] for r in seeded.conn.execute("PRAGMA table_info(papers)")}:
        seeded.conn.execute("ALTER TABLE papers ADD COLUMN state TEXT NOT NULL DEFAULT 'inbox'")
    shortlist = [_id(seeded, t) for t in QUANTISATION]
    skipped = [_id(seeded, t) for t in MOE]

    def set_state(ids: list[int], state: str) -> None:
        if hasattr(seeded, "set_state"):
            seeded.set_state(ids, state)
        else:
            marks = ",".join("?" * len(ids))
            seeded.conn.execute(f"UPDATE papers SET state = ? WHERE id IN ({marks})",
                                (state, *ids))

    set_state(shortlist, "shortlist")
    set_state(skipped, "skipped")
    found = decisions(seeded.conn)
    assert set(found.positives) >= set(shortlist)
    assert all(found.positives[i] == "shortlisted" for i in shortlist)
    assert all(found.negatives[i] == 1.0 for i in skipped)
    ranking = seeded.recommend(limit=5)
    assert not ranking.cold
    assert all("quantiz" in _text(seeded, i) for i in ranking.ids), ranking.ids
    assert not (set(shortlist) | set(skipped)) & set(seeded.recommend().ids)


def test_a_limited_ranking_is_the_head_of_the_full_one(seeded: Library) -> None:
    """Top-k by partition (a limit) and the full stable sort agree, ties included:
    a third of the papers are left without a vector, so many scores are equal."""
    seeded.set_starred([_id(seeded, t) for t in QUANTISATION])
    full = seeded.recommend()
    assert not full.cold
    for limit in (1, 7, 40, len(full.ids) + 5):
        head = seeded.recommend(limit=limit)
        assert head.ids == full.ids[:limit]
        assert head.scores == full.scores[:limit]


def test_a_few_candidates_are_scored_alone_with_the_same_scores(seeded: Library) -> None:
    import numpy as np

    from storage.learn import decisions, train

    seeded.set_starred([_id(seeded, t) for t in QUANTISATION])
    seeded.update_vectors()
    model = train(seeded.recommender.vectors.get(seeded.conn), decisions(seeded.conn),
                  seeded.conn)
    assert model is not None and model._all is None
    rows = np.arange(0, len(model.index), 20)  # 1 in 20: "a few"
    alone = model.scores(rows, seeded.conn)
    assert model._all is None
    model.warm()
    assert np.allclose(alone, model.scores(rows, seeded.conn), atol=1e-6)
    assert len(set(alone.round(4).tolist())) > len(rows) // 2  # real, varied scores
