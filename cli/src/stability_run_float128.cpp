// `barriers stability` in float128 and std::complex<float128> (stability_run.hpp).
#include "stability_run_impl.hpp"

namespace barriers::cli {
template int stability_typed<float128>(const StabilityOptions&, const Parsed&);
template int stability_typed<std::complex<float128>>(const StabilityOptions&, const Parsed&);
}  // namespace barriers::cli
