"""Cross-day memory with a real SQLite state file: what was sent is not sent again; follow-ups are."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from digest.config import DedupSettings
from digest.dedup import DedupResult, History, deduplicate
from digest.models import AlsoRef, Item
from digest.state import open_state
from digest.state.history import load_history, prune, record_sent

SETTINGS = DedupSettings(text_threshold=0.7, title_threshold=0.75, history_days=14)
DAY1 = datetime(2024, 6, 4, 7, tzinfo=UTC)
DAY2 = DAY1 + timedelta(days=1)

OUTAGE = (
    "今天下午，ChatGPT、Perplexity和Claude几乎在同一时间出现大规模故障，全球大量用户反映无法登录或对话时不断报错。"
    "OpenAI官方状态页面显示，ChatGPT的网页版、App以及API均受到影响，工程师正在排查原因。Perplexity和Anthropic随后也确认服务出现异常。"
)
POSTMORTEM = (
    "OpenAI发布事故报告称，本周二ChatGPT长时间宕机，是因为一项新部署的遥测服务压垮了多个集群的Kubernetes控制平面。"
    "由于控制平面同时负责DNS解析，缓存过期后，ChatGPT和API的请求无法被正确路由。工程师在约三小时内回滚了变更。"
)
FED = (
    "Federal Reserve policymakers held interest rates steady on Wednesday and pushed out the start of expected "
    "rate cuts to perhaps as late as December, with projections showing just one cut this year despite a recent "
    "slowing of inflation. The U.S. central bank's benchmark rate was left in the 5.25%-5.50% range, where it has "
    "been since last July."
)


def item(title: str, text: str, *, url: str, source: str = "feed", language: str = "en", day: datetime = DAY1) -> Item:
    return Item(id=url, url=url, title=title, source=source, section=source, published=day - timedelta(hours=2),
                dated=True, language=language, text=text)


def run_day(path: Path, items: Sequence[Item], now: datetime, *, record: bool = True) -> DedupResult:
    """One digest run as the pipeline does it: load history, dedup, then record in the final transaction."""
    state = open_state(path)
    try:
        history = load_history(state.conn, now=now, settings=SETTINGS)
        result = deduplicate(items, settings=SETTINGS, history=history)
        if record:
            with state.transaction() as conn:
                record_sent(conn, result.items, now=now)
                prune(conn, now=now, history_days=SETTINGS.history_days)
        return result
    finally:
        state.close()


def titles(result: DedupResult) -> list[str]:
    return [i.title for i in result.items]


DAY1_ITEMS = [
    item("ChatGPT、Perplexity、Claude同时“罢工”", OUTAGE, url="https://qbitai.example/1", language="zh"),
    item("ChatGPT、Perplexity、Claude同时“罢工”", "本文来自微信公众号“量子位”。" + OUTAGE,
         url="https://163.example/1", source="网易", language="zh"),
    item("Fed holds rates steady, pares back to one cut this year", FED, url="https://reuters.example/fed"),
]


@pytest.mark.parametrize(
    ("name", "day2", "dropped_by"),
    [
        ("same URL again", item("Fed holds rates steady (updated)", FED, url="https://reuters.example/fed", day=DAY2), "same-url"),
        ("an also URL again", item("Any title", "", url="https://163.example/1", source="网易", day=DAY2), "same-url"),
        ("re-titled headline re-list", item("ChatGPT、Perplexity、Claude同时大规模罢工", "", url="https://ithome.example/9",
                                           source="IT之家", language="zh", day=DAY2), "title"),
        ("a rewrite naming the same services and outage", item("Claude、ChatGPT同时“罢工” Perplexity也无法登录 全球大量用户对话时不断报错 官方正在排查原因", "",
                                                             url="https://sina.example/7", source="新浪科技",
                                                             language="zh", day=DAY2), "pieces"),
        ("syndicated copy under a new URL", item("Federal Reserve keeps interest rates unchanged",
                                                "WASHINGTON (Reuters) - " + FED, url="https://yahoo.example/fed",
                                                source="Yahoo", day=DAY2), "text"),
        ("same source, same boilerplate text, another title", item("Northwind opens an office in Lisbon", FED,
                                                                  url="https://reuters.example/other", day=DAY2), None),
        ("follow-up sharing the topic", item("OpenAI回应ChatGPT宕机：系新部署的遥测服务导致", POSTMORTEM,
                                            url="https://jiqizhixin.example/2", language="zh", day=DAY2), None),
        ("same template, new event", item("Fed holds rates steady, flags slower progress on inflation",
                                          "Federal Reserve policymakers held interest rates steady on Wednesday and signaled they were "
                                          "still leaning towards eventual reductions in borrowing costs, but noted a lack of further "
                                          "progress in bringing inflation back to the 2% target.",
                                          url="https://reuters.example/fed-july", day=DAY2), None),
    ],
)
def test_second_run_drops_what_the_first_sent(tmp_path: Path, name: str, day2: Item, dropped_by: str | None) -> None:
    path = tmp_path / "state.sqlite"
    first = run_day(path, DAY1_ITEMS, DAY1)
    assert len(first.items) == 2 and first.dropped_history == 0
    second = run_day(path, [day2], DAY2)
    if dropped_by is None:
        assert titles(second) == [day2.title], name
        return
    assert second.items == [] and second.dropped_history == 1, name
    [decision] = second.decisions
    assert decision.rule == "history" and decision.matched_by == dropped_by
    assert decision.sent_at == DAY1 and decision.other_title in {i.title for i in DAY1_ITEMS}
    assert decision.similarity >= decision.threshold


def test_a_rerun_pinned_to_the_same_now_selects_nothing_again(tmp_path: Path) -> None:
    """A digest recorded at --now counts as sent at that moment: running it again sends nothing twice
    (rebuilding an old issue is `digest preview --now` before it was recorded)."""
    path = tmp_path / "state.sqlite"
    first = run_day(path, DAY1_ITEMS, DAY1)
    assert titles(first)
    again = run_day(path, DAY1_ITEMS, DAY1, record=False)
    assert again.items == []
    later_same_day = run_day(path, DAY1_ITEMS, DAY1 + timedelta(hours=3), record=False)
    assert later_same_day.items == []


def test_history_horizon_and_pruning(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    run_day(path, DAY1_ITEMS, DAY1)
    state = open_state(path)
    try:
        rows = state.conn.execute("SELECT count(*) FROM history").fetchone()[0]
        assert rows == 3  # two representatives and one `also` copy
        day15 = DAY1 + timedelta(days=15)
        assert len(load_history(state.conn, now=DAY1 + timedelta(days=13), settings=SETTINGS)) == 3
        assert len(load_history(state.conn, now=day15, settings=SETTINGS)) == 0  # beyond the horizon
        assert len(load_history(state.conn, now=DAY1 + timedelta(days=1),
                                settings=DedupSettings(history_days=0))) == 0
        with state.transaction() as conn:
            assert prune(conn, now=DAY1 + timedelta(days=10), history_days=14) == 0
            assert prune(conn, now=day15, history_days=14) == 3
        assert state.conn.execute("SELECT count(*) FROM history").fetchone()[0] == 0
    finally:
        state.close()
    # after pruning, the story may come back
    assert len(run_day(path, DAY1_ITEMS[:1], DAY1 + timedelta(days=16)).items) == 1


def test_a_failed_run_records_nothing(tmp_path: Path) -> None:
    """record_sent runs inside the final transaction: if the run fails there, history is unchanged."""
    path = tmp_path / "state.sqlite"
    state = open_state(path)
    try:
        with pytest.raises(RuntimeError), state.transaction() as conn:
            record_sent(conn, DAY1_ITEMS, now=DAY1)
            raise RuntimeError("delivery failed")
        assert len(load_history(state.conn, now=DAY2, settings=SETTINGS)) == 0
    finally:
        state.close()


def test_explain_details_come_from_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    first = [DAY1_ITEMS[2], item("Other story entirely", "Nothing in common with anything else here at all, "
                                 "a different subject told in different words for the test.", url="https://o.example/1")]
    run_day(path, first, DAY1)
    again = item("Fed holds rates steady", FED, url="https://reuters.example/fed", day=DAY2)
    [decision] = run_day(path, [again], DAY2, record=False).decisions
    assert (decision.other_title, decision.other_url, decision.other_source) == (
        DAY1_ITEMS[2].title, "https://reuters.example/fed", "feed")


def test_also_rows_record_urls_and_titles(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    sent = item("Main story about a launch", FED, url="https://a.example/1")
    sent = replace(sent, also=(AlsoRef("Launch copy", "https://b.example/2", "b"),))
    state = open_state(path)
    try:
        with state.transaction() as conn:
            record_sent(conn, [sent], now=DAY1)
        rows = state.conn.execute("SELECT title, url, source FROM history ORDER BY id").fetchall()
        [(count, leads)] = state.conn.execute("SELECT count, lead_counts FROM history_stories").fetchall()
    finally:
        state.close()
    assert rows == [("Main story about a launch", "https://a.example/1", "feed"), ("Launch copy", "https://b.example/2", "b")]
    assert count == 2 and np.frombuffer(leads, dtype="<u4").tolist()[1] == 0  # the copy: URL and title, no text


# The layout before history_stories (digest <= dedup v1): history_fingerprints held MinHashes and
# title-term hashes that meant something else; only its exact keys (unchanged) and the titles are used.
OLD_LAYOUT = """
CREATE TABLE history (id INTEGER PRIMARY KEY, sent_at REAL NOT NULL, title TEXT NOT NULL, url TEXT NOT NULL,
    source TEXT NOT NULL);
