"""Load and validate the labelled listening corpus (statements.yaml, replies.yaml, heldout.yaml, ...).

The recogniser itself never reads the corpus (it is rule based); the corpus is for the
benchmark, the tests and instructors. Errors name the file, the reply id and the problem.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import CourseError
from .labels import ALL_LABELS

SETTINGS = ("mental_health_crisis", "domestic_dispute", "protest", "neighbour_dispute",
            "welfare_check", "public_order", "landlord_tenant")
SPLITS = ("train", "test")
HELDOUT_SPLITS = ("dev", "final")   # heldout.yaml: dev may be used for tuning, final never
HELDOUT2_FILE = "heldout-2.yaml"      # issue 15: a second blind set, every reply 'final'
TRAIN2_FILE = "train-2.yaml"          # issue 27: the model's training corpus (train / test)
TRAIN3_FILE = "train-3.yaml"          # issue 27: corpus three, with statements of its own (train / test)
TRAIN4_FILE = "train-4.yaml"          # corpus four, with statements of its own (train / test)
TRAIN5_FILE = "train-5.yaml"          # corpus five, with statements of its own (train / test)
TRAIN6_FILE = "train-6.yaml"          # corpus six, with statements of its own (train / test)
TRAIN7_FILE = "train-7.yaml"          # corpus seven (three hands), with statements of its own (train / test)
TRAIN8_FILE = "train-8.yaml"          # corpus eight (three more hands), with statements of its own (train / test)
TRAIN9_FILE = "train-9.yaml"          # corpus nine (three more hands), with statements of its own (train / test)
TRAIN10_FILE = "train-10.yaml"        # corpus ten (four more hands), with statements of its own (train / test)
BLIND3_FILE = "blind-3.yaml"          # issue 27: a third blind set, other hands; never tune
# the corpora with statements of their own, in the order they were written: each may reuse none of
# the earlier ones' statement or reply ids
OWN_STATEMENT_FILES = (TRAIN3_FILE, TRAIN4_FILE, TRAIN5_FILE, TRAIN6_FILE, TRAIN7_FILE, TRAIN8_FILE, TRAIN9_FILE,
                       TRAIN10_FILE)
SAFETY_SETTINGS = ("mental_health_crisis", "domestic_dispute", "welfare_check")
TAGS = ("keyword_stuffing", "near_miss", "full_repetition")
ENV_VAR = "COURSE_LISTENING_CORPUS"


class CorpusError(CourseError, ValueError):
    """The corpus files are missing or malformed; the message says where and what."""


@dataclass(frozen=True)
class Statement:
    id: str
    setting: str
    text: str


@dataclass(frozen=True)
class Reply:
    id: str
    statement_id: str
    text: str
    labels: frozenset[str]
    split: str
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Corpus:
    statements: dict[str, Statement]
    replies: tuple[Reply, ...]

    def split(self, name: str) -> list[Reply]:
        if name not in SPLITS + HELDOUT_SPLITS:
            raise ValueError(f"unknown split {name!r}; use one of {SPLITS + HELDOUT_SPLITS}")
        return [r for r in self.replies if r.split == name]

    def statement_of(self, reply: Reply) -> str:
        return self.statements[reply.statement_id].text

    def setting_of(self, reply: Reply) -> str:
        return self.statements[reply.statement_id].setting


def default_dir() -> Path:
    """content/listening-corpus in the repository (or $COURSE_LISTENING_CORPUS)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return Path(__file__).resolve().parents[2] / "content" / "listening-corpus"


def _load(path: Path, hint: str = "") -> object:
    if not path.is_file():
        raise CorpusError(f"{path}: file not found{hint}")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: not valid YAML: {exc}") from None


def _read(path: Path, key: str) -> list:
    data = _load(path, f" (set {ENV_VAR} to the corpus folder)")
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        raise CorpusError(f"{path}: expected a top-level '{key}:' list")
    return data[key]


def _need(path: Path, item: object, index: int, fields: tuple[str, ...], what: str) -> dict:
    if not isinstance(item, dict):
        raise CorpusError(f"{path}: {what} #{index + 1} is not a mapping")
    ident = item.get("id", f"#{index + 1}")
    for f in fields:
        if f not in item or item[f] in (None, ""):
            raise CorpusError(f"{path}: {what} {ident}: missing field '{f}'")
    return item


