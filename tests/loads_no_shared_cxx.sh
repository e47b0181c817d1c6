#!/bin/sh
# tests/loads_no_shared_cxx.sh PROGRAM...: fails when a program loads a shared
# libxapian or libstdc++ (the e2e and web tests run them). Registered by tests/CMakeLists.txt
# when Xapian is linked statically (NEWS_XAPIAN_PREFIX): the start-up the
# search programs save is the dynamic loader's relocation of those two.
for p in "$@"; do
  libs=$(ldd "$p") || { echo "ldd $p failed"; exit 1; }
  if echo "$libs" | grep -E 'libxapian|libstdc\+\+'; then
    echo "$p loads the shared library above"
    exit 1
  fi
done
echo "no shared libxapian or libstdc++ in: $*"
