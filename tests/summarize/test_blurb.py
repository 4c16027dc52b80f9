"""Filling a blurb (digest/summarize/blurb.py): sentences that cannot stand alone come with what they need.

A sentence ending in a colon comes with the sentence it introduces, the next one in the article, as
a pair; a sentence that leans back comes after an earlier one; with `refill` (Chinese summaries) a
sentence that waits leaves its rank to the next one down.  Texts from real feeds (the files named)
or in their shapes.
"""

from __future__ import annotations

import pytest

from digest.summarize import summarize
from digest.summarize.blurb import choose
from digest.summarize.candidates import apart, candidates

# feeds/rsparser/DaringFireball.rss, "Apple vs. FBI: ‘Just This Once’?" (the quote shortened)
_SANCHEZ = [
    "Julian Sanchez, writing for Just Security:",
    "But Apple is a very large company with many products, and it has said it will comply with the law.",
    "Sanchez makes an interesting point here about Apple being disincentivized from improving iPhone security.",
]
# the same shape in Chinese: a colon line, a quote that opens with 但, the author's comment
_XINHUA = [
    "国家统计局新闻发言人在发布会上表示：",
    "但也要看到，外部环境依然复杂严峻，国内需求仍显不足，经济回升向好的基础还需进一步巩固。",
    "分析人士认为，四季度经济有望延续恢复态势，全年增长目标可以顺利实现。",
]


@pytest.mark.parametrize("texts", [_SANCHEZ, _XINHUA], ids=["en", "zh"])
def test_a_colon_sentence_and_the_leaning_sentence_it_introduces_come_as_a_pair(texts: list[str]) -> None:
    assert choose([2, 0, 1], texts, 3, 320, reach=3, leaning={1}, introducing={0}) == [0, 1, 2]
    # the budget holds for both: if the pair does not fit beside the best, neither comes
    budget = len(texts[2]) + len(texts[0]) + 5
    assert choose([2, 0, 1], texts, 3, budget, reach=3, leaning={1}, introducing={0}) == [2]
    # nor when only one more sentence may come
    assert choose([2, 0, 1], texts, 2, 320, reach=3, leaning={1}, introducing={0}) == [2]


@pytest.mark.parametrize(("language", "text", "colon"), [
    # feeds/feedjira/SamRuby.xml "Hacked": the lines that followed were code (dropped as furniture here)
    ("en", "This site was hacked.\n\nThe immediate culprit was the addition of the following lines to a number of "
           ".htaccess files:\n\nfilter: none !important;\n\nA reader of the site noted that Google’s index of this "
           "site had been co-opted by dubious pharmaceutical offerings.", 1),
    ("zh", "上周博客被人黑了。\n\n罪魁祸首是几个 .htaccess 文件里被加上了如下几行：\n\nfilter: none !important;\n\n"
           "一位读者发现，谷歌收录的本站页面已经被换成了可疑的药品广告。", 1),
], ids=["en", "zh"])
def test_a_colon_sentence_introduces_the_next_sentence_of_the_article_not_the_next_candidate(
        language: str, text: str, colon: int) -> None:
    pool = candidates(text, "", language)
    assert pool[colon].text.endswith(("files:", "如下几行：")) and len(pool) == 3  # the code line is gone
    assert colon in apart(text, pool) and 0 not in apart(text, pool)
    texts = [s.text for s in pool]
    # what the colon sentence introduced is not among the candidates: it never comes
    assert choose([0, colon, 2], texts, 3, 320, reach=3, introducing={colon}, apart=apart(text, pool)) == [0, 2]


# html/article/trafilatura/lemire.me.json.html's opening (the last sentence shortened)
_LEMIRE = [
    "JSON is the ubiquitous data format on the Internet.",
    "There is a lot of JSON that needs to be parsed and validated.",
    "As we just released the latest version of our fast JSON parser (simdjson), a reader of this blog asked how it "
    "compared in speed against one of the nicest C++ JSON libraries: JSON for Modern C++ (nlohmann/json).",
    "We have not reported on benchmarks against JSON for Modern C++ because we knew that it was not designed for "
    "speed.",
]
_GAOTIE = [
    "今年国庆假期，全国铁路累计发送旅客超过1.3亿人次。",
    "这也是铁路部门连续第三年在黄金周创下客流纪录。",
    "为应对出行高峰，铁路部门在节前新增了数百列夜间高铁和临时旅客列车，并在热门线路上加开了重联动车组，尽量满足旅客的出行需求，"
    "同时延长了部分车站的售票和检票时间，还在各大车站增派了志愿者引导旅客候车。",
    "受此影响，各地景区接待游客数量同比增长明显，旅游收入也大幅提高。",
]


@pytest.mark.parametrize("texts", [_LEMIRE, _GAOTIE], ids=["en", "zh"])
def test_the_rank_a_waiting_sentence_leaves_is_taken_by_the_next(texts: list[str]) -> None:
    budget = len(texts[2]) + len(texts[3]) - 1
    # 2 is best, 3 does not fit beside it, 1 leans back and would open the blurb: it waits
    assert choose([2, 3, 1, 0], texts, 3, budget, reach=3, leaning={1}) == [2]
    assert choose([2, 3, 1, 0], texts, 3, budget, reach=3, leaning={1}, refill=True) == [0, 2]


# feeds/rssant/https-blog-huoding-com-feed.xml's shape: a colon line over a code block (dropped here as
# a CSS line), so what it introduced is not among the candidates.
_HUODING = ("最近线上一个 OpenResty 接口频繁报错，排查后发现问题出在 Lua 的尾调用上，报错信息里的函数名并不可靠。"
            "我登录服务器查看了一下 Nginx 的错误日志，发现了如下所示的 test 函数报错信息：\n\n"
            "filter: none !important;\n\n"
            "看上去这就是一道送分题，无非就是 test 函数的第一个参数类型应该是 string，实际传递的却是 userdata。"
            "就当我觉得可以轻而易举解决问题的时候，突然发现 test 函数定义就没有参数，调用的时候也没传参数。"
            "原来 Lua 在尾调用时会复用调用者的栈帧，所以报错信息里显示的函数名其实是上一层调用者的名字。"
            "知道了原因，解决起来就简单了，只要不用尾调用即可。")


def test_a_colon_line_over_dropped_code_never_comes_and_its_rank_goes_to_the_next() -> None:
    summary = summarize(_HUODING, title="一个尾调用相关的诡异报错信息", language="zh")
    assert summary.sentences == (
        "最近线上一个 OpenResty 接口频繁报错，排查后发现问题出在 Lua 的尾调用上，报错信息里的函数名并不可靠。",
        "看上去这就是一道送分题，无非就是 test 函数的第一个参数类型应该是 string，实际传递的却是 userdata。",
        "原来 Lua 在尾调用时会复用调用者的栈帧，所以报错信息里显示的函数名其实是上一层调用者的名字。",
    )
