"""The merge rules, their thresholds and the representative of a cluster, table by table."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from digest.config import DedupSettings
from digest.dedup import History, coverage, deduplicate, order_items, same_text
from digest.dedup.match import Features, Weights, numbers_agree, series
from digest.dedup.terms import event_words, hashes
from digest.models import AlsoRef, Item

# The defaults measured in docs/benchmarks/dedup.md
SETTINGS = DedupSettings()
T0 = datetime(2024, 6, 5, 8, tzinfo=UTC)

WIRE = (
    "A magnitude 6.1 earthquake struck off the coast of Ibaraki prefecture northeast of Tokyo on Wednesday "
    "morning, shaking buildings in the capital, but no tsunami warning was issued. The Japan Meteorological "
    "Agency said the quake hit at 10:12 a.m. at a depth of about 50 kilometers. There were no immediate "
    "reports of damage or injuries, and the operator of the Tokai No. 2 nuclear plant said it had found no "
    "abnormalities. Bullet train services were briefly suspended for safety checks."
)
OTHER = (
    "The city council votes on the new bike lane plan for Main Street tonight, the library extends its summer "
    "hours, and road works close the northbound ramp of Route 9 until Friday. Weather: sunny, high of 27 "
    "degrees. In sports, the Harbor FC women's team plays its first home game of the season at 7 p.m."
)
ZH = (
    "今天下午，ChatGPT、Perplexity和Claude几乎在同一时间出现大规模故障，全球大量用户反映无法登录或对话时不断报错。"
    "OpenAI官方状态页面显示，ChatGPT的网页版、App以及API均受到影响，工程师正在排查原因。"
)


def make(title: str, text: str = "", *, source: str = "a", url: str | None = None, hours: float = 0,
         language: str = "en", id: str | None = None, index: int = 0) -> Item:
    url = url or f"https://{source}.example/{abs(hash((title, text, source))) % 10**8}"
    return Item(id=id or url, url=url, title=title, source=source, section=source,
                published=T0 + timedelta(hours=hours), dated=True, language=language, text=text, source_index=index)


def run(*items: Item, settings: DedupSettings = SETTINGS) -> list[Item]:
    return deduplicate(items, settings=settings, history=History.empty()).items


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        # wire copy with its own boilerplate at both ends
        (make("Quake strikes off Japan", WIRE), make("Quake strikes off Japan", "TOKYO (AP) — " + WIRE + " Copyright AP.", source="b"), True),
        # a feed's summary: the first two sentences of the same text
        (make("Quake strikes off Japan", WIRE), make("Quake strikes off Japan", WIRE[:230], source="b"), True),
        # re-titled re-list of the same text
        (make("Quake strikes off Japan", WIRE), make("Strong quake shakes Tokyo, no tsunami", WIRE, source="b"), True),
        (make("AI 同时罢工", ZH, language="zh"), make("AI 同时大崩溃", "本文来自微信公众号。" + ZH, source="b", language="zh"), True),
        # different stories
        (make("Quake strikes off Japan", WIRE), make("Daily update", OTHER, source="b"), False),
        # one source's boilerplate description under two different titles
        (make("Quake strikes off Japan", WIRE), make("Council approves bike lanes", WIRE), False),
        (make("Quake strikes off Japan", WIRE), make("Quake strikes off Japan's coast", WIRE), True),
        # identical templated titles, different bodies
        (make("Daily update for June 5", WIRE), make("Daily update for June 5", OTHER, source="b"), False),
        # the same template on another day: titles name other numbers
        (make("Magnitude 6.1 quake strikes", WIRE), make("Magnitude 5.8 quake strikes", WIRE.replace("6.1", "5.8"), source="b"), False),
    ],
)
def test_text_rule(a: Item, b: Item, merged: bool) -> None:
    assert (len(run(a, b)) == 1) is merged


@pytest.mark.parametrize(
    ("threshold", "merged"),
    [(0.5, True), (0.7, True), (0.95, False)],
)
def test_text_threshold(threshold: float, merged: bool) -> None:
    """A summary holding 90% of the full text's lead shingles merges below 0.9, not above."""
    full = make("Quake strikes off Japan", WIRE)
    edited = make("Tokyo shaken, no tsunami warning", WIRE.replace("shaking buildings in the capital", "rattling the capital"), source="b")
    assert (len(run(full, edited, settings=replace(SETTINGS, text_threshold=threshold))) == 1) is merged


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        # the seed: one story under two titles on one listing page (same source)
        ("ChatGPT、Perplexity、Claude同时“罢工”,全网打工人都慌了", "ChatGPT、Perplexity、Claude同时大崩溃,AI集体罢工让全网都慌了", True),
        # outlets rewrite: a name added, a synonym, a different order
        ("Snowden leaves Moscow airport", "Edward Snowden leaves Moscow airport", True),
        ("Spain Princess Testifies in Historic Fraud Probe", "Spain princess testifies in historic fraud probe", True),
        ("U.N. rights chief presses Egypt on detention", "UN Rights Chief Presses Egypt on Detention", True),
        # hard negatives: other numbers, a template sibling, a follow-up sharing only the topic
        ("Daily update for June 5", "Daily update for June 6", False),
        ("Apple releases iOS 17.5", "Apple releases iOS 17.5.1", False),
        ("Quake of magnitude 6.1 kills 12 in Japan", "Quake of magnitude 5.8 kills 3 in Chile", False),
        ("美再提所谓中企在新疆强迫劳动 赵立坚:凭空捏造", "美国防部称中国军演破坏稳定 赵立坚:某些国家才是", False),
        ("OpenAI says ChatGPT outage was caused by a new telemetry service", "ChatGPT is down for users around the world", False),
    ],
)
def test_headlines_of_one_listing(a: str, b: str, merged: bool) -> None:
    """Headline-only items, as a listing page gives them, among unrelated headlines of the same page."""
    lang = "zh" if any("\u4e00" <= c <= "\u9fff" for c in a) else "en"
    others = ["苹果发布iOS 18.2正式版", "华为Mate 70系列发布会定档", "小米SU7交付量突破10万台", "OpenAI发布o3模型",
              "Fed holds rates steady", "Rust 1.80 released", "SpaceX launches Starlink satellites"]
    window = [make(a, language=lang), make(b, language=lang), *(make(t, language=lang) for t in others)]
    result = run(*window)
    assert (len(result) == len(window) - 1) is merged
    assert all(len(item.also) <= 1 for item in result)


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [("iOS 17.5", "iOS 17.5.1", False), ("June 5", "June 6", False), ("6月6日", "6月5日", False),
     ("Beats Dortmund 2-0 for 15th title", "wins 15th title", True), ("no numbers", "1900 jobs", True),
     ("cuts 1,900 jobs", "cuts 1900 jobs", True), ("Six dead in blast", "6 killed in blast", True),
     ("浅谈 Golang 中数据的并发同步问题（一）", "浅谈 Golang 中数据的并发同步问题（二）", False)],
)
def test_numbers_guard(a: str, b: str, agree: bool) -> None:
    assert numbers_agree(hashes(a), hashes(b)) is agree


