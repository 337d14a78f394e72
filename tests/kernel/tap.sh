# SPDX-License-Identifier: MIT
# shellcheck shell=sh
#
# tap.sh: TAP output for the in-VM scripts (sourced). `check DESCRIPTION COMMAND...`
# prints one TAP line from the command's status; `diag` prefixes stdin with "# ";
# $failed counts the failures, $n the checks.
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else not_ok "$_d"; fi
}
diag() { sed 's/^/# /'; }
