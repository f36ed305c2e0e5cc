// Explicit instantiations of LISTA for the complex scalar types (the header
// declares them extern).
#include "lista_impl.hpp"

namespace barriers {

BARRIERS_FOR_EACH_COMPLEX(BARRIERS_LISTA_INSTANTIATE)

}  // namespace barriers