def test_series_of_one_source() -> None:
    """A source's titles that differ only in a slot of its template are siblings; a title cut short is not."""
    ppt = [name + "MG转场PPT动画模板素材下载" for name in ("竖向彩条揭开", "横向彩条揭开", "上下揭开", "左右揭开", "闭合")]
    assert len(run(*(make(t, source="pptmall", language="zh") for t in ppt))) == 5
    assert series(hashes(ppt[0]), hashes(ppt[1]))
    assert not series(hashes("复合？港媒曝郑爽张翰疑旧情复燃 两人戴情侣戒指"), hashes("复合？港媒曝郑爽张翰疑旧情复燃 两人戴情侣戒"))
    parts = ["Go + Nuxt.js 搭建一个 BBS 系统", "【Go + Nuxt.js 搭建一个 BBS 系统】7. 深入Nuxt.js",
             "【Go + Nuxt.js 搭建一个 BBS 系统】3. 使用Iris搭建http服务", "【Go + Nuxt.js 搭建一个 BBS 系统】（四）部署"]
    assert len(run(*(make(t, source="mlog", language="zh") for t in parts))) == 4
    cut = [make("复合？港媒曝郑爽张翰疑旧情复燃 两人戴情侣戒指", language="zh"),
           make("复合？港媒曝郑爽张翰疑旧情复燃 两人戴情侣戒", language="zh")]
    assert len(run(*cut)) == 1


@pytest.mark.parametrize(("threshold", "rule"), [(0.35, "title"), (0.6, "pieces")])
def test_title_threshold_zh(threshold: float, rule: str) -> None:
    """The seed's two titles merge by their overlap, and under a stricter threshold by their shared pieces
    (ChatGPT, Perplexity, Claude, 罢工/崩溃) while the overlap is 0.3 of the threshold or more."""
    a = make("ChatGPT、Perplexity、Claude同时“罢工”,全网打工人都慌了", language="zh")
    b = make("ChatGPT、Perplexity、Claude同时大崩溃,AI集体罢工让全网都慌了", source="b", language="zh")
    result = deduplicate([a, b], settings=replace(SETTINGS, title_threshold_zh=threshold), history=History.empty())
    assert [d.rule for d in result.decisions] == [rule]
    assert len(result.items) == 1