CREATE TABLE history_fingerprints (sent_at REAL PRIMARY KEY, version INTEGER NOT NULL, first_id INTEGER NOT NULL,
    count INTEGER NOT NULL, source_keys BLOB NOT NULL, keys BLOB NOT NULL, key_rows BLOB NOT NULL, sizes BLOB NOT NULL,
    sigs BLOB NOT NULL, terms BLOB NOT NULL, term_counts BLOB NOT NULL)
"""


def old_layout_file(path: Path, items: Sequence[Item], now: datetime) -> None:
    """A state file as the previous record_sent wrote it: keys are blake2b("url:"+URL) with the URL bit."""
    from digest.dedup.keys import key_hash
    from digest.state.store import SCHEMA_VERSION

    conn = sqlite3.connect(path)
    conn.executescript(OLD_LAYOUT)
    conn.executemany("INSERT INTO history (id, sent_at, title, url, source) VALUES (?, ?, ?, ?, ?)",
                     [(n + 1, now.timestamp(), i.title, i.url, i.source) for n, i in enumerate(items)])
    keys = np.asarray([key_hash("url", i.url) for i in items], dtype="<i8").tobytes()
    rows = np.asarray([n | (1 << 31) for n in range(len(items))], dtype="<u4").tobytes()
    sources = np.asarray([key_hash("source", i.source) for i in items], dtype="<i8").tobytes()
    conn.execute("INSERT INTO history_fingerprints VALUES (?, 1, 1, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (now.timestamp(), len(items), sources, keys, rows, b"", b"", b"", b""))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.commit()
    conn.close()


def test_a_state_file_of_the_old_layout_is_read_and_converted(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    first = deduplicate(DAY1_ITEMS, settings=SETTINGS, history=History.empty()).items
    old_layout_file(path, first, DAY1)
    day2 = [
        item("Fed holds rates steady (updated)", FED, url="https://reuters.example/fed", day=DAY2),  # same URL
        item("ChatGPT、Perplexity、Claude同时大规模罢工", "", url="https://ithome.example/9", source="IT之家", language="zh",
             day=DAY2),  # re-titled headline
        item("OpenAI回应ChatGPT宕机：系新部署的遥测服务导致", POSTMORTEM, url="https://jiqizhixin.example/2",
             language="zh", day=DAY2),  # a follow-up: new
    ]
    expected = {"https://reuters.example/fed": "same-url", "https://ithome.example/9": "title"}
    readonly = open_state(path, readonly=True)  # a preview reads the old file as it is
    try:
        seen = deduplicate(day2, settings=SETTINGS, history=load_history(readonly.conn, now=DAY2, settings=SETTINGS))
    finally:
        readonly.close()
    assert {d.item.url: d.matched_by for d in seen.decisions} == expected
    assert titles(seen) == [day2[2].title]
    second = run_day(path, day2, DAY2)  # a run writes: the file is converted, then today is added
    assert {d.item.url: d.matched_by for d in second.decisions} == expected
    state = open_state(path)
    try:
        tables = {r[0] for r in state.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "history_fingerprints" not in tables
        assert state.conn.execute("SELECT count(*) FROM history_stories").fetchone()[0] == 2
    finally:
        state.close()
    third = run_day(path, day2, DAY2 + timedelta(days=1), record=False)
    assert third.items == []


def test_stored_exact_keys_stay_blake2b_of_kind_and_value() -> None:
    """History keeps these hashes for weeks: they must not change between versions."""
    import hashlib

    from digest.dedup.keys import key_hash

    for kind, value in [("url", "https://a.example/1"), ("id", "guid\0Title words"), ("source", "网易")]:
        expected = int.from_bytes(hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest(), "little",
                                  signed=True)
        assert key_hash(kind, value) == expected


def test_stored_chinese_titles_are_held_to_the_same_event_rules(tmp_path: Path) -> None:
    """A stored row is compared by the very rules of the window: yesterday's appointment does not drop today's
    resignation of the same minister (two kinds of event), and a rewrite sharing who | visited | where word for
    word is yesterday's story."""
    path = tmp_path / "state.sqlite"
    run_day(path, [item("日本首相岸田文雄宣布任命林芳正为新一任外务大臣", "", url="https://sina.example/1", source="新浪",
                        language="zh"),
                   item("普京突访叙利亚赫梅米姆基地 与阿萨德会面", "", url="https://sina.example/2", source="新浪",
                        language="zh")], DAY1)
    second = run_day(path, [item("林芳正突然辞去日本外相职务 岸田文雄：尊重本人意愿", "", url="https://163.example/1",
                                 source="网易", language="zh", day=DAY2),
                            item("普京突访叙利亚赫梅米姆 看望驻扎俄军", "", url="https://163.example/2", source="网易",
                                 language="zh", day=DAY2)], DAY2)
    assert titles(second) == ["林芳正突然辞去日本外相职务 岸田文雄：尊重本人意愿"]
    [decision] = second.decisions
    assert decision.other_title == "普京突访叙利亚赫梅米姆基地 与阿萨德会面" and decision.matched_by in {"title", "pieces"}