def _statements(folder: Path) -> dict[str, Statement]:
    s_path = folder / "statements.yaml"
    statements: dict[str, Statement] = {}
    for i, item in enumerate(_read(s_path, "statements")):
        item = _need(s_path, item, i, ("id", "setting", "text"), "statement")
        sid = str(item["id"])
        if sid in statements:
            raise CorpusError(f"{s_path}: statement {sid}: duplicate id")
        if item["setting"] not in SETTINGS:
            raise CorpusError(f"{s_path}: statement {sid}: unknown setting {item['setting']!r}; known: {', '.join(SETTINGS)}")
        statements[sid] = Statement(sid, item["setting"], str(item["text"]))
    return statements


def _replies(r_path: Path, statements: dict[str, Statement], splits: tuple[str, ...],
             seen: set[str]) -> list[Reply]:
    replies: list[Reply] = []
    for i, item in enumerate(_read(r_path, "replies")):
        item = _need(r_path, item, i, ("id", "statement", "text", "split"), "reply")
        rid = str(item["id"])
        if rid in seen:
            raise CorpusError(f"{r_path}: reply {rid}: duplicate id")
        seen.add(rid)
        if item["statement"] not in statements:
            raise CorpusError(f"{r_path}: reply {rid}: unknown statement id {item['statement']!r}")
        labels = item.get("labels", [])
        if labels is None:
            labels = []
        if not isinstance(labels, list):
            raise CorpusError(f"{r_path}: reply {rid}: 'labels' must be a list (may be empty)")
        for label in labels:
            if label not in ALL_LABELS:
                raise CorpusError(f"{r_path}: reply {rid}: unknown label {label!r}; known: {', '.join(ALL_LABELS)}")
        if len(set(labels)) != len(labels):
            raise CorpusError(f"{r_path}: reply {rid}: a label is listed twice")
        if item["split"] not in splits:
            raise CorpusError(f"{r_path}: reply {rid}: split must be {' or '.join(repr(x) for x in splits)}, not {item['split']!r}")
        tags = item.get("tags") or []
        if not isinstance(tags, list):
            raise CorpusError(f"{r_path}: reply {rid}: 'tags' must be a list")
        for tag in tags:
            if tag not in TAGS:
                raise CorpusError(f"{r_path}: reply {rid}: unknown tag {tag!r}; known: {', '.join(TAGS)}")
        replies.append(Reply(rid, str(item["statement"]), str(item["text"]), frozenset(labels),
                             item["split"], frozenset(tags)))
    return replies


def load_corpus(directory: str | os.PathLike | None = None) -> Corpus:
    """Read and validate the corpus; raise CorpusError naming file, id and problem."""
    folder = Path(directory) if directory is not None else default_dir()
    statements = _statements(folder)
    replies = _replies(folder / "replies.yaml", statements, SPLITS, set())
    return Corpus(statements, tuple(replies))


def load_heldout(directory: str | os.PathLike | None = None, name: str = "heldout.yaml",
                 splits: tuple[str, ...] = HELDOUT_SPLITS) -> Corpus:
    """Read and validate a held-out file (splits 'dev' and 'final') against statements.yaml.

    `name` is "heldout.yaml" (the first blind set) or HELDOUT2_FILE (the second, issue 15,
    every reply 'final'). Same checks and error style as load_corpus; the held-out ids must
    also not reuse an id from replies.yaml (nor, for the second set, from heldout.yaml).
    """
    folder = Path(directory) if directory is not None else default_dir()
    statements = _statements(folder)
    other: dict[str, str] = {}
    sources = ["replies.yaml"] + (["heldout.yaml"] if name != "heldout.yaml" else [])
    for source in sources:
        if (folder / source).is_file():
            theirs = SPLITS if source == "replies.yaml" else HELDOUT_SPLITS
            other.update({r.id: source for r in _replies(folder / source, statements, theirs, set())})
    h_path = folder / name
    seen: set[str] = set()
    replies = _replies(h_path, statements, splits, seen)
    for r in replies:
        if r.id in other:
            raise CorpusError(f"{h_path}: reply {r.id}: id already used in {other[r.id]}")
    return Corpus(statements, tuple(replies))