# One day of a Chinese portal's listing: a rewrite keeps who, where and what and rewords the rest; the
# same person in another story, a follow-up and a same-day story on the same topic share less.
LISTING_ZH = [
    "围棋名将李明轩因病去世 聂卫平发文悼念",
    "中国围棋协会讣告：李明轩不幸病逝 曾获全国冠军",  # the same story: 李明轩, 围棋, 去世/病逝
    "李明轩妻子晒全家福 网友：围棋界最幸福的一对",  # the same person, another story
    "日本首相岸田突访乌克兰 将与泽连斯基会谈",
    "泽连斯基发表视频讲话 呼吁西方加快援助",  # the same person, another story
    "歌手周子涵演唱会突发意外 临时取消",
    "周子涵工作室发文道歉 演唱会延期举办",  # a follow-up
    "苹果发布iOS 18.2正式版",
    "小米SU7交付量突破10万台",
]


def test_chinese_rewrite_shares_who_where_and_what() -> None:
    items = [make(t, source=f"outlet{i % 3}", language="zh", hours=i) for i, t in enumerate(LISTING_ZH)]
    result = deduplicate(items, settings=SETTINGS, history=History.empty())
    assert len(result.items) == len(items) - 1
    [decision] = result.decisions
    assert decision.item.title == LISTING_ZH[1] and decision.other_title == LISTING_ZH[0]
    assert decision.rule == "pieces" and decision.threshold <= decision.similarity < SETTINGS.title_threshold_zh


SEED_ZH = ("ChatGPT、Perplexity、Claude同时“罢工”,全网打工人都慌了", "ChatGPT、Perplexity、Claude同时大崩溃,AI集体罢工让全网都慌了")


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        # the seed: who (ChatGPT, Perplexity, Claude), what (罢工/崩溃) and more (同时, 全网, 慌了)
        (*SEED_ZH, True),
        # a long agency or place name shared, and one common word or an event word: two stories
        ("国家统计局：11月全国居民消费价格同比上涨", "国家统计局公布全国粮食产量数据 再创新高", False),
        ("中国外交部回应美国对华芯片出口管制新规", "美国国务院发言人就台湾问题答记者问 中国外交部：坚决反对", False),
        ("美国加州洛杉矶一名华裔男子遭枪击身亡", "美国加州洛杉矶发生山火 已致两人遇难", False),
        ("俄罗斯总统普京出访朝鲜", "俄罗斯总统普京视察远东地区军事基地", False),
        # 罢工 is a labour strike as well as a service going down
        ("达美航空机师罢工", "达美航空系统故障 全美航班停飞", False),
        ("网易云音乐数据中心机房故障", "网易云音乐员工罢工", False),
        # a trip abroad is not an inspection at home
        ("习近平访问俄罗斯", "习近平视察湖南", False),
        ("李克强考察上海", "李克强访问德国", False),
        # two words of one event class (宕机, 故障) in one title are one piece, not two
        ("微博宕机 抖音故障 网友：互联网又崩了", "微博热搜系统故障背后：明星流量造假", False),
        # three words of one class are three words of the title, not one: the overlap is 2 names of 7 words
        ("微博宕机、抖音故障、B站瘫痪", "微博、抖音入选", False),
    ],
)
def test_chinese_titles_share_more_than_a_name(a: str, b: str, merged: bool) -> None:
    """Two outlets' Chinese titles are one story when they share more than one name (or place) and the
    event's class: a long name counts once, and each event class once."""
    window = [make(a, source="outlet a", language="zh"), make(b, source="outlet b", language="zh"),
              *(make(t, source=f"outlet{i % 3}", language="zh", hours=i) for i, t in enumerate(LISTING_ZH))]
    result = deduplicate(window, settings=SETTINGS, history=History.empty())
    ours = [d for d in result.decisions if {d.item.title, d.other_title} == {a, b}]
    assert bool(ours) is merged
    assert len(result.items) == len(window) - 1 - merged  # LISTING_ZH's own rewrite, and this pair if one story


