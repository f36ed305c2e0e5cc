// The small imaging problem the learned-network tests train and attack on:
// one seeded ellipse phantom, Fourier (complex T) or Walsh (real T), Haar,
// noise-free.
#pragma once

#include "barriers/solvers/imaging/imaging_problem.hpp"
#include "barriers/solvers/imaging/phantom.hpp"

namespace barriers::test {

template <class T>
ImagingProblem<T> ellipse_problem(Eigen::Index side, double rate, PatternKind pattern = PatternKind::das) {
  ImagingSpec spec;
  spec.sampling = number_traits<T>::is_complex ? SamplingKind::fourier : SamplingKind::walsh;
  spec.pattern = pattern;
  spec.rate = rate;
  spec.wavelet = "haar";
  spec.noise = 0;
  spec.seed = 3;
  return make_imaging_problem<T>(random_ellipses<real_of<T>>({side, side}, 1), spec);
}

}  // namespace barriers::test
