// Explicit instantiations of LISTA for the real scalar types (the header
// declares them extern).
#include "lista_impl.hpp"

namespace barriers {

BARRIERS_FOR_EACH_REAL(BARRIERS_LISTA_INSTANTIATE)

}  // namespace barriers