@pytest.mark.parametrize(
    ("a", "b", "b_same_word"),
    [("围棋名将李明轩因病去世", "李明轩不幸病逝", "李明轩不幸去世"),
     ("订票系统宕机 旅客滞留机场", "订票系统突发故障 旅客滞留", "订票系统突发宕机 旅客滞留"),
     ("岸田突访乌克兰", "岸田文雄访问基辅", "岸田文雄突访基辅")],
)
def test_an_event_word_matches_its_synonym(a: str, b: str, b_same_word: str) -> None:
    """去世/病逝, 宕机/故障, 突访/访问 score as one shared word (terms.EVENT_WORDS_ZH)."""
    titles = [a, b, b_same_word, *LISTING_ZH]
    feats = [Features(hashes(t), (), 0, None, True, event_words(t)) for t in titles]
    weights = Weights((f.title for f in feats), (f.source for f in feats))
    assert weights.title_score(feats[0], feats[1]) == pytest.approx(weights.title_score(feats[0], feats[2]), abs=0.02)
    assert weights.title_score(feats[0], feats[1]) > 0


def test_a_news_pages_rewrite_is_not_a_template_sibling() -> None:
    """One page's two titles of one crash, differing in the toll's wording, are one story although the page
    has many "…人死亡" titles; its template (terms on three or more of its titles) is not what they share."""
    titles = ["广东一客车与货车相撞 已致12人死亡", "广东一客车与货车相撞 造成多人死亡",
              "印度暴雨引发山体滑坡 至少30人死亡", "美国得州发生枪击案 已致5人死亡", "土耳其一矿井爆炸 数十人死亡"]
    result = deduplicate([make(t, source="netease", language="zh", hours=i) for i, t in enumerate(titles)], settings=SETTINGS,
                         history=History.empty())
    assert len(result.items) == len(titles) - 1
    assert [(d.item.title, d.rule) for d in result.decisions] == [(titles[1], "title")]


def test_time_apart_is_another_story() -> None:
    """The same headline three days later (a listing re-using a title for a new post) is not merged."""
    a = make("4 developers I admire", url="https://blog.example/2021/admire")
    b = make("4 developers I admire", url="https://blog.example/2024/admire", hours=24 * 3)
    assert len(run(a, b)) == 2
    assert len(run(a, replace(b, published=T0 + timedelta(hours=3)))) == 1
    # from two sources days apart: the same text is the same story, a headline alone is not (the next alert)
    alert = make("中央气象台发布暴雨蓝色预警", ZH, source="cma", language="zh")
    again = make("中央气象台发布暴雨蓝色预警", "转自中国天气网。" + ZH, source="weather", hours=72, language="zh")
    assert len(run(alert, again)) == 1
    assert len(run(alert, replace(again, text=""))) == 2


def test_same_title_same_source_other_text_stays_apart() -> None:
    a = make("Weekly notes", WIRE, url="https://blog.example/a")
    b = make("Weekly notes", OTHER, url="https://blog.example/b")
    assert len(run(a, b)) == 2


def test_also_lists_each_url_once() -> None:
    """Three copies of one item under one URL and a fourth source: 'also' names each other URL once."""
    main = make("Quake strikes off Japan", WIRE, source="a", url="https://a.example/q")
    same_url = [replace(make("Quake strikes off Japan", WIRE[:200], source="b", url="https://oschina.example/1"),
                        id=f"guid-{n}") for n in range(3)]
    [story] = run(main, *same_url)
    assert [ref.url for ref in story.also] == ["https://oschina.example/1"]


def test_title_rule_for_texts_that_share_little() -> None:
    """Identical templated titles with unrelated bodies stay apart; as bare headlines they merge."""
    with_bodies = [make("Acme recalls strollers over fall risk", WIRE), make("Acme recalls strollers over fall risk", OTHER, source="b")]
    assert len(run(*with_bodies)) == 2
    assert len(run(with_bodies[0], make("Acme recalls strollers over fall risk", "", source="b"))) == 1


def test_same_text_after_full_text() -> None:
    a = make("某资讯站：AI 同时罢工", ZH * 3, source="listing", url="https://site.example/a/1", language="zh")
    b = make("AI集体罢工", "  " + (ZH * 3).upper(), source="feed", url="https://site.example/feed/1", language="zh")
    c = make("Other", WIRE, source="feed", url="https://site.example/feed/2")
    merged = same_text([a, b, c])
    assert [i.url for i in merged.items] == [a.url, c.url]
    assert [r.url for r in merged.items[0].also] == [b.url]
    assert merged.decisions[0].rule == "full-text"


