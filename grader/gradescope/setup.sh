#!/bin/sh
# setup.sh - Gradescope's image setup for hvlab (docs/grader.md): installs
# the Debian packages hvlab needs with the tree's tools/deps, which skips
# what is installed.  --check installs nothing: it fails if a package is
# missing (tools/deps -n) or if the zip's files are not all there.
#
# usage: setup.sh [--check]
set -u

usage="usage: setup.sh [--check]"
root=${AUTOGRADER_ROOT:-/autograder}
src=$root/source
check=0
case ${1:-} in
--check) check=1 ;;
'') ;;
*) echo "$usage" >&2; exit 2 ;;
esac
die() { echo "setup.sh: $*" >&2; exit 1; }

[ -f "$src/autograder.conf" ] || die "$src/autograder.conf: missing (make the zip with make gradescope)"
grep -qE '^LAB=[0-9]+$' "$src/autograder.conf" ||
	die "$src/autograder.conf: no LAB=N line"
for f in hvlab/grader/batch hvlab/labs/handout hvlab/tools/deps run_autograder; do
	[ -x "$src/$f" ] || die "$src/$f: missing or not executable"
done
[ -d "$src/hvlab/.git" ] || die "$src/hvlab/.git: missing (labs/handout lists the tree with git)"
if [ $check -eq 1 ]; then
	"$src/hvlab/tools/deps" -n
else
	"$src/hvlab/tools/deps"
fi
