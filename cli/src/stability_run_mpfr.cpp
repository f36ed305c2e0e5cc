// `barriers stability` in mpfr_real and std::complex<mpfr_real> (stability_run.hpp).
#include "stability_run_impl.hpp"

namespace barriers::cli {
template int stability_typed<mpfr_real>(const StabilityOptions&, const Parsed&);
template int stability_typed<std::complex<mpfr_real>>(const StabilityOptions&, const Parsed&);
}  // namespace barriers::cli
