"""Extract time and peak memory for long articles (``make bench-longtext``).

Articles of 10 KB, 100 KB and 1 MB of fictional wire copy, generated here from templates
(speakers introduced by name and role, then quoted through pronouns and "the adviser"-style
references; places from the gazetteer; quotes, "according to", denials), each extracted in a
fresh subprocess: the process first loads the model, gazetteer and actor table
(``pipeline.warm_up``) and extracts a short text, its RSS then is the idle RSS; the kernel's
peak-RSS mark is reset (``/proc/self/clear_refs``) and the long article extracted through
``pipeline.analyze`` (the extract function's path; 10 KB and 100 KB several times, medians).
Reported per size: CPU and wall seconds, claims, idle RSS, peak RSS during extraction and their
ratio (aim: at most 2), and CPU seconds per 100 KB (flat when time is linear in length). Where the
peak mark cannot be reset, the peak is sampled from /proc/self/status every 5 ms instead (the
figure says which).

One BLAS thread, as in the extract function. Writes bench/out/longtext.json.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "longtext.json"
COMMAND = "make bench-longtext"
SIZES = {"10 KB": 10_000, "100 KB": 100_000, "1 MB": 1_000_000}
RSS_AIM = 2.0  # peak RSS during extraction / idle RSS (issue 11)
REPEAT_CHARS = 300_000  # a size is extracted this many characters' worth of times (1 to 10 runs)

# ---------------------------------------------------------------- the fictional article
_FIRST = [
    "Oksana",
    "Dmytro",
    "Irina",
    "Pavel",
    "Marta",
    "Viktor",
    "Halyna",
    "Andriy",
    "Lena",
    "Bohdan",
    "Sofia",
    "Yuri",
    "Nadia",
    "Taras",
    "Alina",
    "Roman",
]
_LAST = [
    "Hrytsenko",
    "Volodin",
    "Stelmakh",
    "Koval",
    "Baranov",
    "Lysenko",
    "Orlova",
    "Tkachuk",
    "Zorin",
    "Petrenko",
    "Sayenko",
    "Kravets",
    "Moroz",
    "Danylko",
    "Shevchuk",
    "Romanov",
]
_ROLES = [
    ("an adviser to the regional governor", "adviser"),
    ("a spokeswoman for the army command", "spokeswoman"),
    ("a spokesman for the emergency service", "spokesman"),
    ("the deputy mayor", "mayor"),
    ("a senior analyst at the Kyiv Institute", "analyst"),
    ("a military commander", "commander"),
    ("the head of the district council", "head"),
]
_PLACES = [
    "Pokrovsk",
    "Kostiantynivka",
    "Kramatorsk",
    "Sloviansk",
    "Bakhmut",
    "Myrnohrad",
    "Kharkiv",
    "Zaporizhzhia",
    "Kherson",
    "Dnipro",
    "Odesa",
    "Sumy",
    "Chernihiv",
    "Toretsk",
    "Vuhledar",
    "Izium",
]
_TOPICS = [
    "the supply route",
    "the power station",
    "the water supply",
    "the evacuation of civilians",
    "the rail bridge",
    "the grain terminal",
    "the front line",
    "the reserve units",
    "the repair crews",
    "the field hospital",
]
_VERBS = ["said", "told reporters", "noted", "added", "claimed", "warned", "stressed"]
_INTRO = [
    "{name}, {role}, said on {day} that {topic} near {place} had come under fire.",
    "{name}, {role}, told reporters in {place} that {topic} would be restored within days.",
    "According to {name}, {role}, {topic} outside {place} was no longer in use.",
]
_FOLLOW = [
    "{He} {verb} that the situation around {place} remained difficult.",
    "{He} {verb} that {topic} had been damaged overnight and that crews were on their way.",
    "\u201cWe are doing everything we can to protect {place},\u201d {he} said.",
    "The {head} {verb} that reinforcements had reached {place} on {day}.",
    "{Last} denied that {topic} near {place} had been abandoned.",
    "{He} also {verb} that losses were lower than reported in {place}.",
]
_FILLER = [
    "Residents of {place} reported sirens through the night.",
    "Officials in {place} said the curfew would remain in force.",
    "The claims could not be independently verified.",
    "Shops in {place} reopened on {day} after a week of outages.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _paragraph(rng: random.Random) -> str:
    """One speaker introduced, then referred to by pronoun, role noun and surname."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    role, head = rng.choice(_ROLES)
    she = first in {"Oksana", "Irina", "Marta", "Halyna", "Lena", "Sofia", "Nadia", "Alina"}
    fields = {
        "name": f"{first} {last}",
        "Last": last,
        "role": role,
        "head": head,
        "He": "She" if she else "He",
        "he": "she" if she else "he",
    }

    def fill(template: str) -> str:
        return template.format(
            place=rng.choice(_PLACES),
            topic=rng.choice(_TOPICS),
            day=rng.choice(_DAYS),
            verb=rng.choice(_VERBS),
            **fields,
        )

    sentences = [fill(rng.choice(_INTRO))]
    sentences += [fill(t) for t in rng.sample(_FOLLOW, k=rng.randint(2, 4))]
    if rng.random() < 0.5:
        sentences.append(fill(rng.choice(_FILLER)))
    return " ".join(sentences)


