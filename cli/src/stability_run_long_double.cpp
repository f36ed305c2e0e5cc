// `barriers stability` in long double and std::complex<long double> (stability_run.hpp).
#include "stability_run_impl.hpp"

namespace barriers::cli {
template int stability_typed<long double>(const StabilityOptions&, const Parsed&);
template int stability_typed<std::complex<long double>>(const StabilityOptions&, const Parsed&);
}  // namespace barriers::cli