def test_representative_has_most_text_then_is_earliest() -> None:
    short = make("Quake strikes off Japan", WIRE[:300], source="short", hours=-5)
    longest = make("Quake strikes off Japan", WIRE + " More.", source="long", hours=2)
    tie_early = make("Quake strikes off Japan", WIRE, source="early", hours=-1)
    tie_late = make("Quake strikes off Japan", WIRE, source="late", hours=1)
    [story] = run(short, tie_late, longest, tie_early)
    assert story.source == "long"
    assert [ref.source for ref in story.also][:2] == ["early", "late"]  # equally similar: earliest first
    [story] = run(short, tie_late, tie_early)
    assert story.source == "early"
    assert {ref.source for ref in story.also} == {"late", "short"}


def test_exact_duplicates_keep_one_with_the_others_as_also() -> None:
    url = "https://news.example/story"
    a = make("A story", WIRE, source="a", url=url, index=0)
    b = make("A story (updated)", "", source="b", url=url, index=1)
    c = make("Other", OTHER, source="c", id="tag:example.com,2024:1", url="https://c.example/1")
    d = make("Other", "", source="d", id="tag:example.com,2024:1", url="https://d.example/1")
    result = deduplicate([a, b, c, d], settings=SETTINGS, history=History.empty())
    # the same URL is the same item: "also" names other URLs only
    assert [(i.source, [r.source for r in i.also]) for i in result.items] == [("a", []), ("c", ["d"])]
    assert {(d.item.source, d.rule, d.similarity) for d in result.decisions} == {("b", "same-url", 1.0), ("d", "same-id", 1.0)}
    assert result.duplicates == 2 and result.dropped_history == 0


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        # a feed that links every entry to its front page: the URL says nothing
        (make("First post", WIRE, url="https://blog.example/"), make("Second post", OTHER, url="https://blog.example/"), False),
        # one GUID for every entry (a broken feed): the id says nothing either
        (make("First post", WIRE, id="1"), make("Second post", OTHER, id="1"), False),
        (make("Same post", WIRE, id="1", source="x"), make("Same post", "", id="1", source="y"), True),
    ],
)
def test_exact_keys_that_mean_nothing(a: Item, b: Item, merged: bool) -> None:
    assert (len(run(a, b)) == 1) is merged


def test_no_chaining_through_a_middle_item() -> None:
    """A and C both resemble B but not each other: B joins one of them, the other stays apart."""
    words = [f"w{i}" for i in range(100, 300)]
    tail = " and more text beyond the compared lead" * 3  # makes A and C the representatives
    a = make("Part one", " ".join(words[:32]) + tail, source="a")
    b = make("Part middle", " ".join(words[10:42]), source="b")  # 22 of the 32 lead terms shared with each
    c = make("Part two", " ".join(words[20:52]) + tail, source="c")
    stories = run(a, b, c, settings=replace(SETTINGS, text_threshold=0.6))
    assert len(stories) == 2


def test_existing_also_is_kept_and_not_repeated() -> None:
    first = replace(make("Quake strikes off Japan", WIRE, source="a"),
                    also=(AlsoRef("Quake", "https://x.example/1", "x"),))
    second = make("Quake strikes off Japan", WIRE, source="b")
    [story] = run(first, second)
    assert [r.source for r in story.also] == ["x", "b"]


def test_order_by_coverage_then_recency() -> None:
    old_big = replace(make("Big", hours=-10, source="a"), also=(AlsoRef("Big", "u1", "b"), AlsoRef("Big", "u2", "c")))
    same_source_copies = replace(make("Copies", hours=-1, source="a"), also=(AlsoRef("C", "u3", "a"),))
    new_small = make("New", hours=0, source="d")
    mid_small = make("Mid", hours=-5, source="e")
    assert coverage(old_big) == 3 and coverage(same_source_copies) == 1
    ranked = order_items([mid_small, same_source_copies, new_small, old_big], "coverage")
    assert [i.title for i in ranked] == ["Big", "New", "Copies", "Mid"]
    assert [i.title for i in order_items([mid_small, old_big, new_small], "newest")] == ["New", "Mid", "Big"]
    with pytest.raises(ValueError, match="coverage"):
        order_items([], "random")


def _pair_merged(a: str, b: str, page: list[str], *, same_source: bool = False) -> bool:
    """Whether titles a and b end in one story in a window with LISTING_ZH (three outlets) and `page`,
    more titles of a's source."""
    window = [make(a, source="outlet a", language="zh"),
              make(b, source="outlet a" if same_source else "outlet b", language="zh"),
              *(make(t, source=f"outlet{i % 3}", language="zh", hours=i) for i, t in enumerate(LISTING_ZH)),
              *(make(t, source="outlet a", language="zh", hours=i) for i, t in enumerate(page))]
    result = deduplicate(window, settings=SETTINGS, history=History.empty())
    return _together(result.items, a, b)


