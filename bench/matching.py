"""Benchmark the needs↔resources matching engine: quality and speed.

    python bench/matching.py                 # dev-set quality + full speed run
    python bench/matching.py --quick         # dev-set quality + small speed run
    python bench/matching.py --data DIR      # another labelled set (needs/resources/gold.csv)
    python bench/matching.py --misses        # also list needs whose top 1 is wrong

Prints numbers; asserts nothing. Targets (issue 4): P@1 ≥ 0.85, R@5 ≥ 0.95, MRR ≥ 0.90
on held-out data; index 100k resources < 60 s; top 10 for one need < 20 ms median;
10k needs × 100k resources < 120 s; peak memory < 2 GB.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lianjian.matching.csvio import read_needs, read_resources  # noqa: E402
from lianjian.matching.engine import (  # noqa: E402
    DATA_DIR,
    MatchEngine,
    NeedDoc,
    ResourceDoc,
    _workers_for,
    get_lexicon,
    parse_thesaurus,
)

DEFAULT_DATA = REPO.parent / "shared" / "data" / "matching" / "dev"


def _find(data_dir: Path, name: str) -> Path:
    """``name.csv``, or the one ``*_name.csv`` (test fixtures use a prefix)."""
    path = data_dir / f"{name}.csv"
    if path.exists():
        return path
    found = sorted(data_dir.glob(f"*_{name}.csv"))
    return found[0] if found else path


def evaluate(data_dir: Path, show_misses: bool = False) -> dict[str, float]:
    needs = read_needs(_find(data_dir, "needs"))
    resources = read_resources(_find(data_dir, "resources"))
    gold: dict[str, set[str]] = {}
    with open(_find(data_dir, "gold"), encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            gold.setdefault(row["need_id"].strip(), set()).add(row["resource_id"].strip())
    distractors = {r.id for r in resources} - set().union(*gold.values())
    titles = {r.id: r.title for r in resources}

    engine = MatchEngine()
    engine.add_many(resources)
    ranked = engine.rank_many(needs, top_k=len(resources))

    p1 = r5 = mrr = 0.0
    d_top1 = d_top5 = d_shown = gold_weak = 0
    for need in needs:
        ids = [m.resource_id for m in ranked[need.id]]
        wanted = gold.get(need.id, set())
        p1 += ids[:1] and ids[0] in wanted
        r5 += len(wanted & set(ids[:5])) / len(wanted) if wanted else 0.0
        rank = next((i + 1 for i, rid in enumerate(ids) if rid in wanted), None)
        mrr += 1.0 / rank if rank else 0.0
        d_top1 += ids[0] in distractors
        d_top5 += len(distractors & set(ids[:5]))
        # What the product would show: matches above the confidence line.
        d_shown += sum(1 for m in ranked[need.id][:5] if m.resource_id in distractors and not m.weak)
        gold_weak += bool(ids) and ids[0] in wanted and ranked[need.id][0].weak
        if show_misses and (not ids or ids[0] not in wanted):
            print(f"  MISS {need.id} {need.title}: gold rank {rank}")
            for m in ranked[need.id][:3]:
                flag = "*" if m.resource_id in wanted else " "
                print(f"     {flag} {m.resource_id} {titles[m.resource_id]} {m.score:.3f} {m.reasons}")
    n = len(needs)
    return {
        "needs": n,
        "resources": len(resources),
        "precision@1": p1 / n,
        "recall@5": r5 / n,
        "MRR": mrr / n,
        "distractors in top1": d_top1,
        "distractors in top5": d_top5,
        "distractors in top5 above the line": d_shown,
        "gold top1 below the line": gold_weak,
    }


# ------------------------------------------------------------------ synthetic data

FILLERS = [
    "社区", "每周", "免费", "提供", "上门", "预约", "居民", "服务", "活动", "开展", "定期",
    "组织", "志愿者", "专业", "团队", "周边", "需要", "希望", "帮助", "现场", "咨询", "名额",
]


def synthetic_vocabulary() -> list[str]:
    concepts, _ = parse_thesaurus((DATA_DIR / "thesaurus.txt").read_text(encoding="utf-8"))
    terms = sorted({t for name, ts in concepts.items() if not name.startswith("@") for t in ts})
    return terms


def synthetic_text(rng: random.Random, vocab: list[str], words: int) -> str:
    parts = []
    for _ in range(words):
        parts.append(rng.choice(vocab) if rng.random() < 0.6 else rng.choice(FILLERS))
        if rng.random() < 0.15:
            parts.append("，")
    return "".join(parts) + "。"


def synthetic_resources(n: int, seed: int = 7) -> list[ResourceDoc]:
    rng = random.Random(seed)
    vocab = synthetic_vocabulary()
    return [
        ResourceDoc(
            id=f"S-R{i:06d}",
            title=synthetic_text(rng, vocab, 3)[:-1],
            description=synthetic_text(rng, vocab, rng.randint(12, 30)),
            unit=f"第{rng.randint(1, 5000)}联建单位",
        )
        for i in range(n)
    ]


def synthetic_needs(n: int, seed: int = 11) -> list[NeedDoc]:
    rng = random.Random(seed)
    vocab = synthetic_vocabulary()
    return [
        NeedDoc(
            id=f"S-N{i:06d}",
            title=synthetic_text(rng, vocab, 3)[:-1],
            description=synthetic_text(rng, vocab, rng.randint(10, 25)),
        )
        for i in range(n)
    ]


def cpu_seconds() -> float:
    """User+system CPU of this process and of finished worker processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def speed(n_resources: int, n_needs: int, n_single: int, lexicon_seconds: float) -> None:
    print(f"\nSpeed ({os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()})")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  load average at start: {load} (wall times suffer when it exceeds the CPU count)")
    print(f"  lexicon load (once per process)     {lexicon_seconds:8.2f} s")

    workers = _workers_for(n_resources, None)
    resources = synthetic_resources(n_resources)
    needs = synthetic_needs(max(n_needs, n_single))
    engine = MatchEngine()
    t0, c0 = time.perf_counter(), cpu_seconds()
    engine.add_many(resources, workers=None)
    build, build_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    print(
        f"  index build, {n_resources:>7,} resources      {build:8.2f} s   "
        f"({workers} processes, {build_cpu:.0f} CPU-s; target < 60 s at 100,000)"
    )

    times = []
    for need in needs[:n_single]:
        t0 = time.perf_counter()
        engine.rank(need, top_k=10)
        times.append((time.perf_counter() - t0) * 1000)
    print(
        f"  rank top 10, one need: median       {statistics.median(times):8.2f} ms  "
        f"(p95 {sorted(times)[int(len(times) * 0.95) - 1]:.2f} ms; target median < 20 ms)"
    )

    t0 = time.perf_counter()
    doc = resources[0]
    engine.add(ResourceDoc(id=doc.id, title=doc.title + "（更新）", description=doc.description))
    print(f"  incremental replace of one resource {(time.perf_counter() - t0) * 1000:8.2f} ms")

    t0, c0 = time.perf_counter(), cpu_seconds()
    out = engine.rank_many(needs[:n_needs], top_k=10, workers=None)
    batch, batch_cpu = time.perf_counter() - t0, cpu_seconds() - c0
    print(
        f"  batch {len(out):>6,} needs × {n_resources:,} resources {batch:8.2f} s   "
        f"({workers} processes, {batch_cpu:.0f} CPU-s; target < 120 s at 10,000 × 100,000)"
    )
    print(
        f"  peak memory (max RSS)               {peak_rss_mb():8.0f} MB  "
        f"(largest worker {peak_rss_mb(resource.RUSAGE_CHILDREN):.0f} MB, shared copy-on-write; "
        "target < 2,048 MB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="labelled set directory")
    parser.add_argument("--quick", action="store_true", help="small speed run (10k resources, 500 needs)")
    parser.add_argument("--no-speed", action="store_true", help="quality only")
    parser.add_argument("--misses", action="store_true", help="list needs whose top 1 is wrong")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    get_lexicon()  # dictionaries and thesaurus, loaded once per process
    lexicon_seconds = time.perf_counter() - t0

    if _find(args.data, "gold").exists():
        print(f"Quality on {args.data}")
        for key, value in evaluate(args.data, args.misses).items():
            print(f"  {key:<22} {value:.3f}" if isinstance(value, float) else f"  {key:<22} {value}")
        print("  (character-bigram baseline on the dev set: P@1 0.53, R@5 0.63, MRR 0.62)")
    else:
        print(f"No labelled set at {args.data}; skipping quality.")
    if not args.no_speed:
        if args.quick:
            speed(10_000, 500, 200, lexicon_seconds)
        else:
            speed(100_000, 10_000, 1_000, lexicon_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
