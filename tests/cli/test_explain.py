"""`digest explain`: the other item, the rule, the similarity and the threshold, for a URL or all."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.console import Console

from digest.cli.explain import show_decisions
from digest.config import DedupSettings
from digest.dedup import Decision, History, deduplicate
from digest.models import Item

T0 = datetime(2024, 6, 5, 8, tzinfo=UTC)
TEXT = (
    "Federal Reserve policymakers held interest rates steady on Wednesday and pushed out the start of expected "
    "rate cuts to perhaps as late as December, with projections showing just one cut this year despite a recent "
    "slowing of inflation."
)


def make(title: str, text: str, url: str, source: str) -> Item:
    return Item(id=url, url=url, title=title, source=source, section="news", published=T0, dated=True,
                language="en", text=text)


@pytest.fixture
def decisions() -> list[Decision]:
    items = [
        make("Fed holds rates steady", TEXT + " More context here.", "https://reuters.example/fed", "Reuters"),
        make("Fed holds rates steady", TEXT, "https://yahoo.example/fed", "Yahoo Finance"),
        make("Fed holds rates steady", "", "https://reuters.example/fed", "Aggregator"),
    ]
    return deduplicate(items, settings=DedupSettings(text_threshold=0.7), history=History.empty()).decisions


def render(decisions: list[Decision], url: str | None) -> tuple[bool, str]:
    console = Console(record=True, width=200, color_system=None)
    found = show_decisions(decisions, console, url)
    return found, console.export_text()


def test_explains_a_merged_url(decisions: list[Decision]) -> None:
    found, text = render(decisions, "https://yahoo.example/fed")
    assert found
    assert "Merged: Fed holds rates steady (Yahoo Finance)" in text
    assert "shown under: Fed holds rates steady (Reuters)" in text
    assert "https://reuters.example/fed" in text
    assert "text: 100% of the shorter lead's terms" in text
    assert "threshold 70%, dedup.text_threshold" in text


def test_the_representatives_url_lists_what_was_merged_into_it(decisions: list[Decision]) -> None:
    found, text = render(decisions, "https://reuters.example/fed/")  # a trailing slash still matches
    assert found
    assert text.count("Merged:") == 2
    assert "the same canonical URL" in text


def test_all_decisions_without_a_url(decisions: list[Decision]) -> None:
    found, text = render(decisions, None)
    assert found and text.count("Merged:") == 2


def test_unknown_url_says_so_and_returns_false(decisions: list[Decision]) -> None:
    found, text = render(decisions, "https://elsewhere.example/x")
    assert not found
    assert "was neither merged nor dropped" in text


def test_history_drop_names_the_day_and_rule() -> None:
    item = make("Fed holds rates steady", TEXT, "https://yahoo.example/fed", "Yahoo Finance")
    decision = Decision(item=item, rule="history", similarity=0.8, threshold=0.75, other_title="Fed holds",
                        other_url="https://reuters.example/fed", other_source="Reuters", matched_by="title",
                        sent_at=datetime(2024, 6, 4, 7, tzinfo=UTC))
    found, text = render([decision], item.url)
    assert found
    assert "Dropped: Fed holds rates steady (Yahoo Finance)" in text
    assert "already sent on 2024-06-04 as: Fed holds (Reuters)" in text
    assert "title: the headlines' terms, weighted by rarity, overlap 80% (threshold 75%" in text


def test_markup_in_titles_is_printed_literally() -> None:
    item = make("[bold]Not markup[/bold]", TEXT, "https://a.example/1", "[red]src")
    decision = Decision(item=item, rule="same-url", similarity=1.0, threshold=1.0, other_title="Other [x]",
                        other_url="https://a.example/1", other_source="b")
    _, text = render([decision], None)
    assert "[bold]Not markup[/bold]" in text and "([red]src)" in text and "Other [x]" in text


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        ("Quake of magnitude 6.1 kills 12 in Japan", "Quake of magnitude 5.8 kills 3 in Japan",
         "numbers: the titles name different numbers (this one: 5.8, 3; the other: 6.1, 12; Han numerals read as "
         "digits)"),
        ("ChatGPT outage hits users worldwide", "OpenAI explains what caused the ChatGPT outage",
         "title: the headlines' terms, weighted by rarity, overlap"),
    ],
)
def test_explains_why_two_items_were_kept_apart(a: str, b: str, reason: str) -> None:
    items = [make(a, "", "https://a.example/1", "A"), make(b, "", "https://b.example/2", "B")]
    result = deduplicate(items, settings=DedupSettings(), history=History.empty())
    assert len(result.items) == 2
    found, text = render([*result.decisions, *result.near_misses], "https://b.example/2")
    assert found
    assert "Kept apart:" in text and reason in text
    assert "(threshold" in text or "numbers" in reason
    _, everything = render([*result.decisions, *result.near_misses], None)
    assert "Kept apart" not in everything  # without a URL, only merges and drops are listed


def test_explains_a_chinese_merge_by_shared_pieces() -> None:
    """The rule, the overlap and its floor, for two outlets' rewrites of one obituary."""
    def zh(title: str, url: str, source: str, hours: int) -> Item:
        return Item(id=url, url=url, title=title, source=source, section="news", published=T0.replace(hour=8 + hours),
                    dated=True, language="zh", text="")

    items = [zh("围棋名将李明轩因病去世 聂卫平发文悼念", "https://sina.example/1", "新浪体育", 0),
             zh("中国围棋协会讣告：李明轩不幸病逝 曾获全国冠军", "https://163.example/2", "网易体育", 1),
             zh("苹果发布iOS 18.2正式版", "https://ithome.example/3", "IT之家", 2)]
    result = deduplicate(items, settings=DedupSettings(), history=History.empty())
    found, text = render(result.decisions, "https://163.example/2")
    assert found
    assert "Merged: 中国围棋协会讣告：李明轩不幸病逝 曾获全国冠军 (网易体育)" in text
    assert "pieces: the Chinese headlines share three or more separate rare pieces" in text
    assert "one of them besides the longest run and the event word" in " ".join(text.split())
    decision = result.decisions[0]
    assert f"overlap {decision.similarity:.0%} (at least 10%, 0.3 of dedup.title_threshold_zh)" in text


