"""Values of a code exercise as plain data, so they can leave the student's kernel safely.

The checks of a code exercise run in the grader, not in the kernel the student controls
(course/grading/run/code_checks.py). The kernel only reports what the student's names hold,
encoded here as JSON-ready data: numbers, strings, lists and mappings, pandas Series,
DataFrames and Indexes column by column with their dtypes, and a matplotlib Axes as the
marks it holds. Decoding builds fresh pandas and matplotlib objects from that data, so no
object of the student's (a class whose `__eq__` is always true, a patched method) can
reach the checks: anything else arrives as an `Unsupported` placeholder that fails them.

`encode` runs inside the kernel (the student may replace it; the result is still only
data, checked like any answer); `decode` runs in the grader and validates as it goes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MIME = "application/vnd.course.exports+json"
MAX_DEPTH = 6
MAX_ITEMS = 200_000  # rows or list items per value: far above any exercise's data


class PlainDataError(ValueError):
    """An exported value is not in the expected shape; the message names the part."""


@dataclass(frozen=True)
class Unsupported:
    """Stands for a value the grader cannot take as data (a function, a module, an object)."""

    type_name: str

    def __repr__(self) -> str:
        return f"<a {self.type_name}, which the grader cannot check as data>"

    def __bool__(self) -> bool:  # never truthy: a check must not pass because of it
        return False


# ----------------------------------------------------------------------------- encoding (kernel side)

def _scalar(value: Any) -> Any:
    """A JSON-ready scalar: numpy scalars become Python ones, timestamps ISO strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__.startswith("numpy"):
        return _scalar(item())
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return {"t": "timestamp", "v": isoformat()}
    return {"t": "unsupported", "type": type(value).__name__}


def _index(index) -> dict:
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        return {"t": "multiindex", "names": [str(n) if n is not None else None for n in index.names],
                "values": [[_scalar(v) for v in row] for row in index.tolist()]}
    return {"t": "index", "name": _scalar(index.name), "dtype": str(index.dtype), "values": _column(index)}


def _column(values) -> list:
    import pandas as pd

    if len(values) > MAX_ITEMS:
        raise PlainDataError(f"{len(values)} rows: more than {MAX_ITEMS}")
    if pd.api.types.is_datetime64_any_dtype(values.dtype) or pd.api.types.is_timedelta64_dtype(values.dtype):
        return [None if pd.isna(v) else str(v) for v in values]
    return [None if _missing(v) else _scalar(v) for v in values.tolist()]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def encode(value: Any, depth: int = 0) -> Any:
    """`value` as JSON-ready data (tagged dicts for everything but plain scalars)."""
    if depth > MAX_DEPTH:
        return {"t": "unsupported", "type": "deeply nested value"}
    if value is None or isinstance(value, (bool, int, str)):
        return {"t": "py", "v": value}
    if isinstance(value, float):
        return {"t": "float", "v": value if math.isfinite(value) else repr(value)}
    module = type(value).__module__
    if module.startswith("numpy") and hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return encode(value.item(), depth)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)[:MAX_ITEMS]
        kind = {list: "list", tuple: "tuple"}.get(type(value), "set")
        return {"t": kind, "v": [encode(v, depth + 1) for v in items]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in list(value.items())[:MAX_ITEMS]]}
    if module.startswith("pandas"):
        import pandas as pd

        if isinstance(value, pd.Series):
            return {"t": "series", "name": _scalar(value.name), "dtype": str(value.dtype),
                    "values": _column(value), "index": _index(value.index)}
        if isinstance(value, pd.DataFrame):
            return {"t": "frame", "index": _index(value.index),
                    "columns": [{"name": _scalar(name), "dtype": str(value[name].dtype), "values": _column(value[name])}
                                for name in value.columns]}
        if isinstance(value, pd.Index):
            return _index(value)
        if isinstance(value, pd.Timestamp):
            return {"t": "timestamp", "v": value.isoformat()}
    if module.startswith("matplotlib") and hasattr(value, "get_title") and hasattr(value, "patches"):
        return _axes(value)
    return {"t": "unsupported", "type": type(value).__name__}


def _axes(ax) -> dict:
    from matplotlib.patches import Rectangle

    bars = [[float(p.get_x()), float(p.get_height()), float(p.get_width())]
            for p in ax.patches if isinstance(p, Rectangle)][:MAX_ITEMS]
    lines = [[[_scalar(x) for x in line.get_xdata()][:MAX_ITEMS], [_scalar(y) for y in line.get_ydata()][:MAX_ITEMS]]
             for line in ax.get_lines()]
    return {"t": "axes", "title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
            "bars": bars, "lines": lines, "collections": len(ax.collections), "images": len(ax.images)}


def emit(namespace: dict, names: list[str]) -> None:
    """Display the named values of `namespace` as one export record (called in the kernel)."""
    from IPython.display import display

    record = {}
    for name in names:
        if name not in namespace:
            record[name] = {"t": "missing"}
            continue
        try:
            record[name] = encode(namespace[name])
        except Exception as exc:  # noqa: BLE001 - a value that cannot be encoded is reported, not fatal
            record[name] = {"t": "unsupported", "type": f"{type(namespace[name]).__name__} ({exc})"}
    display({MIME: record, "text/plain": f"exported for grading: {', '.join(names)}"}, raw=True)


# ----------------------------------------------------------------------------- decoding (grader side)

MISSING = object()


def _decode_scalar(data: Any, where: str) -> Any:
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, dict) and data.get("t") == "timestamp":
        import pandas as pd

        return pd.Timestamp(str(data.get("v")))
    if isinstance(data, dict) and data.get("t") == "unsupported":
        return Unsupported(str(data.get("type", "value")))
    raise PlainDataError(f"{where}: not a scalar")


