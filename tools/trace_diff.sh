#!/usr/bin/env bash
# tools/trace_diff.sh: are two builds of maillab the same as a user sees them? For a
# refactoring that must not change behaviour (docs/architecture.md "Checking a refactoring").
#
#   tools/trace_diff.sh record DIR [MAILLAB] [SEEDS]
#       For every built-in scenario (maillab list): DIR/<id>.jsonl (--trace, --quiet),
#       DIR/<id>.txt (the printed timeline and results), DIR/<id>.svg (--svg); and
#       DIR/chaos.txt (maillab chaos all --seeds SEEDS, default 1-20). MAILLAB defaults to
#       build/tools/maillab.
#   tools/trace_diff.sh compare BASE NEW [--added EVENT:KEY[,KEY...]]...
#       Compares every file of BASE with NEW byte for byte. Each --added names fields that
#       NEW adds on purpose to an event: they are taken out of NEW's lines of that event
#       (in the trace, the timeline and the SVG's detail text) before comparing, so what is
#       left must be identical. Prints one line per file that differs (and the first
#       differing lines); exit status 0 when all are the same, 1 otherwise.
#
# Example: tools/trace_diff.sh record /tmp/base build-old/tools/maillab
#          tools/trace_diff.sh record /tmp/new
#          tools/trace_diff.sh compare /tmp/base /tmp/new --added relay.sent:peer,next_id
set -euo pipefail

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

record() {
  local dir=$1 bin=${2:-build/tools/maillab} seeds=${3:-1-20}
  mkdir -p "$dir"
  local ids
  ids=$("$bin" list | awk 'NF && $1 !~ /:$/ {print $1}')
  for id in $ids; do
    # Exit status 1 is "an expectation failed": still a result to compare.
    "$bin" run "$id" --trace "$dir/$id.jsonl" --quiet >/dev/null || [ $? -eq 1 ]
    "$bin" run "$id" >"$dir/$id.txt" || [ $? -eq 1 ]
    "$bin" run "$id" --svg "$dir/$id.svg" --quiet >/dev/null || [ $? -eq 1 ]
  done
  "$bin" chaos all --seeds "$seeds" >"$dir/chaos.txt" 2>&1 || true
  echo "recorded $(echo "$ids" | wc -w) scenarios and the chaos sweep in $dir"
}

# The sed program that takes the added fields out of one file's lines.
strip_program() {
  local kind=$1
  shift
  # A JSON string; a value as the timeline writes it (quoted or bare up to a space) and as
  # the SVG's detail text does (the same, with &quot; for quotes and &lt; for <).
  local json_string='"([^"\\]|\\.)*"'
  local text_value='("([^"\\]|\\.)*"|[^ ]*)'
  local svg_value='(&quot;([^&]|&[^q])*&quot;|[^ <]*)'
  local spec event keys key ev label=0
  for spec in "$@"; do
    event=${spec%%:*}
    keys=${spec#*:}
    ev=$(printf '%s' "$event" | sed 's/\./\\./g')
    IFS=, read -r -a list <<<"$keys"
    for key in "${list[@]}"; do
      label=$((label + 1))
      case $kind in
        jsonl)  # ,"key":"value" on the event's lines
          printf '/"event":"%s"/ s/,"%s":%s//\n' "$ev" "$key" "$json_string" ;;
        svg)    # key=value after the event's name, within one element's text
          printf '/ %s / {\n:l%d\ns/( %s [^<]*) %s=%s/\\1/\ntl%d\n}\n' "$ev" $label "$ev" "$key" "$svg_value" $label ;;
        *)      # key=value after the event's name on a timeline line
          printf '/ %s / {\n:l%d\ns/( %s .*) %s=%s/\\1/\ntl%d\n}\n' "$ev" $label "$ev" "$key" "$text_value" $label ;;
      esac
    done
  done
}

compare() {
  local base=$1 new=$2
  shift 2
  local added=()
  while [ $# -gt 0 ]; do
    case $1 in
      --added) added+=("$2"); shift 2 ;;
      *) usage ;;
    esac
  done
  local differ=0 files=0 f name kind tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  for f in "$base"/*; do
    name=$(basename "$f")
    files=$((files + 1))
    if [ ! -e "$new/$name" ]; then
      echo "missing in $new: $name"
      differ=1
      continue
    fi
    if cmp -s "$f" "$new/$name"; then continue; fi
    kind=${name##*.}
    if [ ${#added[@]} -gt 0 ]; then
      strip_program "$kind" "${added[@]}" >"$tmp/prog.sed"
      sed -E -f "$tmp/prog.sed" "$new/$name" >"$tmp/new"
      if cmp -s "$f" "$tmp/new"; then continue; fi
    else
      cp "$new/$name" "$tmp/new"
    fi
    echo "differs: $name"
    diff "$f" "$tmp/new" | head -8 | sed 's/^/    /' || true
    differ=1
  done
  for f in "$new"/*; do
    [ -e "$base/$(basename "$f")" ] || { echo "new in $new: $(basename "$f")"; differ=1; }
  done
  if [ $differ -eq 0 ]; then
    echo "same: $files files${added:+ (with the added fields ${added[*]} taken out)}"
  fi
  return $differ
}

case ${1:-} in
  record) shift; [ $# -ge 1 ] || usage; record "$@" ;;
  compare) shift; [ $# -ge 2 ] || usage; compare "$@" ;;
  *) usage ;;
esac
