"""Zero-config listings: find the repeated block of items on a page that has no feed and no selectors.

An item is the largest element around an article link that holds no other article link; items
of one list share a shape (their tag, their parent's and grandparent's tag and classes).  The
shape whose items carry the most title-like text wins.  Navigation menus, tag clouds, pagers and
footers lose because their link texts are short and their containers say what they are (`nav`,
`footer`, class="menu"…).  The winner is reported as a CSS selector, so a user can paste it into
feeds.yaml and tune it.  The element helpers here are shared with `listing`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

MIN_ITEMS = 3
_MAX_LINKS_IN_ITEM = 100  # a post on a blog's front page links a lot; a page wrapper links more
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_HEADING = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_TITLE_CLASS = re.compile(r"title|headline|heading|subject|tit\b", re.IGNORECASE)
# containers whose links are not articles (strong) or rarely the main list (mild)
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu", "form", "select"})
_NEAR_WORDS = (
    r"nav|navbar|navigation|menu|menubar|breadcrumbs?|crumbs?|pager|pagination|paging|pagenav|tags?|tagcloud|"
    r"cloud|share|social|login|toolbar|skip|lang|language|dropdown|subnav|keywords?|comment|reply"
)
# around a link (three levels): a menu entry, a tag, a share button, a pager
_CHROME_NEAR = re.compile(rf"(?:^|[-_\s])(?:{_NEAR_WORDS})s?(?:$|[-_\s\d])", re.IGNORECASE)
# around a whole block: page chrome (a post's own "entry-header" is inside its item, never around it)
_CHROME = re.compile(
    rf"(?:^|[-_\s])(?:{_NEAR_WORDS}|footer|foot|header|topbar|copyright|friend|friendlinks?|flink|sitemap|banner|ad|advert)s?(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_SIDE = re.compile(
    r"(?:^|[-_\s])(?:sidebar|side|aside|widget|related|recommend|hot|rank|ranking|popular|top10|most)s?(?:$|[-_\s\d])",
    re.IGNORECASE,
)
_STATE_CLASS = re.compile(
    r"\d|^(?:odd|even|first|last|active|current|selected|on|cur|hover|new|hot|top|clearfix|cf)$|^(?:ng-|js-)",
    re.IGNORECASE,
)
_SKIP_HREF = re.compile(r"^\s*(?:javascript:|mailto:|tel:|data:|#)", re.IGNORECASE)
# "[社会]", "【财经】": a row's category label, linked to its channel page, never an article
BRACKETED = re.compile(r"^\s*[\[【〔].{1,10}[\]】〕]\s*$")
# an element that holds an item's category ("rec-cat", "category", "channel", "column" = 栏目)
CATEGORY_HINT = re.compile(r"(?:^|[-_\s])(?:cat|cate|category|categories|channel|column|lanmu)(?:$|[-_\s])", re.IGNORECASE)
# a link that is one ("column" is left out here: grid layouts call their cells that)
_CATEGORY_LINK = re.compile(r"(?:^|[-_\s])(?:cat|cate|category|categories|channel|lanmu)(?:$|[-_\s])", re.IGNORECASE)
# A list of links this short on average is the footer's Legal / Privacy / Cookies, not articles
MIN_MEAN_TITLE_UNITS = 2.0
# what footer and service links say ("Privacy Policy", "Terms of Service", "关于我们"), never a headline
_SERVICE_LINK = re.compile(
    r"^(?:privacy|cookies?|terms|legal|imprint|impressum|contact|about us|sitemap|careers|jobs|advertise|"
    r"accessibility|copyright|disclaimer)\b|^(?:关于我们|联系我们|隐私|免责声明|版权声明|法律声明|网站地图|用户协议|服务条款|招聘|广告服务)",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------- element helpers

def text_of(el: Any) -> str:
    """Visible text of an element, whitespace collapsed."""
    return " ".join(el.text_content().split())


def text_units(text: str) -> float:
    """Roughly the number of words: Latin words count one, a CJK character half of one."""
    cjk = len(_CJK.findall(text))
    latin = sum(1 for word in _WORD.findall(_CJK.sub(" ", text)) if not word.isdigit())
    return latin + cjk / 2


def classes(el: Any) -> list[str]:
    """The element's stable classes (no numbered or state classes like 'item-3', 'active')."""
    return [c for c in (el.get("class") or "").split() if not _STATE_CLASS.search(c) and _css_ident(c)]


