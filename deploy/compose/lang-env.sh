#!/usr/bin/env bash
# lang-env.sh prints the laptop's limits for a student's program, by its
# file's language, as the compose settings deploy/compose/my-server.yaml and
# deploy/compose/my-client.yaml read (`just my-server` and `just my-client` use it):
#
#   deploy/compose/lang-env.sh path/to/Server.java   ->  STUDENT_MEM=512m STUDENT_PIDS=128 STUDENT_TMP=64m
#
# Memory covers the build (g++ and javac need far more than the program);
# processes count threads (a JVM starts about 20); /tmp holds the build and
# Go's cache. The same table is internal/student/lang's Limits, which the
# graders use; a Go test checks that the two agree.
set -euo pipefail
file=${1:?usage: lang-env.sh FILE}
name=$(basename "$file" | tr '[:upper:]' '[:lower:]')
case "$name" in
makefile | gnumakefile)
	# make builds C or C++: C++'s limits when the folder has C++ sources.
	name=server.c
	for f in "$(dirname "$file")"/*; do
		case "$(echo "$f" | tr '[:upper:]' '[:lower:]')" in *.cpp | *.cc | *.cxx | *.c++) name=server.cpp ;; esac
	done
	;;
esac
case "$name" in
*.c) limits="256m 64 64m" ;;
*.cpp | *.cc | *.cxx | *.c++) limits="512m 64 64m" ;;
*.java) limits="512m 128 64m" ;;
*.js | *.mjs | *.cjs) limits="256m 64 16m" ;;
*.go) limits="512m 128 128m" ;;
*) limits="128m 64 16m" ;; # Python's, and any STUDENT_CMD's
esac
read -r mem pids tmp <<<"$limits"
echo "STUDENT_MEM=$mem STUDENT_PIDS=$pids STUDENT_TMP=$tmp"
