"""Candidate pairs for labelling: two Chinese news titles of the corpus sharing at least two character pairs
that are each on at most 6 titles (no matcher involved), leaving out a title and its own cut (one a prefix
of the other) and pairs already labelled; random order, seed 15."""
import sys, re, random, itertools, collections
sys.path.insert(0, "bench")
import dedup_headlines as H
titles = H._corpus_titles()
news = {t: w for t, w in titles.items() if w in ("netease_international_news", "netease_leaderboard_news",
        "tencent_important_news", "zhihu_search_result")}
have = set()
for line in open("bench/data/zh_headline_pairs.tsv", encoding="utf-8"):
    if line.startswith(("#", "label")): continue
    f = line.rstrip("\n").split("\t"); have.add(frozenset((f[2], f[3])))
def bigrams(t):
    return {r[i:i+2] for r in re.findall(r"[\u4e00-\u9fff]+", t) for i in range(len(r)-1)}
bg = {t: bigrams(t) for t in news}
df = collections.Counter(b for s in bg.values() for b in s)
by = collections.defaultdict(list)
for t, s in bg.items():
    for b in s:
        if 2 <= df[b] <= 6: by[b].append(t)
shared = collections.Counter()
for b, ts in by.items():
    for x, y in itertools.combinations(sorted(ts), 2):
        shared[(x, y)] += 1
def squash(t): return re.sub(r"\W", "", t)
cands = set()
for (x, y), n in shared.items():
    if n < 2 or frozenset((x, y)) in have: continue
    a, b = squash(x), squash(y)
    if a.startswith(b) or b.startswith(a): continue
    cands.add((x, y))
# near-identical strings (one a prefix/truncation of the other) tell nothing new: keep them, they are real too
cands = sorted(cands)
print(len(news), "titles;", len(cands), "candidate pairs", file=sys.stderr)
random.Random(15).shuffle(cands)
for x, y in cands[:int(sys.argv[1])]:
    print(f"{x}\t{y}\t{news[x]}+{news[y]}" if news[x] != news[y] else f"{x}\t{y}\t{news[x]}")