def _together(items: list[Item], a: str, b: str) -> bool:
    """Whether titles a and b ended in one story: one is the representative and the other in its `also` (a
    cluster's members, whichever item each was measured against)."""
    return any({a, b} <= {i.title, *(ref.title for ref in i.also)} for i in items)


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        # one minister's appointment and his resignation, under the threshold: who and where shared, what is not
        ("日本首相岸田文雄宣布任命林芳正为新一任外务大臣", "林芳正突然辞去日本外相职务 岸田文雄：尊重本人意愿", False),
        # a sentence is not the arrest it follows
        ("陈戌源受贿案一审宣判 前足协主席被判无期徒刑", "中国足协前主席陈戌源涉嫌严重违纪违法被捕", False),
        # the resignation worded twice (辞职 / 辞去: one kind), and an arrest told with its cause
        ("日本外相林芳正辞职 岸田文雄已批准", "林芳正辞去日本外相职务 岸田文雄表示接受", True),
        ("警方：男子持刀袭击幼儿园 已被刑拘", "男子持刀袭击幼儿园被刑拘 警方通报", True),
    ],
)
def test_chinese_titles_naming_two_kinds_of_event_are_two_stories(a: str, b: str, merged: bool) -> None:
    """Two titles under the threshold that each name an event (terms.EVENT_KINDS_ZH, after ACE's event types) and
    share no kind are two stories of the same people, though they share the pieces of a rewrite."""
    assert _pair_merged(a, b, []) is merged


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        # who | visited | where in one run of the same words, and more reworded: who, what and where
        ("普京突访叙利亚赫梅米姆基地 与阿萨德会面", "普京突访叙利亚赫梅米姆 看望驻扎俄军", True),
        # one man's two trips share who and the event, not where
        ("普京突访叙利亚 与阿萨德会面", "普京突访土耳其 与埃尔多安会谈", False),
        # a long place name and one event word are still one piece and an event: two stories in one city
        ("美国加州洛杉矶一名华裔男子遭枪击身亡", "美国加州洛杉矶发生山火 已致两人遇难", False),
        # 旅游行业 holds 游行 (demonstrated) by accident: 泰国旅游 and that, two pieces, two stories on one trade
        ("疫情重创泰国旅游行业 曼谷酒店大量空置", "泰国旅游行业复苏缓慢 普吉岛游客稀少", False),
        ("疫情之下泰国旅游行业损失惨重", "泰国旅游行业何时复苏？业内人士：至少两年", False),
    ],
)
def test_an_event_word_inside_a_shared_run_divides_it(a: str, b: str, merged: bool) -> None:
    """"普京突访叙利亚赫梅米姆" shared word for word is who, what and where, three pieces, not one long name; a
    side of a single character pair holds a character of the event word and is no piece."""
    assert _pair_merged(a, b, []) is merged


# A portal's page on a day when one man is in many stories: his name is on several of its titles.
HOT_PAGE = ["马斯克称特斯拉将在年内实现完全自动驾驶", "马斯克再次登顶全球首富 身家超2000亿美元",
            "马斯克回应推特裁员：公司每天亏损400万美元", "马斯克的星舰第三次试飞 在返回途中解体",
            "暴雨致京港澳高速部分路段封闭", "国足客场0比2不敌日本队", "央行宣布下调存款准备金率0.5个百分点",
            "故宫博物院暑期每日限流3万人", "一男子高铁上霸座被行政拘留", "多地发布高温红色预警",
            "教育部公布高考志愿填报时间", "台风杜苏芮将登陆福建沿海", "茅台酒价格连续三周下跌",
            "华为发布鸿蒙新版本", "上海迪士尼门票下月起调整", "网红餐厅被曝使用过期食材"]
# A template feed: every title is "<slot>PPT动画模板素材下载"; two slots that share words are two templates.
TEMPLATE_FEED = [f"{slot}PPT动画模板素材下载" for slot in (
    "闭合MG转场", "圆形缩放MG转场", "竖向彩条揭开MG转场", "吉他的视频动态背景", "相机镜头的视频动态背景")]


