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
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

if ! cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1; then
  bad "cmake --install failed: $(tail -5 "$work/install.log")"
else
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
# The Debian package (`make deb`): its control fields, and the same consumer
# built against the unpacked tree (the CMake package is relocatable).
if ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "test_install: cpack or dpkg-deb missing; the .deb is not checked"
elif ! (cd "$build" && cpack -G DEB -B "$work/deb") >"$work/cpack.log" 2>&1; then
  bad "cpack -G DEB failed: $(tail -5 "$work/cpack.log")"
else
  deb=$(ls "$work"/deb/barriers_*_*.deb 2>/dev/null | head -1)
  if [ -z "$deb" ]; then
    bad "cpack made no barriers_*.deb: $(ls "$work/deb")"
  else
    [ "$(dpkg-deb -f "$deb" Package)" = barriers ] || bad "the .deb's Package is $(dpkg-deb -f "$deb" Package)"
    depends=$(dpkg-deb -f "$deb" Depends)
    for want in libmpfr-dev libeigen3-dev libfftw3-dev libmpfr6 libpng16-16; do
      [[ ",$depends," == *", $want"* || ",$depends," == *",$want"* ]] || bad "the .deb does not depend on $want: $depends"
    done
    dpkg-deb -x "$deb" "$work/unpacked"
    for f in usr/bin/barriers usr/lib/cmake/barriers/barriersConfig.cmake usr/lib/pkgconfig/barriers.pc \
             usr/include/barriers/solvers/firenet.hpp usr/lib/libbarriers_solvers.a; do
      [ -e "$work/unpacked/$f" ] || bad "the .deb lacks /$f"
    done
    "$work/unpacked/usr/bin/barriers" verify --K 1 >"$work/deb_verify.log" 2>&1 ||
      bad "the packaged barriers command failed: $(tail -3 "$work/deb_verify.log")"
    if cmake -S "$here/consumer" -B "$work/deb_consumer" -DCMAKE_BUILD_TYPE=Release \
         -DCMAKE_PREFIX_PATH="$work/unpacked/usr" "${launcher[@]}" >"$work/deb_configure.log" 2>&1 &&
       cmake --build "$work/deb_consumer" >"$work/deb_build.log" 2>&1; then
      "$work/deb_consumer/consumer" >"$work/deb_run.log" 2>&1 && grep -q "family certified: yes" "$work/deb_run.log" ||
        bad "the consumer of the unpacked .deb failed: $(cat "$work/deb_run.log")"
    else
      bad "the consumer did not build against the unpacked .deb: $(tail -n 20 "$work/deb_configure.log" "$work/deb_build.log" 2>/dev/null)"
    fi
  fi
fi

[ "$fails" -eq 0 ] && echo "installed package: CMake and pkg-config consumers built and ran: $(tr "\n" " " <"$work/run.log")" && rm -rf "$work"
[ "$fails" -eq 0 ]