def test_a_rewrite_of_a_sent_chinese_story_in_other_event_words_is_dropped(tmp_path: Path) -> None:
    """Yesterday's sent story told today in words of one event's family (袭击 / 空袭…遇难), or yesterday's title
    holding an event word by accident (旅游行业: 游行) against today's 枪击: the stored title's event words are
    made anew from its text, so the rewrite is dropped, not sent again; another story of the place is sent."""
    path = tmp_path / "state.sqlite"
    run_day(path, [item("以军袭击加沙难民营", "", url="https://sina.example/1", source="新浪", language="zh"),
                   item("曼谷商场发生恶性事件 旅游行业受冲击", "", url="https://sina.example/2", source="新浪",
                        language="zh")], DAY1)
    second = run_day(path, [item("以军空袭加沙难民营 已致数十人遇难", "", url="https://163.example/1", source="网易",
                                 language="zh", day=DAY2),
                            item("曼谷商场发生枪击 旅游业受冲击", "", url="https://163.example/2", source="网易",
                                 language="zh", day=DAY2),
                            item("曼谷大皇宫下月起调整开放时间", "", url="https://163.example/3", source="网易",
                                 language="zh", day=DAY2)], DAY2)
    assert titles(second) == ["曼谷大皇宫下月起调整开放时间"]
    assert {d.other_title for d in second.decisions if d.rule == "history"} == {
        "以军袭击加沙难民营", "曼谷商场发生恶性事件 旅游行业受冲击"}


