# sdk-tmp.sh - sourced by build.sh and test.sh. Every dotnet command leaves two empty directories in
# $TMPDIR (the SDK's, not ours): the SDK gets a TMPDIR of its own, removed when the script exits.
# Sets HULL_SDK_TMP; a script with its own EXIT trap must remove it there too.
HULL_SDK_TMP=$(mktemp -d /tmp/hull-sdk.XXXXXX)
export TMPDIR=$HULL_SDK_TMP
trap 'rm -rf "$HULL_SDK_TMP"' EXIT