def link_url(a: Any, base_url: str) -> str | None:
    """Absolute http(s) URL of a link, without its fragment; None for scripts, mail and anchors.

    On a page read from a file: URL, relative links resolve to file: URLs; they are kept so the
    page's structure can be read, but nothing downstream ever fetches them (full text is http(s) only).
    """
    href = a.get("href")
    if not href or _SKIP_HREF.match(href):
        return None
    try:
        url = urljoin(base_url, href.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme in ("http", "https") and parts.netloc:
        return str(url).split("#", 1)[0]
    if parts.scheme == "file" and base_url.startswith("file:"):
        return str(url).split("#", 1)[0]  # a page read from disk: its relative links stay local (never fetched)
    return None


def links_in(el: Any) -> Iterator[Any]:
    """The element's links, itself included when it is one."""
    if el.tag == "a":
        yield el
    yield from el.iter("a")


def main_link(item: Any, base_url: str) -> Any | None:
    """The link that is the item's article: in a heading or a 'title' element, else the longest text."""
    best: Any | None = None
    best_key: tuple[int, int, float] = (-1, -1, -1.0)
    for a in links_in(item):
        if link_url(a, base_url) is None:
            continue
        text = link_title(a)
        if not text:
            continue
        key = (0 if is_date_text(text) else 1, 1 if _in_title_context(a, item) else 0, text_units(text))
        if key > best_key:
            best, best_key = a, key
    return best


def is_chrome_block(el: Any, stop: Any) -> bool:
    """Inside a share bar, a tag list, a comment count … (up to `stop`): page furniture, not text."""
    while el is not None and el is not stop:
        if _CHROME_NEAR.search(f"{el.get('id') or ''} {el.get('class') or ''}"):
            return True
        el = el.getparent()
    return False


def is_label_link(a: Any, title: str) -> bool:
    """A category link inside an item: "[社会]", or a short link in (or with) a category class."""
    if BRACKETED.match(title):
        return True
    parent = a.getparent()
    labels = (a.get("class") or "") + " " + ((parent.get("class") or "") if parent is not None else "")
    return len(title) <= 12 and bool(_CATEGORY_LINK.search(labels))


def is_date_text(text: str) -> bool:
    """A short text that is a date: the permalink of a post ('March 6, 2016 1:46 PM'), not a title."""
    from ..dates import parse_date

    far = datetime(2100, 1, 1, tzinfo=UTC)  # no "future" cut-off: the page may be old
    return len(text) < 40 and parse_date(text, tz=UTC, now=far) is not None


def link_title(a: Any) -> str:
    """A link's title: the heading inside a card link, else its text, else its title attribute."""
    for el in a.iter(etree.Element):
        if el is not a and (el.tag in _HEADING or _TITLE_CLASS.search(el.get("class") or "")):
            text = text_of(el)
            if text:
                return text
    return text_of(a) or (a.get("title") or "").strip()


def _in_title_context(a: Any, item: Any | None) -> bool:
    """In a heading or a 'title' element (within the item, or three levels up), or holding a heading."""
    el = a
    depth = 0
    while el is not None and depth <= 3:
        if el.tag in _HEADING or _TITLE_CLASS.search(el.get("class") or ""):
            return True
        if el is item:
            break
        el = el.getparent()
        depth += 1
    return next(a.iter(*_HEADING), None) is not None


# ---------------------------------------------------------------------------- detection

@dataclass(frozen=True)
class Detection:
    selector: str
    items: list[Any]  # the detected item elements, in document order
    score: float
    exact: bool = True  # False: no selector picks exactly these items; `selector` picks more


def detect_items(root: Any, base_url: str) -> Detection | None:
    """The page's main repeated block of article items, or None when there is none."""
    ranked = rank_groups(root, base_url)
    if not ranked:
        return None
    score, _, group = max(ranked, key=lambda g: g[0])
    if sum(group.values()) < MIN_MEAN_TITLE_UNITS * len(group) or _mostly_service_links(group, base_url):
        return None  # the best "list" is page chrome, and a wrong digest is worse than none
    members = list(group)
    members.sort(key=_doc_order(root))
    selector, selected, exact = _selector_for(root, members, base_url)
    return Detection(selector=selector, items=selected, score=score, exact=exact)


def _mostly_service_links(group: dict[Any, float], base_url: str) -> bool:
    """Half or more of a short list's links are Privacy / Terms / Contact: a footer, not articles."""
    if len(group) > 30:
        return False  # article lists are long; footers are not
    titles = [link_title(a) for m in group if (a := main_link(m, base_url)) is not None]
    return sum(1 for t in titles if _SERVICE_LINK.search(t)) * 2 >= len(group)


def rank_groups(root: Any, base_url: str) -> list[tuple[float, tuple[str, ...], dict[Any, float]]]:
    """Every candidate block (score, shape, items -> title units) with at least MIN_ITEMS items, unordered."""
    page = base_url.split("#", 1)[0]
    owners: dict[Any, set[str]] = defaultdict(set)  # element -> title-like URLs inside it
    strong: dict[Any, set[str]] = defaultdict(set)  # element -> URLs of heading/title links inside it
    links: list[tuple[Any, str, float, bool]] = []
    for a in root.iter("a"):
        url = link_url(a, base_url)
        if url is None or url == page:
            continue
        title = link_title(a)
        units = text_units(title)
        if units < 1 or _is_chrome_link(a) or is_date_text(title) or is_label_link(a, title):
            continue  # too short, a menu entry, a date permalink ("March 6, 2016 1:46 PM"), a "[社会]" label
        is_strong = _in_title_context(a, None)
        links.append((a, url, units, is_strong))
        for el in _ancestors(a):
            owners[el].add(url)
            if is_strong:
                strong[el].add(url)

    groups: dict[tuple[str, ...], dict[Any, float]] = defaultdict(dict)
    for a, _url, units, is_strong in links:
        if not is_strong and _inside_titled_item(a, owners, strong):
            continue  # a link in the text of an item that has a heading link is not an item of its own
        item = _item_for(a, owners, strong)
        if item is None:
            continue
        group = groups[_shape(item)]
        group[item] = max(group.get(item, 0.0), units)
    return [(_score(m), shape, m) for shape, m in groups.items() if len(m) >= MIN_ITEMS]


def _ancestors(el: Any) -> Iterator[Any]:
    while el is not None and el.tag not in ("body", "html"):
        yield el
        el = el.getparent()


def _is_chrome_link(a: Any) -> bool:
    """A share button, a pager or a menu entry close around the link: never an article."""
    for depth, anc in enumerate(_ancestors(a)):
        if depth > 3:
            break
        label = f"{anc.get('id') or ''} {anc.get('class') or ''}"
        if anc.tag in ("nav", "menu", "select") or _CHROME_NEAR.search(label) or anc.get("role") == "navigation":
            return True
    return False


def _item_for(a: Any, owners: dict[Any, set[str]], strong: dict[Any, set[str]]) -> Any | None:
    """The outermost ancestor of `a` that is about one article: one heading link, or one link at all."""
    item = None
    for el in _ancestors(a):
        titled = strong.get(el)
        if (len(titled) if titled else len(owners[el])) > 1:
            break
        item = el
    return item


def _inside_titled_item(a: Any, owners: dict[Any, set[str]], strong: dict[Any, set[str]]) -> bool:
    """True when `a` sits in a block with one heading link that is one of several such blocks.

    That block is a post (title + text with inline links), not a page wrapper around a logo.
    """
    for el in _ancestors(a):
        titled = strong.get(el)
        if titled:
            if len(titled) != 1 or len(owners[el]) > _MAX_LINKS_IN_ITEM:
                return False
            top = el
            while (parent := top.getparent()) is not None and len(strong.get(parent) or ()) == 1:
                top = parent
            parent = top.getparent()
            return parent is not None and len(strong.get(parent) or ()) > 1
    return False


def _signature(el: Any) -> str:
    return str(el.tag) + "".join(f".{c}" for c in sorted(classes(el)))


def _shape(item: Any) -> tuple[str, ...]:
    parent = item.getparent()
    grand = parent.getparent() if parent is not None else None
    return (
        str(item.tag),
        _signature(parent) if parent is not None else "",
        _signature(grand) if grand is not None else "",
    )


def _score(members: dict[Any, float]) -> float:
    """Sum over items of how title-like their link is, discounted for navigation/sidebar context."""
    total = 0.0
    extra = 0
    for item, units in members.items():
        total += min(1.0, units / 6) ** 2  # squared: many one-word tags must not outweigh real titles
        if text_units(text_of(item)) >= units + 8:
            extra += 1  # a blurb, a date line: items of a real list say more than their title
    first = next(iter(members))
    factor = _context_factor(first)
    return total * factor * (1 + 0.5 * extra / len(members))


def _context_factor(el: Any) -> float:
    factor = 1.0
    for anc in _ancestors(el):
        label = f"{anc.get('id') or ''} {anc.get('class') or ''} {anc.get('role') or ''}"
        if anc.tag in _CHROME_TAGS or _CHROME.search(label) or anc.get("role") in ("navigation", "banner", "contentinfo"):
            factor = min(factor, 0.15)
        elif _SIDE.search(label):
            factor = min(factor, 0.5)
    return factor


def _doc_order(root: Any) -> Any:
    order = {el: i for i, el in enumerate(root.iter(etree.Element))}
    return lambda el: order.get(el, 0)


# ---------------------------------------------------------------------------- selectors

def _css_ident(name: str) -> bool:
    return bool(re.fullmatch(r"-?[A-Za-z_][\w-]*", name))


def _part(el: Any, with_id: bool = True) -> str:
    ident = el.get("id") or ""
    if with_id and _css_ident(ident) and not re.search(r"\d{3,}", ident):
        return f"{el.tag}#{ident}"
    return str(el.tag) + "".join(f".{c}" for c in classes(el)[:3])


def _item_part(members: list[Any]) -> str:
    common = set(classes(members[0]))
    for m in members[1:]:
        common &= set(classes(m))
    ordered = [c for c in classes(members[0]) if c in common][:2]
    return str(members[0].tag) + "".join(f".{c}" for c in ordered)


def _selector_for(root: Any, members: list[Any], base_url: str) -> tuple[str, list[Any], bool]:
    """A readable CSS selector that picks the members and nothing else that holds a link."""
    wanted = set(members)
    parents = list(dict.fromkeys(m.getparent() for m in members))
    item = _item_part(members)
    positions = set(_positions(members).values())
    variants = [item, f"{item}:nth-of-type({positions.pop()})"] if len(positions) == 1 else [item]
    for candidate in (c for variant in variants for c in _candidates(members, parents, variant)):
        selected = _select(root, candidate)
        if selected is None or not wanted.issubset(selected):
            continue
        if all(m in wanted or not any(link_url(a, base_url) for a in links_in(m)) for m in selected):
            return candidate, selected, True
    # structural fallback: the path to each parent; it may pick more than the items
    candidate = ", ".join(f"{_path(p)} > {item}" for p in parents)
    selected = _select(root, candidate) or []
    if set(selected) == wanted:
        return candidate, selected, True
    return candidate, members, False


def _candidates(members: list[Any], parents: list[Any], item: str) -> Iterable[str]:
    """Selectors from short to specific: the item alone, then anchored on up to five ancestors."""
    if "." in item:
        yield item
    if len(parents) == 1:
        inner = f"{_part(parents[0])} > {item}"
        chain = list(_ancestors(parents[0]))[1:]
    else:
        # items in several blocks (tabs, one list per day): anchor on the blocks' common ancestor
        top = _common_ancestor(parents)
        if top is None:
            return
        steps: list[str] = []
        el = members[0].getparent()
        while el is not None and el is not top:
            steps.insert(0, _part(el, with_id=False))
            el = el.getparent()
        inner = " > ".join([_part(top), *steps, item])
        chain = list(_ancestors(top))[1:]
    yield inner
    upper: list[str] = []
    for el in chain[:5]:
        part = _part(el)
        upper.insert(0, part)
        yield " ".join([*upper, inner])
        if "#" in part:
            return  # an id pins the block; going higher only adds noise


def _positions(members: list[Any]) -> dict[Any, int]:
    """Each member's :nth-of-type index, counting each parent's children once."""
    wanted = set(members)
    positions: dict[Any, int] = {}
    for parent in dict.fromkeys(m.getparent() for m in members):
        if parent is None:
            continue
        for index, child in enumerate(parent.iterchildren(members[0].tag), start=1):
            if child in wanted:
                positions[child] = index
    return positions


def _common_ancestor(elements: list[Any]) -> Any | None:
    paths = [list(_ancestors(el))[::-1] for el in elements]
    common = None
    for level in zip(*paths, strict=False):
        if all(el is level[0] for el in level):
            common = level[0]
        else:
            break
    return common


def _path(el: Any) -> str:
    steps: list[str] = []
    for anc in _ancestors(el):
        parent = anc.getparent()
        same = list(parent.iterchildren(anc.tag)) if parent is not None else [anc]
        steps.insert(0, f"{anc.tag}:nth-of-type({same.index(anc) + 1})" if len(same) > 1 else str(anc.tag))
    return "body > " + " > ".join(steps) if steps else "body"


def _select(root: Any, selector: str) -> list[Any] | None:
    from cssselect import SelectorError

    try:
        return list(root.cssselect(selector))
    except (SelectorError, ValueError):
        return None