@pytest.mark.parametrize(
    ("a", "b", "page", "merged"),
    [
        # two outlets' rewrites on the page: the name, 拜登, 发推…怼
        ("马斯克深夜发推怒怼拜登 网友炸锅", "被拜登无视后 马斯克发推回怼：他是木偶", HOT_PAGE, True),
        ("马斯克为大火后的得州小镇捐款 当地居民致谢", "得州小镇大火 马斯克捐出一千万美元重建", HOT_PAGE, True),
        # the same man and the same town, another story
        ("马斯克为得州小镇捐款重建", "马斯克在得州小镇建学校", HOT_PAGE, False),
        # the same two men, another story
        ("马斯克深夜发推怒怼拜登 网友炸锅", "拜登谈马斯克收购推特：值得关注", HOT_PAGE, False),
        # words on most titles of a feed are its template: two slots sharing 背景标题 and 左侧 are two templates
        ("动态办公背景标题从左侧依次飞去PPT动画模板素材下载", "车水马龙的视频素材背景标题左侧进入PPT动画模板素材下载",
         TEMPLATE_FEED, False),
    ],
)
def test_a_name_on_many_titles_of_one_page_is_still_a_rare_piece(a: str, b: str, page: list[str], merged: bool) -> None:
    """A piece's rarity is over the run's titles: a name on several titles of one page (a man in the news) is not
    the page's template, so it still counts as a piece of a rewrite of his story on that page; a term on most of
    a source's titles is (Weights.on_most)."""
    assert _pair_merged(a, b, page, same_source=True) is merged