def article(chars: int, seed: int = 11) -> str:
    """Fictional wire copy of exactly ``chars`` characters (the last paragraph cut at a word)."""
    rng = random.Random(seed)
    parts = ["Officials report damage across the region\n\nKYIV, March 3 (Wire) - "]
    size = len(parts[0])
    while size < chars:
        para = _paragraph(rng) + "\n\n"
        parts.append(para)
        size += len(para)
    text = "".join(parts)[:chars]
    cut = text.rfind(" ")
    return text[:cut].ljust(chars, ".") if len(text) == chars and cut > 0 else text


# ---------------------------------------------------------------- one measurement, in a child
def _status_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    """Resets VmHWM to the current RSS (Linux >= 4.0); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class _Sampler:
    """Peak VmRSS sampled every 5 ms on a thread (fallback when the peak mark cannot be reset)."""

    def __init__(self):
        import threading

        self.peak = _status_kb("VmRSS")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _status_kb("VmRSS"))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return max(self.peak, _status_kb("VmRSS"))


def measure(chars: int) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from claimwatch import pipeline

    text = article(chars)
    pipeline.warm_up()
    pipeline.analyze(article(2_000, seed=1))  # first real analysis: lazy caches, like a warm Lambda
    idle_kb = _status_kb("VmRSS")
    method = "VmHWM after clear_refs" if _reset_peak() else "VmRSS sampled every 5 ms"
    sampler = None if method.startswith("VmHWM") else _Sampler()
    cpu, wall = [], []
    for _ in range(max(1, min(REPEAT_CHARS // chars, 10))):  # short articles: the median of a few runs
        c0, w0 = time.process_time(), time.perf_counter()
        claims = pipeline.analyze(text)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    peak_kb = _status_kb("VmHWM") if sampler is None else sampler.stop()
    return {
        "chars": len(text),
        "claims": len(claims),
        "runs": len(cpu),
        "cpu_s": round(statistics.median(cpu), 2),
        "wall_s": round(statistics.median(wall), 2),
        "idle_rss_mb": round(idle_kb / 1024, 1),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "peak_over_idle": round(peak_kb / idle_kb, 2),
        "peak_method": method,
    }


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(measure(int(sys.argv[2]))))
        return 0
    env = dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1"))
    figures = {"command": COMMAND, "rss_aim_peak_over_idle": RSS_AIM, "sizes": {}}
    print(
        f"{'article':>8} {'chars':>9} {'claims':>7} {'cpu s':>7} {'wall s':>7} {'cpu s/100 KB':>13} "
        f"{'idle RSS':>9} {'peak RSS':>9} {'peak/idle':>10}"
    )
    for label, chars in SIZES.items():
        run = subprocess.run(
            [sys.executable, __file__, "--child", str(chars)], env=env, check=True, capture_output=True, text=True
        )
        row = json.loads(run.stdout.strip().splitlines()[-1])
        row["cpu_s_per_100kb"] = round(row["cpu_s"] * 100_000 / row["chars"], 2)
        figures["sizes"][label] = row
        print(
            f"{label:>8} {row['chars']:>9,} {row['claims']:>7} {row['cpu_s']:>7.2f} {row['wall_s']:>7.2f} "
            f"{row['cpu_s_per_100kb']:>13.2f} {row['idle_rss_mb']:>7.0f}MB {row['peak_rss_mb']:>7.0f}MB "
            f"{row['peak_over_idle']:>10.2f}"
        )
    rows = figures["sizes"].values()
    figures["max_peak_over_idle"] = max(r["peak_over_idle"] for r in rows)
    figures["meets_rss_aim"] = figures["max_peak_over_idle"] <= RSS_AIM
    per = [r["cpu_s_per_100kb"] for r in rows]
    figures["cpu_per_100kb_spread"] = round(max(per) / min(per), 2)  # 1.0 = exactly linear
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f"\npeak/idle RSS at most {figures['max_peak_over_idle']} (aim <= {RSS_AIM}); CPU s per 100 KB from "
        f"{min(per)} to {max(per)} (spread {figures['cpu_per_100kb_spread']}x); wrote {OUT.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
