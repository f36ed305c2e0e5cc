#include "family_options.hpp"

#include "barriers/oracle/instance.hpp"
#include "parse_number.hpp"

namespace barriers::cli {

void FamilyOptions::add_to(CLI::App& app, bool with_n) {
  app.add_option("--problem", problem, "p1 (basis pursuit, noise eta), p2 (LASSO) or p3 (square-root LASSO)")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--K", K, "Digits that cannot be computed (1..100)")->type_name("K")->capture_default_str();
  if (with_n)
    app.add_option("--n", n, "The two members agree to 2^-n (bits)")->type_name("BITS")->capture_default_str();
  app.add_option("--delta", delta, "delta in (0, 1/4), exact rational")->type_name("Q")->capture_default_str();
  lambda_option_ = app.add_option("--lambda", lambda, "(P2, P3) lambda in (0, 1], exact rational")
                       ->type_name("Q")
                       ->capture_default_str();
  eta_option_ = app.add_option("--eta", eta, "(P1) noise level in [0, 1/4], exact rational")
                    ->type_name("Q")
                    ->capture_default_str();
  app.add_option("--N1", N1, "Head length (>= 2)")->type_name("N")->capture_default_str();
  app.add_option("--N2", N2, "Tail length (>= 0; A has 1 + N2 rows)")->type_name("N")->capture_default_str();
  app.add_flag("--no-dct", no_dct, "Do not multiply by the orthonormal DCT-II (keeps the block structure visible)");
}

void FamilyOptions::require_applicable() const {
  const impossibility::Problem p = impossibility::parse_problem(problem);
  if (p == impossibility::Problem::p1 && lambda_option_ && lambda_option_->count() > 0)
    throw UsageError("--lambda does not apply to --problem p1 (basis pursuit has no lambda; its noise level is --eta)");
  if (p != impossibility::Problem::p1 && eta_option_ && eta_option_->count() > 0)
    throw UsageError("--eta applies only to --problem p1, not to " + problem);
}

impossibility::FamilyParams FamilyOptions::params() const {
  impossibility::FamilyParams p;
  p.problem = impossibility::parse_problem(problem);
  p.K = long(parse_integer("--K", K, -1000000, 1000000));
  p.n = long(parse_integer("--n", n, -1000000000, 1000000000));
  auto q = [](const std::string& option, const std::string& v) {
    try {
      return oracle::parse_rational(v);
    } catch (const std::invalid_argument& e) {
      throw UsageError(option + ": " + e.what());
    }
  };
  p.delta = q("--delta", delta);
  p.lambda = q("--lambda", lambda);
  p.eta = q("--eta", eta);
  p.N1 = std::size_t(parse_integer("--N1", N1, 0, 1000000));
  p.N2 = std::size_t(parse_integer("--N2", N2, 0, 1000000));
  p.dct_mixing = !no_dct;
  p.validate();
  return p;
}

}  // namespace barriers::cli
