# `cmake --install` gives a package another project can use: the consumer in
# consumer/ is configured with find_package(barriers) and built, then the
# same source is built from the pkg-config flags alone; both must run.
# Usage: bash test_install.sh BUILD_DIR   (a configured and built tree)
set -u
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# A fixed place inside the build tree (not mktemp): the consumer's include
# paths stay the same from run to run, so ccache can reuse its objects.
work="$build/tests/install-check"
rm -rf "$work" && mkdir -p "$work"
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

if ! cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1; then
  bad "cmake --install failed: $(tail -5 "$work/install.log")"
else
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if cmake -S "$here/consumer" -B "$work/consumer" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" \
       "${launcher[@]}" >"$work/configure.log" 2>&1 &&
     cmake --build "$work/consumer" >"$work/build.log" 2>&1; then
    "$work/consumer/consumer" >"$work/run.log" 2>&1 || bad "the CMake consumer failed: $(cat "$work/run.log")"
    grep -q "family certified: yes" "$work/run.log" || bad "the CMake consumer did not certify the family"
  else
    bad "find_package(barriers) consumer did not configure/build: $(tail -n 20 "$work/configure.log"; tail -n 20 "$work/build.log" 2>/dev/null)"
  fi

  export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig"
  if flags=$(pkg-config --cflags --libs barriers 2>"$work/pkgconfig.log"); then
    compiler=(g++)
    command -v ccache >/dev/null && compiler=(ccache g++)
    # shellcheck disable=SC2086
    if "${compiler[@]}" -O1 "$here/consumer/consumer.cpp" -o "$work/pc_consumer" $flags >"$work/pc_build.log" 2>&1; then
      "$work/pc_consumer" >"$work/pc_run.log" 2>&1 || bad "the pkg-config consumer failed: $(cat "$work/pc_run.log")"
    else
      bad "pkg-config consumer did not build: $(tail -20 "$work/pc_build.log")"
    fi
  else
    bad "pkg-config --cflags --libs barriers failed: $(cat "$work/pkgconfig.log")"
  fi
fi
[ "$fails" -eq 0 ] && echo "installed package: CMake and pkg-config consumers built and ran: $(tr "\n" " " <"$work/run.log")" && rm -rf "$work"
[ "$fails" -eq 0 ]
