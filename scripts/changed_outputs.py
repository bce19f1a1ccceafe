"""Which code cells of a notebook now show other outputs than at a git revision (HEAD by
default), compared as strict nbval compares them: text only, after tests/nbval_sanitize.cfg.

The maintainers' notebook loop (``make notebook``) uses it to skip measuring the
float-dependent cells again (scripts/find_float_dependent_cells.py, two more runs of the
notebook) when a code change left every output as it was.

    python scripts/changed_outputs.py notebooks/05_model_2_tinyvgg.ipynb [--rev HEAD]

Exit status 0: no cell's outputs changed; 1: some did (listed); 2: the notebook is new.
"""
from __future__ import annotations

import argparse
import configparser
import json
import re
import subprocess
import sys
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
SANITIZE_CFG = COURSE_ROOT / "tests" / "nbval_sanitize.cfg"
#: What nbval leaves out of its comparison (pytest.ini): figures are compared by their text.
NOT_COMPARED = ("image/", "application/vnd.jupyter.widget")


def nbval_sanitize(text: str, config_path: Path = SANITIZE_CFG) -> str:
    """``text`` as strict nbval compares it: every rule of nbval_sanitize.cfg applied in order."""
    config = configparser.ConfigParser()
    config.read(config_path)
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


def compared_outputs(notebook: dict) -> list[str]:
    """One string per code cell (nbval's numbering): what strict nbval compares of its outputs."""
    cells = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        parts = []
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                parts.append(f"{output['name']}: {''.join(output['text'])}")
            elif output["output_type"] == "error":
                parts.append(f"error: {output['ename']}: {output['evalue']}")
            else:
                for mime, data in sorted(output.get("data", {}).items()):
                    if not mime.startswith(NOT_COMPARED):
                        parts.append(f"{mime}: {''.join(data) if isinstance(data, list) else json.dumps(data)}")
        cells.append(nbval_sanitize("\n".join(parts)))
    return cells


def changed_cells(before: dict, after: dict) -> list[int]:
    """The code cells (nbval's numbering) whose compared outputs differ; every cell past the
    shorter notebook's end counts as changed."""
    old, new = compared_outputs(before), compared_outputs(after)
    changed = [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
    return changed + list(range(min(len(old), len(new)), max(len(old), len(new))))


def stored_at(path: Path, rev: str) -> dict | None:
    """The notebook as committed at ``rev``, or None if it was not there."""
    relative = path.resolve().relative_to(COURSE_ROOT).as_posix()
    result = subprocess.run(["git", "show", f"{rev}:{relative}"], cwd=COURSE_ROOT, capture_output=True, text=True)
    return json.loads(result.stdout) if result.returncode == 0 else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--rev", default="HEAD", help="the git revision to compare with (default: HEAD)")
    args = parser.parse_args(argv)
    before = stored_at(args.notebook, args.rev)
    if before is None:
        print(f"{args.notebook.name}: not in {args.rev}: a new notebook")
        return 2
    changed = changed_cells(before, json.loads(args.notebook.read_text()))
    if changed:
        print(f"{args.notebook.name}: outputs changed since {args.rev} in cells {changed}")
        return 1
    print(f"{args.notebook.name}: every output as at {args.rev} (after the sanitizer)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