def load_heldout2(directory: str | os.PathLike | None = None) -> Corpus:
    """The second blind held-out set (heldout-2.yaml, issue 15): never used for tuning."""
    return load_heldout(directory, HELDOUT2_FILE)


def load_train2(directory: str | os.PathLike | None = None) -> Corpus:
    """The issue-27 training corpus (train-2.yaml; splits 'train' and 'test', the test quarter
    held out from the model). Its ids may not reuse an id of replies.yaml or heldout.yaml."""
    return load_heldout(directory, TRAIN2_FILE, SPLITS)


def _own_statements(path: Path, data: object, statements: dict[str, Statement],
                    new_ids: bool) -> dict[str, Statement]:
    """statements.yaml's statements plus those in the file's own top-level `statements:` list.

    With `new_ids` (a training file) each needs a setting and an id statements.yaml does not
    use; otherwise (a blind set) the setting is optional and an id may repeat one of
    statements.yaml's with the same text."""
    statements = dict(statements)
    own = data.get("statements") if isinstance(data, dict) else None
    if not isinstance(own, list):
        if own is not None and new_ids:
            raise CorpusError(f"{path}: 'statements' must be a list")
        return statements
    seen: set[str] = set()
    for i, item in enumerate(own):
        item = _need(path, item, i, ("id", "setting", "text") if new_ids else ("id", "text"), "statement")
        sid = str(item["id"])
        if new_ids and sid in seen:
            raise CorpusError(f"{path}: statement {sid}: duplicate id")
        seen.add(sid)
        if sid in statements and (new_ids or statements[sid].text != str(item["text"])):
            raise CorpusError(f"{path}: statement {sid}: id already used in statements.yaml"
                              + ("" if new_ids else " for another text"))
        setting = item.get("setting")
        if setting is not None and setting not in SETTINGS:
            raise CorpusError(f"{path}: statement {sid}: unknown setting {setting!r}; known: {', '.join(SETTINGS)}")
        # blind-3's statements name a speaker, not a setting: the recogniser then gets no
        # context and reads the statement for risk cues, as for a key without `context:`
        statements[sid] = Statement(sid, setting, str(item["text"]))
    return statements


def _load_own_corpus(directory: str | os.PathLike | None, name: str) -> Corpus:
    """A training corpus file with statements of its own (train-3.yaml, train-4.yaml): splits 'train'
    and 'test', a top-level `statements:` list read beside statements.yaml (same fields; ids that
    neither statements.yaml nor an earlier file of OWN_STATEMENT_FILES uses) and reply ids that
    neither replies.yaml, heldout.yaml, train-2.yaml nor an earlier one uses. Errors name the file,
    the id and the problem."""
    earlier = OWN_STATEMENT_FILES[:OWN_STATEMENT_FILES.index(name)]
    folder = Path(directory) if directory is not None else default_dir()
    path = folder / name
    base = _statements(folder)
    statements = _own_statements(path, _load(path), base, new_ids=True)
    other: dict[str, str] = {}
    earlier_statements = dict(base)
    for source in earlier:     # their statements first, so their replies can be read and their ids refused
        if (folder / source).is_file():
            theirs = _own_statements(folder / source, _load(folder / source), base, new_ids=True)
            for sid in theirs.keys() - base.keys():
                if sid in statements:
                    raise CorpusError(f"{path}: statement {sid}: id already used in {source}")
            earlier_statements.update(theirs)
    known = {**earlier_statements, **statements}
    for source, splits in (("replies.yaml", SPLITS), ("heldout.yaml", HELDOUT_SPLITS), (TRAIN2_FILE, SPLITS)) + tuple(
            (e, SPLITS) for e in earlier):
        if (folder / source).is_file():
            other.update({r.id: source for r in _replies(folder / source, known, splits, set())})
    replies = _replies(path, statements, SPLITS, set())
    for r in replies:
        if r.id in other:
            raise CorpusError(f"{path}: reply {r.id}: id already used in {other[r.id]}")
    return Corpus(statements, tuple(replies))


