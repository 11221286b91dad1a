"""A generated deck of any size, for benchmarks: the shipped syllabus, cards spread over its
topics and the five levels, a fifth of them with a code block and a tenth of them clozes.

The same seed gives the same deck. The words are drawn from a fixed vocabulary, so that the
questions are distinct (the near-duplicate rule has nothing to report) but read like prose.
Usage: python scripts/synthetic_deck.py COUNT OUT_DIR
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEVELS = ("junior", "mid", "senior", "staff", "principal")
#: Cards per file: the shipped deck's files hold between a handful and a few dozen.
CARDS_PER_FILE = 25
WORDS = (
    "cache index replica shard queue lock lease token quorum leader follower partition commit "
    "rollback snapshot isolation latency throughput backpressure retry timeout idempotency "
    "checksum schema migration cursor join planner buffer socket thread coroutine heap stack "
    "pointer closure iterator generator interface contract gateway proxy balancer circuit "
    "breaker bulkhead deadline budget metric trace span log alert rollout canary feature flag "
    "secret certificate cipher hash salt session cookie header payload stream batch window "
    "watermark offset consumer producer topic broker ledger journal tombstone compaction bloom "
    "filter vector clock gossip membership heartbeat failover region zone tenant quota"
).split()
CODE = '''```python
def {name}(items: list[int]) -> int:
    """Sum the {word} values."""
    total = 0
    for item in items:
        total += item * {factor}
    return total
```'''


def write_deck(out_dir: Path, count: int, seed: int = 0) -> Path:
    """Write `count` cards under `out_dir`/cards and return that folder."""
    import yaml

    rng = random.Random(seed)
    cards_dir = out_dir / "cards"
    if cards_dir.exists():
        shutil.rmtree(cards_dir)
    cards_dir.mkdir(parents=True)
    shutil.copy(ROOT / "cards" / "syllabus.yaml", cards_dir / "syllabus.yaml")
    syllabus = yaml.safe_load((ROOT / "cards" / "syllabus.yaml").read_text(encoding="utf-8"))
    topics = [(s["id"], t["id"]) for s in syllabus["sections"] for t in s["topics"]]
    files: dict[tuple[str, str, int], list[str]] = {}
    for number in range(count):
        section, topic = topics[number % len(topics)]
        part = number // (len(topics) * CARDS_PER_FILE)
        files.setdefault((section, topic, part), []).append(_card(rng, number))
    for (section, topic, part), cards in files.items():
        folder = cards_dir / section
        folder.mkdir(exist_ok=True)
        front = f"---\nsection: {section}\ntopic: {topic}\nlevel: mid\n---\n\n"
        (folder / f"{topic}-{part}.md").write_text(front + "\n\n".join(cards) + "\n", encoding="utf-8")
    return cards_dir


def _card(rng: random.Random, number: int) -> str:
    words = rng.sample(WORDS, 9)
    level = LEVELS[number % len(LEVELS)]
    if number % 10 == 3:
        return (
            f"## In card {number}, a {words[0]} {words[1]} keeps the {{{{c1::{words[2]} {words[3]}}}}} "
            f"safe while the {words[4]} {words[5]} moves.\n<!-- id: syn-{number}; level: {level} -->\n\n"
            f"The {words[6]} and the {words[7]} agree on the {words[8]}."
        )
    answer = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))).capitalize() + "."
    if number % 5 == 1:
        answer += "\n\n" + CODE.format(name=f"{words[6]}_{number}", word=words[7], factor=number % 7 + 1)
    return (
        f"## Why does card {number} put the {words[0]} {words[1]} before the {words[2]} {words[3]}?\n"
        f"<!-- id: syn-{number}; level: {level} -->\n\n{answer}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out_dir", type=Path)
    args = parser.parse_args()
    print(write_deck(args.out_dir, args.count))


if __name__ == "__main__":
    main()
