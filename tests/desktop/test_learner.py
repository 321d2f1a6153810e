"""The models learn on their own thread (desktop/learner.py): a burst of decisions is
one round after a pause, a decision during a round asks for exactly one more, a tag's
model is trained once its suggestions are wanted, nothing runs for a window that
never asked, and a round that cannot open the library says so. A real QThread on a
real library file (the seeded 415 papers)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.learner import Learner, LearnWorker, suggest_tag
from storage import Library


def _vectors(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM paper_vectors").fetchone()[0]


def _star_five(lib: Library) -> None:
    ids = lib.search("diffusion", limit=5).ids
    assert len(ids) == 5
    lib.set_starred(ids)


def test_a_round_vectorises_and_trains_off_the_gui_thread(seeded: Library, qtbot) -> None:
    _star_five(seeded)
    assert _vectors(seeded.path) == 0
    learner = Learner(seeded)
    assert seeded.learn_in_background  # the GUI thread now only reads the last model
    learner.activate()
    with qtbot.waitSignal(learner.updated, timeout=60000):
        learner.schedule(now=True)
    assert learner.rounds == 1
    assert _vectors(seeded.path) == 415
    assert seeded.recommender.trained() and seeded.recommender.model() is not None
    learner.stop()


def test_nothing_runs_for_a_window_that_never_asked(seeded: Library, qtbot) -> None:
    learner = Learner(seeded)
    learner.schedule()
    learner.schedule(now=True)
    assert not learner.timer.isActive() and learner.worker is None
    qtbot.wait(50)
    assert learner.rounds == 0 and _vectors(seeded.path) == 0


def test_a_burst_of_decisions_is_one_round(seeded: Library, qtbot) -> None:
    learner = Learner(seeded)
    learner.activate()
    for _ in range(5):  # r r r s r: each restarts the pause
        learner.schedule()
    assert learner.worker is None  # the pause first: no round on the key press itself
    with qtbot.waitSignal(learner.updated, timeout=60000):
        pass
    qtbot.waitUntil(lambda: not learner.busy and not learner.timer.isActive())
    assert learner.rounds == 1
    learner.stop()


def test_a_decision_during_a_round_asks_for_exactly_one_more(seeded: Library,
                                                            qtbot) -> None:
    learner = Learner(seeded)
    learner.activate()
    learner.start()
    assert learner.busy
    first = learner.worker
    learner.start()
    learner.start()  # two more decisions meanwhile: still one more round
    assert learner.worker is first
    qtbot.waitUntil(lambda: learner.rounds == 2 and not learner.busy, timeout=60000)
    assert learner.worker is not first
    qtbot.wait(50)
    assert learner.rounds == 2
    learner.stop()


def test_a_tag_model_is_trained_when_its_suggestions_are_wanted(seeded: Library,
                                                               qtbot) -> None:
    ids = seeded.search("mixture of experts", limit=5).ids
    seeded.add_tags(ids, ["MoE"])
    learner = Learner(seeded)
    assert not learner.active
    with qtbot.waitSignal(learner.updated, timeout=60000):
        learner.want_tag("MoE")  # activates and asks now
    assert learner.active and learner.tags == {"moe"}
    assert seeded.recommender.trained("moe")
    learner.stop()


def test_stop_waits_for_the_round_in_progress(seeded: Library) -> None:
    learner = Learner(seeded)
    learner.activate()
    learner.start()
    worker = learner.worker
    assert worker is not None and worker.isRunning()
    learner.stop()
    assert worker.isFinished()


def test_a_round_that_cannot_open_the_library_says_so(seeded: Library, qtbot,
                                                      tmp_path: Path) -> None:
    worker = LearnWorker(tmp_path / "gone" / "library.db", seeded, [])
    with qtbot.waitSignal(worker.failed, timeout=60000) as failed:
        worker.start()
    worker.wait()
    [message] = failed.args
    assert message.startswith("For you: cannot open the library (")


def test_suggest_tag_reads_the_view_key() -> None:
    assert suggest_tag("suggest:to read") == "to read"
    assert suggest_tag("foryou") is None and suggest_tag("tag:moe") is None
