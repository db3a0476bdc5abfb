"""Progress reporting: a tqdm bar on a terminal, plain log lines otherwise, nothing for small stages."""

from __future__ import annotations

import io
import logging

import pytest

from pipeline.progress import BarProgress, LogProgress, progress_reporter


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_a_bar_and_pipes_get_log_lines() -> None:
    assert isinstance(progress_reporter(_Tty()), BarProgress)
    assert isinstance(progress_reporter(io.StringIO()), LogProgress)
    assert isinstance(progress_reporter(io.StringIO(), tty=True), BarProgress)


def test_bar_draws_each_stage_with_its_counts() -> None:
    stream = _Tty()
    with progress_reporter(stream) as progress:
        for done in range(1, 4):
            progress("feeds", done, 3)
        for done in range(1, 6):
            progress("nlp", done, 10)  # stopped early: closed on exit
    text = stream.getvalue()
    assert "feeds" in text and "3/3" in text
    assert "nlp" in text and "5/10" in text


def test_log_lines_for_start_throttled_updates_and_end(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pipeline.progress")
    with progress_reporter(io.StringIO(), every=3600) as progress:
        for done in range(101):
            progress("pages", done, 100)
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["pages: 0/100", "pages: 100/100 done"]
    assert all(getattr(r, "stage", None) == "pages" for r in caplog.records)
    assert getattr(caplog.records[-1], "duration_ms", None) is not None


def test_a_stage_first_heard_of_part_way_claims_no_duration(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pipeline.progress")
    with LogProgress(every=3600) as progress:
        progress("feeds", 16, 40)
        progress("feeds", 40, 40)
    assert [r.getMessage() for r in caplog.records] == ["feeds: 16/40", "feeds: 40/40 done"]
    assert getattr(caplog.records[-1], "duration_ms", None) is None


def test_a_stage_first_heard_of_when_complete_logs_one_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pipeline.progress")
    with LogProgress(every=3600) as progress:
        progress("feeds", 1, 1)  # one feed: its first report is its last
    assert [r.getMessage() for r in caplog.records] == ["feeds: 1/1 done"]


def test_log_lines_every_interval(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pipeline.progress")
    with LogProgress(every=0) as progress:
        progress("nlp", 0, 3)
        progress("nlp", 1, 3)
        progress("nlp", 2, 3)
        progress("nlp", 3, 3)
    assert [r.getMessage() for r in caplog.records] == ["nlp: 0/3", "nlp: 1/3 (33%)", "nlp: 2/3 (66%)",
                                                        "nlp: 3/3 done"]


def test_small_stages_show_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="pipeline.progress")
    stream = _Tty()
    with progress_reporter(stream, min_total=20) as bar:
        bar("feeds", 1, 2)
    with progress_reporter(io.StringIO(), min_total=20) as lines:
        lines("feeds", 1, 2)
    assert stream.getvalue() == "" and caplog.records == []


def test_log_lines_go_above_an_open_bar() -> None:
    stream = _Tty()
    root = logging.getLogger()
    handler = logging.StreamHandler(stream)
    root.addHandler(handler)
    try:
        with progress_reporter(stream) as progress:
            progress("feeds", 1, 2)
            logging.getLogger("pipeline.test").warning("feed failed")
            progress("feeds", 2, 2)
    finally:
        root.removeHandler(handler)
    assert "feed failed" in stream.getvalue()