def test_a_stored_title_with_han_numerals_keeps_its_terms_and_matches_its_rewrite_in_digits(tmp_path: Path) -> None:
    """Han numerals are written as digits at compare time only (terms.written): the state file keeps the character
    pairs a stored title always had, and yesterday's toll in numerals drops today's rewrite in digits, while another
    toll of the same crash is another story."""
    from digest.dedup.terms import hashes, term_hash

    path = tmp_path / "state.sqlite"
    sent = ["湖北十堰燃气爆炸已致25人死亡 一百三十八人受伤", "云南昭通一客车侧翻致三人死亡"]
    run_day(path, [item(t, "", url=f"https://sina.example/{k}", source="新浪", language="zh")
                   for k, t in enumerate(sent)], DAY1)
    state = open_state(path)
    try:
        stored = load_history(state.conn, now=DAY2, settings=SETTINGS)
    finally:
        state.close()
    assert stored.titles.tolist() == [*hashes(sent[0]), *hashes(sent[1])]
    assert term_hash("三人") in stored.titles.tolist() and term_hash("138") not in stored.titles.tolist()
    today = ["十堰燃气爆炸事故致二十五人死亡 138人受伤", "云南昭通一客车侧翻致5人死亡"]
    second = run_day(path, [item(t, "", url=f"https://163.example/{k}", source="网易", language="zh", day=DAY2)
                            for k, t in enumerate(today)], DAY2)
    assert titles(second) == ["云南昭通一客车侧翻致5人死亡"]
    [decision] = second.decisions
    assert decision.rule == "history" and decision.other_title == sent[0]


def test_a_stored_title_is_compared_with_its_countries_in_order_and_its_function_words_no_piece(
        tmp_path: Path) -> None:
    """Yesterday's "美中…" drops today's "中美…" rewrite (terms.written, made from the stored title), and yesterday's ad
    does not drop today's other ad of the game by their shared 就 | 送 (terms.joins, made from the stored title)."""
    path = tmp_path / "state.sqlite"
    sent = ["美中两国元首通电话 就台湾问题交换意见", "热血传奇网页版！上线就送至尊VIP，无限元宝，高爆率！"]
    run_day(path, [item(t, "", url=f"https://sina.example/{k}", source="新浪", language="zh")
                   for k, t in enumerate(sent)], DAY1)
    today = ["中美元首通话 习近平强调台湾问题立场", "热血传奇高爆版,终于来了!开局就送顶级装备和坐骑,点击即玩!"]
    second = run_day(path, [item(t, "", url=f"https://163.example/{k}", source="新浪", language="zh", day=DAY2)
                            for k, t in enumerate(today)], DAY2)
    assert titles(second) == [today[1]]
    [decision] = second.decisions
    assert decision.rule == "history" and decision.other_title == sent[0]
