#!/usr/bin/env python3
# ruff: noqa -- verbatim copy of shared/conformance/survey/bench/gen_staff_100k.py
"""Deterministic synthetic staff survey (peer benchmark input).

Writes, into OUTDIR (default staff-100k):
  staff_100k.csv            100,000 respondents (about 8 MB, kept out of git)
  pop_directorate.csv       population margin: directorate,Freq (sum 500,000)
  pop_category.csv          population margin: category,Freq  (sum 500,000)

Pure standard library (random.Random(20240601)), so the bytes are identical
on every machine and Python 3.x version.  A sha256 of the CSV is printed.

Design of the data:
  * population 500,000 staff over 10 directorates (N_h column = stratum size,
    used as fpc), each directorate with its own A/B/C category mix;
  * respondents drawn with response propensity depending on category
    (A 30 %, B 20 %, C 13 %, times a directorate factor), so category is
    biased in the sample and raking to the category margin matters;
  * base_weight = N_h / n_h (stratified design weight);
  * q1..q20 Likert 1-5 from a latent attitude (category/age effects), item
    non-response 2-9 % (higher for C and for later items), written as NA;
  * uses_ai_weekly Yes/No from a logistic model on category, age, attitude.

Usage: python3 gen_staff_100k.py [--out OUTDIR] [--n 100000]
"""
import argparse
import hashlib
import math
import os
import random

SEED = 20240601
POP_TOTAL = 500_000
DIRECTORATES = ["D%02d" % i for i in range(1, 11)]
DIR_POP = [90_000, 75_000, 65_000, 55_000, 50_000,
           45_000, 40_000, 35_000, 25_000, 20_000]          # sums to 500,000
CATEGORIES = ["A", "B", "C"]
AGE_BANDS = ["18-29", "30-39", "40-49", "50-59", "60+"]
AGE_P = [0.14, 0.24, 0.27, 0.25, 0.10]
RESP_RATE = {"A": 0.30, "B": 0.20, "C": 0.13}
CAT_EFFECT = {"A": 0.35, "B": 0.0, "C": -0.30}
AGE_EFFECT = [0.25, 0.10, 0.0, -0.10, -0.20]
AI_CAT = {"A": 0.6, "B": 0.0, "C": -0.7}
AI_AGE = [0.7, 0.4, 0.0, -0.4, -0.9]


def category_mix(d_index):
    """Population share of A/B/C in directorate d_index (deterministic)."""
    a = 0.18 + 0.025 * d_index            # 18 % .. 40.5 %
    b = 0.30 + 0.01 * (d_index % 4)       # 30 % .. 33 %
    return [a, b, 1.0 - a - b]


def population_counts():
    """Integer population counts N[h][category]; rows sum to DIR_POP[h]."""
    counts = []
    for h, n_h in enumerate(DIR_POP):
        mix = category_mix(h)
        a = round(n_h * mix[0])
        b = round(n_h * mix[1])
        counts.append([a, b, n_h - a - b])
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.environ.get("STAFF_DIR", "staff-100k"))
    ap.add_argument("--n", type=int, default=100_000)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(SEED)
    pop = population_counts()

    # Allocation of the n respondents over (directorate, category) cells,
    # proportional to N_hc * response rate * directorate factor, then
    # largest-remainder rounding so the total is exactly n.
    dir_factor = [0.85 + 0.03 * h for h in range(10)]
    raw = []
    for h in range(10):
        for c, cat in enumerate(CATEGORIES):
            raw.append(pop[h][c] * RESP_RATE[cat] * dir_factor[h])
    scale = args.n / sum(raw)
    exact = [r * scale for r in raw]
    alloc = [int(math.floor(e)) for e in exact]
    rema = sorted(range(len(exact)), key=lambda i: -(exact[i] - alloc[i]))
    for i in rema[: args.n - sum(alloc)]:
        alloc[i] += 1

    n_h = [sum(alloc[h * 3:(h + 1) * 3]) for h in range(10)]
    rows = []
    for h in range(10):
        for c, cat in enumerate(CATEGORIES):
            for _ in range(alloc[h * 3 + c]):
                rows.append((h, cat))
    rng.shuffle(rows)

    header = (["resp_id", "directorate", "category", "age_band"]
              + ["q%d" % j for j in range(1, 21)]
              + ["uses_ai_weekly", "base_weight", "N_h"])
    loadings = [0.55 + 0.02 * j for j in range(20)]
    item_shift = [0.25 * math.sin(j) for j in range(20)]
    path = os.path.join(args.out, "staff_100k.csv")
    with open(path, "w", encoding="utf-8", newline="\n") as fp:
        fp.write(",".join(header) + "\n")
        for i, (h, cat) in enumerate(rows, start=1):
            # age band
            u = rng.random()
            acc = 0.0
            a_idx = len(AGE_P) - 1
            for k, p in enumerate(AGE_P):
                acc += p
                if u < acc:
                    a_idx = k
                    break
            latent = (CAT_EFFECT[cat] + AGE_EFFECT[a_idx]
                      + 0.05 * (h - 4.5) + rng.gauss(0.0, 1.0))
            qs = []
            na_base = {"A": 0.02, "B": 0.035, "C": 0.05}[cat]
            for j in range(20):
                if rng.random() < na_base + 0.002 * j:
                    qs.append("NA")
                    rng.gauss(0.0, 1.0)           # keep the stream aligned
                    continue
                v = 3.0 + item_shift[j] + loadings[j] * latent + rng.gauss(0.0, 0.8)
                qs.append(str(min(5, max(1, int(round(v))))))
            eta = -0.4 + AI_CAT[cat] + AI_AGE[a_idx] + 0.3 * latent
            ai = "Yes" if rng.random() < 1.0 / (1.0 + math.exp(-eta)) else "No"
            bw = DIR_POP[h] / n_h[h]
            fp.write(",".join(
                [str(i), DIRECTORATES[h], cat, AGE_BANDS[a_idx]] + qs
                + [ai, "%.6f" % bw, str(DIR_POP[h])]) + "\n")

    with open(os.path.join(args.out, "pop_directorate.csv"), "w", newline="\n") as fp:
        fp.write("directorate,Freq\n")
        for h, d in enumerate(DIRECTORATES):
            fp.write("%s,%d\n" % (d, DIR_POP[h]))
    with open(os.path.join(args.out, "pop_category.csv"), "w", newline="\n") as fp:
        fp.write("category,Freq\n")
        for c, cat in enumerate(CATEGORIES):
            fp.write("%s,%d\n" % (cat, sum(pop[h][c] for h in range(10))))

    sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
    print("wrote %s rows=%d bytes=%d sha256=%s" % (path, len(rows), os.path.getsize(path), sha))


if __name__ == "__main__":
    main()
