#include "gmp_memory.hpp"

#include <flint/flint.h>
#include <gmp.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace barriers::cli {
namespace {

// Reports and exits without allocating: the heap is exhausted, and the
// library that asked cannot be unwound through (GMP and FLINT are C).
[[noreturn]] void out_of_memory(const char* library, std::size_t bytes) {
  char line[256];
  const int len = std::snprintf(line, sizeof line,
                                "barriers: error: out of memory (%s asked for %zu bytes): the numbers or sizes are "
                                "too large for this machine; lower the precision (--n, --bits) or the size\n",
                                library, bytes);
  std::fflush(stdout);
  if (len > 0) (void)!::write(2, line, std::size_t(len) < sizeof line ? std::size_t(len) : sizeof line - 1);
  ::_exit(1);
}

void* gmp_allocate(std::size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) out_of_memory("GMP", bytes);
  return p;
}
void* gmp_reallocate(void* old, std::size_t, std::size_t bytes) {
  void* p = std::realloc(old, bytes);
  if (!p) out_of_memory("GMP", bytes);
  return p;
}
void gmp_free(void* p, std::size_t) { std::free(p); }

void* flint_allocate(std::size_t bytes) {
  void* p = std::malloc(bytes);
  if (!p) out_of_memory("FLINT", bytes);
  return p;
}
void* flint_callocate(std::size_t count, std::size_t size) {
  void* p = std::calloc(count, size);
  if (!p) out_of_memory("FLINT", count * size);
  return p;
}
void* flint_reallocate(void* old, std::size_t bytes) {
  void* p = std::realloc(old, bytes);
  if (!p) out_of_memory("FLINT", bytes);
  return p;
}

}  // namespace

void install_memory_handlers() {
  // malloc-based like the libraries' defaults, so blocks allocated before
  // this call (static initialisers) are freed correctly afterwards.
  mp_set_memory_functions(gmp_allocate, gmp_reallocate, gmp_free);
  __flint_set_memory_functions(flint_allocate, flint_callocate, flint_reallocate, std::free);
}

}  // namespace barriers::cli
