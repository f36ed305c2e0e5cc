// `barriers stability` in double and std::complex<double> (stability_run.hpp).
#include "stability_run_impl.hpp"

namespace barriers::cli {
template int stability_typed<double>(const StabilityOptions&, const Parsed&);
template int stability_typed<std::complex<double>>(const StabilityOptions&, const Parsed&);
}  // namespace barriers::cli