def load_train3(directory: str | os.PathLike | None = None) -> Corpus:
    """Corpus three (train-3.yaml, issue 27): splits 'train' and 'test' (the test quarter is held
    out from the model), with a top-level `statements:` list of its own read beside
    statements.yaml (same fields; new ids). Its reply ids may not reuse an id of replies.yaml,
    heldout.yaml or train-2.yaml."""
    return _load_own_corpus(directory, TRAIN3_FILE)


def load_train4(directory: str | os.PathLike | None = None) -> Corpus:
    """Corpus four (train-4.yaml): splits 'train' and 'test' (the test quarter is held out from the
    model), with its own top-level `statements:` list (s106 on) read beside statements.yaml. Its
    statement ids may not reuse one of statements.yaml's or train-3.yaml's, and its reply ids may
    not reuse an id of replies.yaml, heldout.yaml, train-2.yaml or train-3.yaml."""
    return _load_own_corpus(directory, TRAIN4_FILE)


def load_train5(directory: str | os.PathLike | None = None) -> Corpus:
    """Corpus five (train-5.yaml): as corpus four, statements s151 on; its statement and reply ids
    may not reuse one of the earlier corpora's."""
    return _load_own_corpus(directory, TRAIN5_FILE)


def load_train6(directory: str | os.PathLike | None = None) -> Corpus:
    """Corpus six (train-6.yaml): as corpus five, statements s196 on."""
    return _load_own_corpus(directory, TRAIN6_FILE)


def load_train7(directory: str | os.PathLike | None = None) -> Corpus:
    """Corpus seven (train-7.yaml): as corpus six, statements s236 on."""
    return _load_own_corpus(directory, TRAIN7_FILE)


def load_train8(directory: str | os.PathLike | None = None) -> Corpus:
    """Corpus eight (train-8.yaml): as corpus seven, statements s356 on."""
    return _load_own_corpus(directory, TRAIN8_FILE)


def load_train9(directory: str | os.PathLike | None = None) -> Corpus:
    """Corpus nine (train-9.yaml): as corpus eight, statements s476 on."""
    return _load_own_corpus(directory, TRAIN9_FILE)


def load_train10(directory: str | os.PathLike | None = None) -> Corpus:
    """Corpus ten (train-10.yaml): as corpus nine, statements s596 on."""
    return _load_own_corpus(directory, TRAIN10_FILE)


# every corpus with a 'train' / 'test' split, by the name the build and the benchmark know it by
TRAINING_CORPORA = {"train-2": load_train2, "train-3": load_train3, "train-4": load_train4, "train-5": load_train5,
                    "train-6": load_train6, "train-7": load_train7, "train-8": load_train8, "train-9": load_train9,
                    "train-10": load_train10}


def blind_file(name: str, directory: str | os.PathLike | None = None) -> Path:
    """A blind set in content/listening-blind/ (beside this corpus folder), e.g. 'blind-4.yaml'."""
    folder = Path(directory) if directory is not None else default_dir()
    return folder.parent / "listening-blind" / name


def load_blind(path: str | os.PathLike | None = None, directory: str | os.PathLike | None = None) -> Corpus:
    """A blind set written by other hands (blind-3.yaml, issue 27): never tune, never train.

    Same reply format and checks as the other files; the file may also carry its own top-level
    `statements:` list (new statements, same fields as statements.yaml), which is read beside
    statements.yaml. Whatever split its replies name, every reply is returned as 'final'.
    """
    folder = Path(directory) if directory is not None else default_dir()
    b_path = Path(path) if path is not None else folder / BLIND3_FILE
    statements = _own_statements(b_path, _load(b_path), _statements(folder), new_ids=False)
    raw = _read(b_path, "replies")
    splits = tuple(sorted({str(item.get("split")) for item in raw if isinstance(item, dict)})) or HELDOUT_SPLITS
    replies = _replies(b_path, statements, splits, set())
    return Corpus(statements, tuple(Reply(r.id, r.statement_id, r.text, r.labels, "final", r.tags) for r in replies))