def test_explains_two_events_of_one_person_kept_apart() -> None:
    """An appointment and a resignation of the same minister share who and where under the threshold: the rule
    says so."""
    def zh(title: str, url: str, source: str) -> Item:
        return Item(id=url, url=url, title=title, source=source, section="news", published=T0, dated=True,
                    language="zh", text="")

    items = [zh("日本首相岸田文雄宣布任命林芳正为新一任外务大臣", "https://sina.example/1", "新浪"),
             zh("林芳正突然辞去日本外相职务 岸田文雄：尊重本人意愿", "https://163.example/2", "网易")]
    result = deduplicate(items, settings=DedupSettings(), history=History.empty())
    assert len(result.items) == 2
    found, text = render(result.near_misses, "https://163.example/2")
    assert found
    assert "from the closest other story: 林芳正突然辞去日本外相职务 岸田文雄：尊重本人意愿 (网易)" in text
    assert ("events: the Chinese headlines name different events (this one: 任命; the other: 辞去; event words"
            in " ".join(text.split()))


@pytest.mark.parametrize(
    ("a", "b", "reason"),
    [
        # each title's event words, not a fixed example of two kinds
        ("四川凉山州甘洛县突发山体滑坡 多人被困", "四川凉山州甘洛县一货车侧翻 多人受伤",
         "events: the Chinese headlines name different events (this one: 滑坡; the other: 侧翻, 受伤; event words"),
        # the numbers as compared: 三人 is read as 3
        ("云南昭通一客车侧翻致三人死亡", "云南昭通一客车侧翻致5人死亡",
         "numbers: the titles name different numbers (this one: 3; the other: 5; Han numerals read as digits)"),
    ],
)
def test_explains_two_chinese_titles_kept_apart_by_what_each_holds(a: str, b: str, reason: str) -> None:
    """The rule that kept two Chinese headlines with words in common apart, with what each title holds."""
    def zh(title: str, url: str, source: str) -> Item:
        return Item(id=url, url=url, title=title, source=source, section="news", published=T0, dated=True,
                    language="zh", text="")

    result = deduplicate([zh(a, "https://sina.example/1", "新浪"), zh(b, "https://163.example/2", "网易")],
                         settings=DedupSettings(), history=History.empty())
    assert len(result.items) == 2
    found, text = render(result.near_misses, "https://163.example/2")
    flat = " ".join(text.split())
    assert found and reason in flat
