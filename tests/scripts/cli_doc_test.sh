#!/usr/bin/env bash
# docs/cli.md against the binary: every option in a command's table is in that command's
# --help unless the row is marked "(planned: not accepted yet)", and then it is not; every
# option --help lists has a row; every command has a section; every --help points to
# docs/cli.md and docs/scenario-format.md. So the page and the command cannot drift.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MAILLAB=${MAILLAB:-$ROOT/build/tools/maillab}

python3 - "$MAILLAB" "$ROOT/docs/cli.md" <<'PY'
import re, subprocess, sys

maillab, page = sys.argv[1], sys.argv[2]
PLANNED = "(planned: not accepted yet)"
errors = []

def code_span(text):
    m = re.search(r"`([^`]*)`", text)
    return m.group(1) if m else None

def cells(row):
    row = row.replace("\\|", "\x00")
    return [c.strip().replace("\x00", "|") for c in row.strip().strip("|").split("|")]

# command (a tuple of words) -> {option: planned}
documented, sections = {}, set()
command, header = None, None
for n, line in enumerate(open(page, encoding="utf-8"), 1):
    if line.startswith("#"):
        span = code_span(line)
        if span and (span == "maillab" or span.startswith("maillab ")):
            words = []
            for w in span.split()[1:]:
                if not re.fullmatch(r"[a-z]+", w):
                    break
                words.append(w)
            command = tuple(words)
            sections.add(command)
        elif line.startswith("## "):
            command = None
        header = None
        continue
    if not line.startswith("|"):
        header = None
        continue
    if header is None:
        header = cells(line)[0]
        continue
    if line.startswith("|---") or header != "option":
        continue
    first = cells(line)[0]
    span = code_span(first)
    if command is None or not span or not span.startswith("--"):
        errors.append(f"docs/cli.md:{n}: an option row outside a command's section: {line.strip()}")
        continue
    documented.setdefault(command, {})[span.split()[0]] = PLANNED in first

def help_of(words):
    r = subprocess.run([maillab, *words, "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        errors.append(f"maillab {' '.join(words)} --help: exit {r.returncode}")
    return r.stdout

def options_in(text):
    return {m.group(1) for m in re.finditer(r"^\s+(?:-\w,)?(--[\w-]+)", text, re.M)} - {"--help"}

def subcommands_in(text):
    part = text.split("Subcommands:", 1)
    return re.findall(r"^  (\w+) ", part[1], re.M) if len(part) > 1 else []

# Every command and sub-command of the binary: a section, its options documented, the
# pointer to the reference pages at the end of its help.
todo, seen = [()], set()
while todo:
    words = todo.pop()
    seen.add(words)
    text = help_of(list(words))
    for sub in subcommands_in(text):
        if sub != "help":
            todo.append(words + (sub,))
    name = "maillab " + " ".join(words)
    if "docs/cli.md" not in text or "docs/scenario-format.md" not in text:
        errors.append(f"{name} --help does not point to docs/cli.md and docs/scenario-format.md")
    if words not in sections:
        errors.append(f"docs/cli.md has no section for `{name.strip()}`")
        continue
    doc = documented.get(words, {})
    for opt in sorted(options_in(text)):
        if opt not in doc:
            errors.append(f"{name} --help lists {opt}, docs/cli.md does not")
        elif doc[opt]:
            errors.append(f"{name} accepts {opt}: take the planned mark off in docs/cli.md")
    for opt, planned in sorted(doc.items()):
        if not planned and opt != "--help" and opt not in options_in(text):
            errors.append(f"docs/cli.md documents {name} {opt}, which --help does not list (mark it planned?)")
for words in sorted(documented):
    if words not in seen:
        errors.append(f"docs/cli.md documents options of `maillab {' '.join(words)}`, which is no command")

if errors:
    print("\n".join("FAIL: " + e for e in errors))
    sys.exit(1)
print(f"ok: {sum(len(v) for v in documented.values())} options of {len(seen)} commands agree")
PY
