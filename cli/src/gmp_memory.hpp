// GMP, MPFR and FLINT/Arb abort the process when an allocation fails. The
// command installs allocation functions that instead print one error line
// and exit with status 1.
#pragma once

namespace barriers::cli {

/// Installs the allocation functions of GMP (used by MPFR, MPFI and Boost's
/// GMP backends too) and FLINT (used by Arb). Call first thing in main().
/// On a failed allocation they print "barriers: error: out of memory (GMP
/// asked for N bytes): ..." and end the process with exit status 1 at once:
/// the failing library cannot continue, and an --out directory keeps its
/// INCOMPLETE marker.
void install_memory_handlers();

}  // namespace barriers::cli
