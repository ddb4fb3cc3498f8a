"""Command line: ``python -m bot check|index|run``.

The CLI goes through the same :class:`~bot.core.engine.Engine` as the Telegram bot,
so what it prints is what a user would be told; screenshots (``--image``, image lines in
``--jsonl``) are read to text first, as the bot reads them.

Long because it is every command's argument handling and output in one place, and the
JSON-lines reader is hardened line by line (each rule a few lines).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import math
import os
import sys
from collections.abc import Iterator
from itertools import islice
from typing import IO, Any

from bot.config import Settings

log = logging.getLogger(__name__)

JSONL_BATCH = 512


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("faiss.loader", "sentence_transformers", "bm25s", "httpx", "httpx2", "openai", "transformers"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _load_engine(settings: Settings, *, show_progress: bool = False):  # type: ignore[no-untyped-def]
    from bot.app import build_engine  # late: ``--help`` and ``kb validate`` need no model

    return build_engine(settings, show_progress=show_progress)


MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""An image file bigger than this is not read whole (the reader then refuses it as too large)."""
MAX_NUMBER_DIGITS = 4300
"""Python refuses to read or write integers longer than this (``sys.int_info.default_max_str_digits``)."""


class _Rejected(ValueError):
    """A JSON line the run cannot use; the message says why, and the run goes on."""


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise _Rejected(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return int(digits)


def _parse_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise _Rejected(f"the number {literal[:24]} is out of range")
    return value


def _parse_constant(name: str) -> float:
    raise _Rejected(f"{name} is not a JSON number")


def _parse_line(line: str) -> Any:
    """Strict JSON: no NaN or Infinity, no unbounded numbers, no nesting too deep to read."""
    try:
        return json.loads(line, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except json.JSONDecodeError as exc:
        raise _Rejected(f"not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise _Rejected("nested too deeply") from exc


def _id_problem(message_id: Any) -> str | None:
    """Why ``message_id`` cannot be echoed back as a line of UTF-8 JSON, or None when it can."""
    try:
        json.dumps(message_id, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except UnicodeEncodeError:
        return '"id" is not valid Unicode (a lone surrogate)'
    except (ValueError, TypeError, RecursionError):
        return '"id" cannot be written back as JSON'
    return None


def _image_paths(item: dict[str, Any]) -> list[str] | None:
    """The line's ``"image"`` (one path) or ``"images"`` (a list of paths); None if it names none or is malformed."""
    if "image" in item:
        return [item["image"]] if isinstance(item["image"], str) and item["image"] else None
    paths = item.get("images")
    if isinstance(paths, list) and paths and all(isinstance(p, str) and p for p in paths):
        return paths
    return None


Payload = str | tuple[str, list[str]]
"""What a line asks to assess: a text, or ``(caption, image paths)``."""


def _read_jsonl(stream: IO[str]) -> Iterator[tuple[int, Any, Payload | None, str | None]]:
    """Yield ``(line number, id, text or (caption, images), error)``; a bad line yields an error, never stops."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = _parse_line(line)
        except _Rejected as exc:
            yield number, None, None, str(exc)
            continue
        wants_images = isinstance(item, dict) and ("image" in item or "images" in item)
        if not isinstance(item, dict) or not (isinstance(item.get("text"), str) or wants_images):
            message_id = item.get("id") if isinstance(item, dict) else None
            yield number, None if _id_problem(message_id) else message_id, None, 'needs a string field "text"'
            continue
        message_id = item.get("id", number)
        problem = _id_problem(message_id)
        if problem:
            yield number, None, None, problem
            continue
        if not wants_images:
            yield number, message_id, item["text"], None
            continue
        caption = item.get("text") if isinstance(item.get("text"), str) else ""
        yield number, message_id, (caption, _image_paths(item) or []), None


def _image_files(paths: list[str]) -> tuple[list[bytes], str | None]:
    """The files' bytes (each read up to just over the size cap), or why one cannot be read."""
    blobs = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                blobs.append(handle.read(MAX_IMAGE_BYTES + 1))
        except OSError as exc:
            return [], f"cannot read image {path}: {exc.strerror or exc}"
    return blobs, None


def _read_pictures(paths: list[str]) -> tuple[Any, str | None]:
    """OCR the files at ``paths`` together: ``(reading, None)``, or ``(None, why not)`` for a file or image problem."""
    from bot.core.screenshot import read_images  # late: the OCR engine loads only when images are checked

    blobs, error = _image_files(paths)
    if error:
        return None, error
    reading = read_images(blobs)
    if reading.problem is not None:
        return None, f"image not readable ({reading.problem})"
    return reading, None


def _image_words(caption: str, paths: list[str]) -> tuple[str | None, str | None]:
    """The text to assess for an image line: ``(words, None)`` or ``(None, error)``."""
    from bot.core.image_answer import has_words, words_to_assess

    if not paths:
        return None, '"image" must be a path, "images" a list of paths'
    reading, error = _read_pictures(paths)
    if reading is None:
        return None, error
    if not has_words(reading) and not caption.strip():
        return None, "no readable text in the image"
    return words_to_assess(reading, [caption]), None


def _write_line(out: IO[str], row: dict[str, Any]) -> None:
    """One JSON line; ASCII escapes when the output cannot take the characters (a non-UTF-8 terminal)."""
    try:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    except UnicodeEncodeError:
        out.write(json.dumps(row) + "\n")


def check_jsonl(settings: Settings, stream: IO[str], out: IO[str], *, llm: bool = False) -> int:
    """Assess JSON lines in batches (one model load, one embedding pass per batch; ``llm``: second opinions too).

    A line is ``{"id", "text"}`` or ``{"id", "image": PATH}`` (``"images": [PATH, …]`` for several read
    together; a ``"text"`` beside them is their caption; paths relative to the working directory).
    A line that cannot be read is reported on stderr and skipped; a message or image that cannot be
    assessed gets ``{"id": …, "error": …}`` in its place. Either way the run goes on, and
    the exit code is 1 when anything was skipped or failed.
    """
    engine = _load_engine(settings)
    errors = 0
    rows = _read_jsonl(stream)
    while batch := list(islice(rows, JSONL_BATCH)):
        written: list[dict[str, Any] | int] = []  # per line in order: an error row, or its place in ``good``
        good: list[tuple[int, Any, str]] = []
        for number, message_id, payload, error in batch:
            if error or payload is None:
                errors += 1
                print(f"line {number}: {error}; skipped", file=sys.stderr)
                continue
            words, problem = _image_words(*payload) if isinstance(payload, tuple) else (payload, None)
            if words is None:  # a bad image costs only its own line
                errors += 1
                print(f"line {number}: {problem}", file=sys.stderr)
                written.append({"id": message_id, "error": problem})
                continue
            written.append(len(good))
            good.append((number, message_id, words))
        texts = [t for _, _, t in good]
        assessments = asyncio.run(engine.assess_many_with_help(texts)) if llm else engine.assess_many(texts)
        for row in written:
            if isinstance(row, dict):
                _write_line(out, row)
                continue
            (number, message_id, _), assessment = good[row], assessments[row]
            if assessment.error is not None:
                errors += 1
                print(f"line {number}: {assessment.error}", file=sys.stderr)
                _write_line(out, {"id": message_id, "error": assessment.error})
            else:
                _write_line(out, assessment.to_json(message_id))
        out.flush()
    return 1 if errors else 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    if args.llm and (settings.openai_api_key is None or not settings.llm_send_message_text):
        print("--llm needs OPENAI_API_KEY set and LLM_SEND_MESSAGE_TEXT not false", file=sys.stderr)
        return 2
    if args.jsonl is not None:
        if args.jsonl == "-":  # undecodable bytes become U+FFFD, like the FILE case, instead of ending the run
            raw = getattr(sys.stdin, "buffer", None)
            stdin = io.TextIOWrapper(raw, encoding="utf-8", errors="replace") if raw is not None else sys.stdin
            return check_jsonl(settings, stdin, sys.stdout, llm=args.llm)
        try:
            with open(args.jsonl, encoding="utf-8", errors="replace") as handle:
                return check_jsonl(settings, handle, sys.stdout, llm=args.llm)
        except OSError as exc:
            print(f"cannot read {args.jsonl}: {exc.strerror}", file=sys.stderr)
            return 2
    if args.image:
        return _check_images(args, settings)
    text = " ".join(args.text) if args.text else sys.stdin.read()
    from bot.core.reply import html_to_plain

    engine = _load_engine(settings)
    helped = engine.assess_with_help(text, language=args.language) if args.llm else None
    assessment = asyncio.run(helped) if helped else engine.assess(text)
    print(html_to_plain(engine.reply(assessment, args.language)))
    return 0


def _check_images(args: argparse.Namespace, settings: Settings) -> int:
    """``check --image PATH …``: the answer for the images taken together (the words given are their caption)."""
    from bot.core.i18n import text as say
    from bot.core.image_answer import has_words, problem_text, reading_note, with_note, words_to_assess
    from bot.core.reply import html_to_plain
    from bot.core.screenshot import read_images

    blobs, error = _image_files(args.image)
    if error:
        print(error, file=sys.stderr)
        return 2
    reading = read_images(blobs)
    caption = " ".join(args.text)
    if not has_words(reading) and not caption.strip():
        language = args.language or "en"
        unreadable = reading.problem is not None
        body = problem_text(reading.problem, language) if reading.problem else say("no_text_found", language)
        print(html_to_plain(body if unreadable else f"{body}\n\n{say('media_only', language)}"))
        return 1 if unreadable else 0
    words = words_to_assess(reading, [caption])
    engine = _load_engine(settings)
    helped = engine.assess_with_help(words, language=args.language) if args.llm else None
    assessment = asyncio.run(helped) if helped else engine.assess(words)
    note = reading_note(reading, args.language or assessment.language)
    print(html_to_plain(with_note(note, engine.reply(assessment, args.language))))
    return 0


def cmd_index_build(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_embedder, load_knowledge_base
    from bot.core.index import DenseIndex

    kb = load_knowledge_base(settings)
    embedder = build_embedder(settings)  # local model or EMBEDDING_BACKEND=openai
    index = DenseIndex.build(kb, embedder, show_progress=True)
    index.save(settings.index_dir)
    print(f"index built: {index.manifest.count} texts from {len(kb)} patterns -> {settings.index_dir}")
    return 0


def _cli_actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (OSError, KeyError):
        return "cli"


def cmd_kb(args: argparse.Namespace, settings: Settings) -> int:
    """Knowledge files and the live knowledge base: validate, import, export, list, history, undo."""
    from pathlib import Path

    from bot.app import open_knowledge
    from bot.kb.files import export_patterns, read_patterns

    if args.kb_command == "validate":
        patterns = read_patterns(Path(args.path))
        print(f"{len(patterns)} patterns valid in {args.path}")
        return 0
    live = open_knowledge(settings)
    repo = live.repository
    try:
        if args.kb_command == "import":
            patterns = read_patterns(Path(args.path))  # all files validated before anything is written
            plan = repo.plan_import(patterns, prune=args.prune)
            print(plan.describe())
            if args.dry_run:
                print("dry run: nothing changed")
            elif plan.is_empty:
                print("nothing to change")
            else:
                repo.apply_import(patterns, _cli_actor(), prune=args.prune)
                print("imported; running bots pick the change up within a second")
            return 0
        live.seed()
        if args.kb_command == "export":
            written = export_patterns(repo.load(), Path(args.dir))
            print(f"exported {len(written)} patterns to {args.dir}")
        elif args.kb_command == "list":
            for pattern in repo.load():
                examples = len(pattern.examples)
                print(f"{pattern.id}\t{pattern.category}\t{pattern.severity}\t{examples} examples\t{pattern.title.en}")
        elif args.kb_command == "history":
            for entry in repo.history(args.id, args.limit):
                mark = " (undone)" if entry.undone else ""
                print(f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.actor} {entry.action} {entry.pattern_id}{mark}")
        elif args.kb_command == "undo":
            entry = repo.undo(_cli_actor(), args.id)
            print(f"undid the last change of {entry.pattern_id}")
        return 0
    finally:
        repo.close()


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapter.runner import RoleError, run

    if args.role:
        settings = settings.model_copy(update={"role": args.role})
    logging.getLogger().setLevel(settings.log_level.upper())
    if settings.telegram_bot_token is None and settings.role == "all":
        logging.getLogger().setLevel(logging.WARNING)  # the sandbox prints the conversation; keep logs out of it
    try:
        run(settings)
    except RoleError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Fraud Awareness Bot")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    check = sub.add_parser("check", help="assess a message (or JSON lines) and print the answer")
    check.add_argument("text", nargs="*", help="message text (read from stdin when omitted; with --image: caption)")
    check.add_argument(
        "--image", nargs="+", metavar="PATH", help="screenshot(s) to read (OCR) and check together, like an album"
    )
    check.add_argument(
        "--jsonl",
        nargs="?",
        const="-",
        metavar="FILE",
        help='read {"id", "text"} or {"id", "image": PATH} JSON lines from FILE (or stdin), one result line each',
    )
    check.add_argument(
        "--language", choices=["en", "zh-Hans", "zh-Hant"], help="reply language (default: the message's)"
    )
    check.add_argument(
        "--llm", action="store_true", help="also ask the configured OpenAI-compatible model (masked text is sent)"
    )
    check.set_defaults(func=cmd_check)

    run = sub.add_parser("run", help="run the Telegram bot (the local sandbox when no token is set)")
    run.add_argument(
        "--role",
        choices=["all", "receiver", "worker"],
        help="all: one process (default); receiver/worker: the PostgreSQL update queue (overrides ROLE)",
    )
    run.set_defaults(func=cmd_run)

    kb = sub.add_parser("kb", help="knowledge base: validate, import, export, list, history, undo")
    kb_sub = kb.add_subparsers(dest="kb_command", required=True)
    validate = kb_sub.add_parser("validate", help="validate YAML pattern files (a file or a directory)")
    validate.add_argument("path")
    importer = kb_sub.add_parser("import", help="import pattern files into the live knowledge base (all or nothing)")
    importer.add_argument("path")
    importer.add_argument("--dry-run", action="store_true", help="only show what would be added, changed, removed")
    importer.add_argument("--prune", action="store_true", help="also remove live patterns missing from PATH")
    exporter = kb_sub.add_parser("export", help="write the live knowledge base as YAML files (one per pattern)")
    exporter.add_argument("dir")
    kb_sub.add_parser("list", help="list the live patterns")
    history = kb_sub.add_parser("history", help="recent changes (of one pattern, or of all)")
    history.add_argument("id", nargs="?")
    history.add_argument("--limit", type=int, default=20)
    undo = kb_sub.add_parser("undo", help="revert the last change (of one pattern, or of any)")
    undo.add_argument("id", nargs="?")
    kb.set_defaults(func=cmd_kb)

    index = sub.add_parser("index", help="manage the retrieval index")
    index_sub = index.add_subparsers(dest="index_command", required=True)
    build = index_sub.add_parser("build", help="(re)build the FAISS index from the knowledge base")
    build.set_defaults(func=cmd_index_build)
    return parser


def _data_dir_problem(settings: Settings) -> str | None:
    """One clear line when DATA_DIR cannot be created or written, instead of a traceback later."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create DATA_DIR {settings.data_dir}: {exc.strerror or exc}"
    if not os.access(settings.data_dir, os.W_OK | os.X_OK):
        return f"cannot write to DATA_DIR {settings.data_dir}: permission denied"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    from bot.core.knowledge import KnowledgeError

    settings = Settings()
    needs_data = not (args.command == "kb" and args.kb_command == "validate")
    if needs_data and (problem := _data_dir_problem(settings)):
        print(problem, file=sys.stderr)
        return 2
    try:
        return int(args.func(args, settings))
    except KnowledgeError as exc:
        separator = "\n" if len(exc.problems) > 1 else " "
        print(f"knowledge base is invalid:{separator}{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into head or less that closed early
        return 0
