"""``lianjian match``: rank resources for needs from two files, with no database.

    lianjian match --needs NEEDS.csv --resources RESOURCES.csv [--top K] [--json]

With ``--json`` the output is exactly
``{"NEED_ID": [{"resource_id": "...", "score": 0.87, "reasons": ["..."]}, ...]}``,
needs in file order, best match first. Errors go to stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import NoReturn, TextIO

EXIT_USAGE = 2
EXIT_INTERNAL = 1


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, so ``main`` returns a code."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(message)


class _UsageError(Exception):
    pass


def _positive_int(value: str) -> int:
    message = f"--top 需要正整数 / must be a positive integer: {value!r}"
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(message) from None
    if number < 1:
        raise argparse.ArgumentTypeError(message)
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lianjian match",
        description="为每条需求推荐最合适的资源（无需数据库）。Rank resources for each need.",
    )
    parser.add_argument(
        "--needs", required=True, help="需求文件 needs (.csv UTF-8 / .xlsx): id,title,description[,category]"
    )
    parser.add_argument(
        "--resources",
        required=True,
        help="资源文件 resources (.csv UTF-8 / .xlsx): id,title,description,unit[,category]",
    )
    parser.add_argument(
        "--top", type=_positive_int, default=5, metavar="K", help="每条需求输出前 K 个 / top K (default 5)"
    )
    parser.add_argument("--json", action="store_true", help="输出 JSON / print JSON")
    return parser


def _utf8(stream: TextIO) -> TextIO:
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(encoding="utf-8")
        except (ValueError, OSError):  # already written to, or not reconfigurable
            pass
    return stream


def _print_table(needs, resources, results, out: TextIO) -> None:
    by_id = {r.id: r for r in resources}
    for need in needs:
        out.write(f"需求 {need.id}  {need.title}\n")
        matches = results.get(need.id, [])
        if not matches:
            out.write("    （无推荐）\n")
        for rank, match in enumerate(matches, 1):
            res = by_id[match.resource_id]
            unit = f"（{res.unit}）" if res.unit else ""
            out.write(f"  {rank:>2}. {match.score:.2f}  {res.id}  {res.title}{unit}\n")
            for reason in match.reasons:
                out.write(f"          · {reason}\n")
        out.write("\n")


def main(argv: list[str] | None = None) -> int:
    """Run ``lianjian match``; return the process exit code."""
    out, err = _utf8(sys.stdout), _utf8(sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        err.write(parser.format_usage())
        err.write(f"lianjian match: 参数错误 / error: {exc}\n")
        return EXIT_USAGE
    except SystemExit as exc:  # --help
        return int(exc.code or 0)

    try:
        # Function-level: the engine and its word lists load only for a real run, so --help and
        # usage errors answer at once.
        from lianjian.matching.csvio import MatchInputError, read_needs, read_resources
        from lianjian.matching.engine import MatchEngine

        try:
            needs = read_needs(args.needs)
            resources = read_resources(args.resources)
        except MatchInputError as exc:
            err.write(f"lianjian match: {exc}\n")
            return EXIT_USAGE

        engine = MatchEngine()
        # A command-line run owns its process, so large inputs may use every CPU.
        engine.add_many(resources, workers=None)
        results = engine.rank_many(needs, top_k=args.top, workers=None)

        if args.json:
            payload = {need_id: [m.as_dict() for m in matches] for need_id, matches in results.items()}
            json.dump(payload, out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            _print_table(needs, resources, results, out)
        out.flush()
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        err.write("lianjian match: 已中断 / interrupted\n")
        return 130
    except Exception as exc:  # never show a traceback to the user
        err.write(f"lianjian match: 内部错误 / internal error: {type(exc).__name__}: {exc}\n")
        return EXIT_INTERNAL
    return 0