def _float(data: Any, where: str) -> float:
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        return float(data)
    if data in ("nan", "inf", "-inf"):
        return float(data)
    raise PlainDataError(f"{where}: not a number")


def _values(data: Any, where: str) -> list:
    if not isinstance(data, list) or len(data) > MAX_ITEMS:
        raise PlainDataError(f"{where}: expected a list of at most {MAX_ITEMS} values")
    return [_decode_scalar(v, where) for v in data]


def _typed(values: list, dtype: str, where: str):
    """The values as a pandas array of the exported dtype (or as plain objects if it does not apply)."""
    import pandas as pd

    series = pd.Series(values, dtype=object)
    try:
        return series.astype(dtype).array
    except (TypeError, ValueError):
        return series.infer_objects().array


def _decode_index(data: Any, where: str):
    import pandas as pd

    if not isinstance(data, dict):
        raise PlainDataError(f"{where}: index is not a mapping")
    if data.get("t") == "multiindex":
        rows = data.get("values")
        if not isinstance(rows, list):
            raise PlainDataError(f"{where}: multi-index values are not a list")
        tuples = [tuple(_values(row, where)) for row in rows]
        return pd.MultiIndex.from_tuples(tuples, names=data.get("names")) if tuples else pd.MultiIndex.from_arrays([[]])
    if data.get("t") != "index":
        raise PlainDataError(f"{where}: not an index")
    values = _typed(_values(data.get("values"), where), str(data.get("dtype")), where)
    return pd.Index(values, name=_decode_scalar(data.get("name"), where))


def decode(data: Any, where: str = "value", depth: int = 0) -> Any:
    """Build a fresh value from `encode`'s output; raises PlainDataError on a malformed record."""
    if depth > MAX_DEPTH + 1:
        raise PlainDataError(f"{where}: nested too deeply")
    if not isinstance(data, dict) or not isinstance(data.get("t"), str):
        raise PlainDataError(f"{where}: not an exported value")
    tag = data["t"]
    if tag == "missing":
        return MISSING
    if tag == "py":
        value = data.get("v")
        if value is None or isinstance(value, (bool, int, str)):
            return value
        raise PlainDataError(f"{where}: not a plain value")
    if tag == "float":
        return _float(data.get("v"), where)
    if tag == "timestamp":
        return _decode_scalar(data, where)
    if tag == "unsupported":
        return Unsupported(str(data.get("type", "value"))[:200])
    if tag in ("list", "tuple", "set"):
        items = data.get("v")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise PlainDataError(f"{where}: not a list")
        decoded = [decode(v, where, depth + 1) for v in items]
        return {"list": list, "tuple": tuple}.get(tag, _safe_set)(decoded)
    if tag == "dict":
        pairs = data.get("v")
        if not isinstance(pairs, list):
            raise PlainDataError(f"{where}: not a mapping")
        out = {}
        for pair in pairs[:MAX_ITEMS]:
            if not isinstance(pair, list) or len(pair) != 2:
                raise PlainDataError(f"{where}: a mapping entry is not a pair")
            key = decode(pair[0], where, depth + 1)
            out[key if _hashable(key) else repr(key)] = decode(pair[1], where, depth + 1)
        return out
    if tag == "series":
        import pandas as pd

        values = _typed(_values(data.get("values"), where), str(data.get("dtype")), where)
        index = _decode_index(data.get("index"), where)
        if len(index) != len(values):
            raise PlainDataError(f"{where}: {len(values)} values but {len(index)} index labels")
        return pd.Series(values, index=index, name=_decode_scalar(data.get("name"), where))
    if tag == "frame":
        import pandas as pd

        index = _decode_index(data.get("index"), where)
        columns = data.get("columns")
        if not isinstance(columns, list):
            raise PlainDataError(f"{where}: columns are not a list")
        frame = pd.DataFrame(index=index)
        for column in columns:
            if not isinstance(column, dict):
                raise PlainDataError(f"{where}: a column is not a mapping")
            values = _typed(_values(column.get("values"), where), str(column.get("dtype")), where)
            if len(values) != len(index):
                raise PlainDataError(f"{where}: a column has {len(values)} values for {len(index)} rows")
            frame[_decode_scalar(column.get("name"), where)] = values
        return frame
    if tag in ("index", "multiindex"):
        return _decode_index(data, where)
    if tag == "axes":
        return _decode_axes(data, where)
    raise PlainDataError(f"{where}: unknown kind {tag!r}")


def _hashable(value) -> bool:
    try:
        hash(value)
        return True
    except TypeError:
        return False


def _safe_set(items: list) -> set:
    return {item if _hashable(item) else repr(item) for item in items}


def _decode_axes(data: dict, where: str):
    """A new matplotlib Axes holding the same title, labels, bars and lines."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    ax.set_title(str(data.get("title", "")))
    ax.set_xlabel(str(data.get("xlabel", "")))
    ax.set_ylabel(str(data.get("ylabel", "")))
    for bar in (data.get("bars") or [])[:MAX_ITEMS]:
        if not isinstance(bar, list) or len(bar) != 3:
            raise PlainDataError(f"{where}: a bar is not [x, height, width]")
        x, height, width = (_float(v, where) for v in bar)
        ax.bar(x, height, width=width, align="edge")
    for line in data.get("lines") or []:
        if not isinstance(line, list) or len(line) != 2:
            raise PlainDataError(f"{where}: a line is not [xs, ys]")
        xs, ys = _values(line[0], where), _values(line[1], where)
        ax.plot(xs, ys)
    return ax
