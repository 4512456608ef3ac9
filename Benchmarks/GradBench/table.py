#!/usr/bin/env python3
"""Reads the run.py summaries that run-all.sh wrote (EVAL-TOOL.json in a folder) and prints a
Markdown table: per eval, function and size, graphc's median time per call with TinyCC and
with cc, the manual C++ tool's, their ratios, graphc's compile time, and the eval's verdicts;
then the geometric mean of the ratios per eval and function. For an eval that manual lacks
(particle, saddle) the reference is the C++ `finite` tool instead, marked "(finite)".

    python3 Benchmarks/GradBench/table.py /tmp/gradbench-results > results.md
"""

import json
import math
import os
import sys

GRAPHC_TOOLS = ("tcc", "cc")


def load(folder):
    runs = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        eval_name, tool = name[: -len(".json")].rsplit("-", 1)
        with open(os.path.join(folder, name)) as f:
            runs[(eval_name, tool)] = json.load(f)
    return runs


def verdict(entry):
    if entry is None:
        return "-"
    if not entry["success"]:
        return "failed"
    return {True: "valid", False: "invalid", None: "?"}[entry["valid"]]


def median_ns(entry, name="evaluate"):
    if entry is None or name not in entry["timings"]:
        return None
    return entry["timings"][name]["median_ns"]


def time_text(ns):
    if ns is None:
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.0f} ns"


def ratio_text(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def main(folder):
    runs = load(folder)
    evals = sorted({e for e, _ in runs}, key=["hello", "lse", "llsq", "gmm", "ode", "lstm", "kmeans", "det", "ba", "particle", "saddle", "ht"].index)
    print("| eval | function | size | graphc tcc | graphc cc | manual | tcc/manual | cc/manual "
          "| compile tcc | compile cc | verdict tcc, cc |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    ratios = {}
    outcomes = []
    labels = {}
    for eval_name in evals:
        by_tool = {}
        reference = "manual" if (eval_name, "manual") in runs else "finite"
        labels[eval_name] = eval_name if reference == "manual" else f"{eval_name} (finite)"
        for tool in GRAPHC_TOOLS + (reference,):
            summary = runs.get((eval_name, tool))
            if summary is None:
                continue
            outcomes.append(f"{eval_name} {tool}: {summary['outcome']}")
            tool = "manual" if tool == reference else tool
            for entry in summary["evaluations"]:
                size = entry.get("description") or ", ".join(
                    f"{name}={value}" for name, value in (entry.get("sizes") or {}).items()
                )
                by_tool.setdefault((entry["function"], size), {})[tool] = entry
        for (function, size), entries in by_tool.items():
            t = {tool: median_ns(entries.get(tool)) for tool in GRAPHC_TOOLS + ("manual",)}
            for tool in GRAPHC_TOOLS:
                if t[tool] and t["manual"]:
                    ratios.setdefault((eval_name, function, tool), []).append(t[tool] / t["manual"])
            compile_times = [median_ns(entries.get(tool), "compile") for tool in GRAPHC_TOOLS]
            verdicts = ", ".join(verdict(entries.get(tool)) for tool in GRAPHC_TOOLS)
            print(f"| {labels[eval_name]} | {function} | {size} | {time_text(t['tcc'])} | {time_text(t['cc'])} "
                  f"| {time_text(t['manual'])} | {ratio_text(t['tcc'], t['manual'])} "
                  f"| {ratio_text(t['cc'], t['manual'])} | {time_text(compile_times[0])} "
                  f"| {time_text(compile_times[1])} | {verdicts} |")
    print()
    print("Geometric mean over the sizes of graphc's median time per call / manual's:")
    print()
    print("| eval | function | tcc/manual | cc/manual |")
    print("|---|---|---:|---:|")
    keys = sorted({(e, f) for e, f, _ in ratios}, key=lambda k: (evals.index(k[0]), k[1]))
    for eval_name, function in keys:
        cells = []
        for tool in GRAPHC_TOOLS:
            values = ratios.get((eval_name, function, tool))
            cells.append(f"{math.exp(sum(map(math.log, values)) / len(values)):.2f}" if values else "-")
        print(f"| {labels[eval_name]} | {function} | {cells[0]} | {cells[1]} |")
    print()
    print("Outcomes: " + "; ".join(outcomes))


main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gradbench-results")