@pytest.mark.parametrize(
    ("a", "b", "merged"),
    [
        # an official notice and a portal's long retelling: 陈春秀, 通报, 处理 (overlap 0.11, floor 0.105)
        ("山东省纪委监委通报“陈春秀事件”：8名相关人员被处理 部分细节出现反转 当事人表示将继续维权",
         "关于陈春秀反映被冒名顶替上大学问题调查处理情况的通报", True),
        # the same woman's interview: her name and what happened to her, not the notice
        ("陈春秀首次接受采访 谈被冒名顶替上大学这些年 当事人表示将继续维权",
         "关于陈春秀反映被冒名顶替上大学问题调查处理情况的通报", False),
    ],
)
def test_pieces_floor(a: str, b: str, merged: bool) -> None:
    """The pieces rule looks down to 0.3 of title_threshold_zh (0.105): a long retelling of a notice shares three
    pieces and little else."""
    assert _pair_merged(a, b, []) is merged


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # one man, one event word, two appointments (overlap 0.39 and 0.49, at or above the threshold)
        ("特朗普宣布任命卢比奥为国务卿", "特朗普宣布任命万斯为副总统人选"),
        ("华为宣布任命新轮值董事长", "华为宣布任命新首席财务官"),
        # one star's divorce, a follow-up and the agency's statement
        ("某明星离婚风波后续", "某明星离婚 经纪公司回应"),
    ],
)
def test_one_name_and_one_event_word_are_two_stories(a: str, b: str) -> None:
    """A piece made of an event word alone, of any kind (任命, 离婚), is "the event word" for beyond_name: who
    plus what happened is two stories about one man until a third piece (where, whom) is shared too."""
    assert _pair_merged(a, b, []) is False


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # attacked, air-struck and the dead of it: one attack
        ("以军袭击加沙难民营", "以军空袭加沙难民营 已致数十人遇难"),
        # elected, took office: one election
        ("李强当选国务院总理", "李强出任国务院总理"),
        ("李强当选国务院总理", "李强就任国务院总理"),
        # the founder resigns, the successor is appointed and the founder steps down: one story
        ("X公司创始人张三宣布辞职", "X公司任命李四为新CEO 创始人张三卸任"),
        # one succession told twice: two kinds, but the titles share more than the name (a review's pair)
        ("阿里巴巴张勇卸任CEO 吴泳铭接任", "吴泳铭出任阿里巴巴集团CEO 接替张勇"),
        # 被抓获 is 被 | 抓获 in jieba's cut: 抓获 is the arrest word (a review's pair)
        ("云南一女子拐卖儿童30年后被抓获", "云南拐卖儿童女嫌犯潜逃30年终落网"),
    ],
)
def test_rewrites_in_two_event_words_of_one_event_are_one_story(a: str, b: str) -> None:
    """Outlets tell one event in words of different kinds: at or above the threshold the events veto stops the
    title rule only when nothing beyond the name is shared, and a family of terms.EVENT_KINDS_ZH (an attack and
    its dead, an election and taking office, a resignation and stepping down) is one kind."""
    assert _pair_merged(a, b, []) is True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # a name and two kinds of event, at or above the threshold (0.71, 0.75; a review's pairs)
        ("歌手王力宏宣布离婚", "歌手王力宏宣布结婚"),
        ("美国前总统特朗普在纽约被起诉", "美国前总统特朗普在纽约被判处罚金"),
    ],
)
def test_a_name_and_two_kinds_of_event_are_two_stories_at_any_overlap(a: str, b: str) -> None:
    """The title overlap of "who did what" rewrites is mostly who: when that is all two titles share, two kinds
    of event (a divorce and a marriage, a charge and a sentence) are two stories even above the threshold."""
    assert _pair_merged(a, b, []) is False


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("曼谷商场发生恶性事件 旅游行业受冲击", "曼谷商场发生枪击 旅游业受冲击"),  # 旅游行业: 游行
        ("北京特大暴雨致地铁全线停运 市民应当选择公交出行", "北京特大暴雨 地铁全线停运 多人受伤"),  # 应当选择: 当选
        ("宁德时代宜宾新工厂投产 年底突破产能瓶颈", "宁德时代宜宾新工厂投产 产能瓶颈年底解决 曾毓群会见官员"),  # 破产
        ("国家税务总局网上任务大厅今日上线", "国家税务总局任务大厅今日上线 局长王军视察"),  # 网上任务: 上任
        ("春晚剧组完成演出任务 导演张艺谋致谢", "春晚剧组圆满收官 导演张艺谋出席庆功会见记者"),  # 演出任务: 出任
        ("世界人工智能大会见证百余款大模型发布", "世界人工智能大会百余款大模型发布 黄仁勋到访"),  # 大会见证: 会见
        ("福建舰南海演练展示威力 多型舰载机起降", "福建舰南海演练 多型舰载机起降 国防部长到访"),  # 展示威力: 示威
        ("武磊遭受伤病困扰 缺席国足世预赛", "武磊缺席国足世预赛 足协官员到访探望"),  # 遭受伤病: 受伤
        ("消费者协会就外卖超时发起诉求征集 美团回应", "消费者协会征集外卖超时投诉 美团高管会见代表"),  # 发起诉求: 起诉
        ("中信证券引领证券板块大涨 成交额创新高", "中信证券大涨 证券板块成交额创新高 董事长到访交易所"),  # 引领证券: 领证
        ("苏炳添百米成绩超过世界纪录", "苏炳添百米夺冠 成绩追平亚洲纪录 多人受伤"),  # 超过世界: 过世
        ("摄影师带你去世界各地看极光", "摄影师带你看世界各地极光 作品获奖后到访北京"),  # 去世界: 去世
        ("隐居山林远离世俗 老人百岁生日", "隐居山林老人百岁生日 官员到访慰问"),  # 远离世俗: 离世
        ("央视推出访谈节目《对话》", "央视访谈节目《对话》上线 主持人陈伟鸿离世"),  # 推出访谈: 出访
        ("线下台账全面取消 基层减负见成效", "基层减负：纸质台账全面取消 县长任命专人督办"),  # 线下台账: 下台
    ],
)
def test_an_event_word_inside_other_words_is_no_event(a: str, b: str) -> None:
    """An event word counts only as a word of the title (terms.event_words, jieba's cut): two characters of two
    words side by side (旅游|行业 holds 游行) name no event, so they neither veto a rewrite nor cut a run."""
    assert _pair_merged(a, b, []) is True


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("中国旅游行业协会发布年度报告", "中国旅游行业协会换届 新会长亮相"),
        ("中国旅游行业协会会长出席论坛", "中国旅游行业协会秘书长接受采访"),
        ("网上任务大厅上线新功能", "网上任务大厅系统故障"),
    ],
)
def test_an_accidental_event_word_does_not_cut_a_name(a: str, b: str) -> None:
    """中国旅游行业协会 is one name, one piece: 游行 across 旅游|行业 does not cut it into three, so two stories
    about one association stay two."""
    assert _pair_merged(a, b, []) is False


def test_event_words_are_words_of_the_title() -> None:
    """terms.event_words: an event word inside a longer word counts (枪击案, 游行示威), one across two words not."""
    from digest.dedup.terms import event_words, term_hash

    assert event_words("曼谷商场发生枪击案 旅游行业受冲击") == {term_hash("枪击")}
    assert event_words("市民游行示威") == {term_hash("游行"), term_hash("示威")}
    assert event_words("应当选择 网上任务 超过世界纪录 远离世俗 线下台账") == frozenset()
    # two characters the dictionary has no word for, each standing alone, are the word (no made-up 抓后)
    assert event_words("大学生作弊被抓后坠亡") == {term_hash("被抓"), term_hash("坠亡")}
