#!/usr/bin/env bash
# The lab's SPF evaluator and pyspf (Debian's python3-spf) agree on the openspf RFC 7208
# suite (tests/protocols/auth/data/rfc7208-suite.txt, 198 cases): the same result for every
# case, and the same explanation wherever the lab found an exp= text. pyspf gets each
# case's zone through its DNSLookup hook (tests/conformance/auth_interop.py), the lab
# through FakeDns (build/tests/auth_probe).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/prologue.sh"
probe=${AUTH_PROBE:-$(dirname "$MAILLAB")/../tests/auth_probe}
[ -x "$probe" ] || fail "no auth_probe at $probe (build the auth_probe target)"
suite="$here/../protocols/auth/data/rfc7208-suite.txt"

"$probe" spf "$suite" >"$work/lab" || fail "auth_probe spf failed"
/usr/bin/python3 "$here/auth_interop.py" spf-suite "$suite" >"$work/pyspf" 2>"$work/pyspf.err" ||
  { FAIL_LOGS=("$work/pyspf.err"); fail "pyspf run failed"; }
cases=$(wc -l <"$work/lab")
[ "$cases" -eq 198 ] || fail "the lab answered $cases cases, not 198"
[ "$(wc -l <"$work/pyspf")" -eq "$cases" ] || fail "pyspf answered $(wc -l <"$work/pyspf") cases"

disagree=$(paste -d'\t' "$work/lab" "$work/pyspf" | awk -F'\t' '{
  split($1, a, " [|] "); split($2, b, " [|] ");
  if (a[3] != b[3]) print a[1] " / " a[2] ": lab " a[3] ", pyspf " b[3];
  else if (a[4] != "" && tolower(a[4]) != tolower(b[4])) print a[1] " / " a[2] ": explanation lab [" a[4] "] pyspf [" b[4] "]";
}')
if [ -n "$disagree" ]; then
  echo "$disagree" >&2
  fail "the lab and pyspf disagree on $(echo "$disagree" | wc -l) of $cases cases"
fi
echo "spf_pyspf: the lab and pyspf $(/usr/bin/python3 -c 'import spf; print(spf.__version__)') agree on all $cases cases"
