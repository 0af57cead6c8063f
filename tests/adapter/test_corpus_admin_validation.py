"""What ``/corpus add`` refuses before downloading anything (``validation``), checked without Discord."""

from __future__ import annotations

import pytest

from bot.adapter.cogs.corpus_admin.validation import MAX_URL, check_before_download
from bot.engine.uploads.ingest import DEFAULT_LIMITS, IngestError

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("filename", "reason"),
    [
        ("../fares.md", "is not a plain file name"),
        ("notes/fares.md", "is not a plain file name"),
        ("notes\\fares.md", "is not a plain file name"),
        (".fares.md", "is not a plain file name"),
        ("fa\x07res.md", "is not a plain file name"),
        ("x" * 252 + ".txt", "is not a plain file name"),
        ("", "is not a plain file name"),
        ("fares.exe", "unsupported file type .exe"),
        ("fares", "unsupported file type (none)"),
    ],
)
def test_names_that_are_not_a_plain_supported_file_are_refused(filename: str, reason: str) -> None:
    with pytest.raises(IngestError) as refused:
        check_before_download(filename, 100, None, None, DEFAULT_LIMITS)
    assert reason in refused.value.reason


def test_the_checks_run_cheapest_first_so_the_reason_given_is_the_first_problem() -> None:
    """A bad name is named before a bad size, and a bad size before bad options."""
    too_big = DEFAULT_LIMITS.max_bytes + 1
    with pytest.raises(IngestError, match="not a plain file name"):
        check_before_download("../x.md", too_big, "javascript:alert(1)", "someday", DEFAULT_LIMITS)
    with pytest.raises(IngestError) as refused:
        check_before_download("fares.md", too_big, "javascript:alert(1)", "someday", DEFAULT_LIMITS)
    assert "the limit is" in refused.value.reason and "url" not in refused.value.reason
    with pytest.raises(IngestError, match="the file is empty"):
        check_before_download("fares.md", 0, None, None, DEFAULT_LIMITS)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "must be a web address starting with http"),
        ("https://", "must be a web address starting with http"),
        ("https://[gov.example/", "must be a web address starting with http"),
        ("https://gov.example/a b", "must be a web address starting with http"),
        ("https://gov.example@evil.example/fares", "must not contain a user name"),
        ("https://gov.example/" + "a" * MAX_URL, f"citations link at most {MAX_URL}"),
    ],
)
def test_urls_a_citation_could_not_carry_safely_are_refused(url: str, reason: str) -> None:
    with pytest.raises(IngestError) as refused:
        check_before_download("fares.md", 100, url, None, DEFAULT_LIMITS)
    assert reason in refused.value.reason


def test_accepted_options_come_back_as_they_are_stored() -> None:
    url, date = check_before_download("Fares.MD", MB, "  HTTPS://gov.example/fares ", " 2023-12-05 ", DEFAULT_LIMITS)
    assert (url, date) == ("https://gov.example/fares", "2023-12-05")
    assert check_before_download("fares.pdf", MB, None, None, DEFAULT_LIMITS) == (None, None)
    with pytest.raises(IngestError, match="is not a date like 2023-12-05"):
        check_before_download("fares.md", MB, None, "5 December 2023", DEFAULT_LIMITS)
