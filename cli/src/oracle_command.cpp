// `barriers oracle`: query the certified oracle of an instance and print or
// write the exact dyadic answer (A_n, y_n) with its certified bounds.
#include <cmath>
#include <filesystem>
#include <optional>
#include <iostream>
#include <memory>
#include <sstream>

#include <mpfr.h>
#include <nlohmann/json.hpp>

#include "barriers/oracle/oracle.hpp"
#include "barriers/precision/dyadic.hpp"
#include "barriers/impossibility/family.hpp"
#include "commands.hpp"
#include "family_options.hpp"
#include "non_empty.hpp"
#include "output_files.hpp"
#include "parse_number.hpp"

namespace barriers::cli {
namespace {

using namespace barriers::oracle;

struct OracleOptions {
  std::string instance;
  std::string size;
  std::string file;
  std::string other;
  std::string n = "10";
  std::string policy = "nearest";
  std::string seed = "0";
  std::string format = "text";
  std::string out;
  FamilyOptions family;        // --instance family: the Omega_K family
  std::string j = "1";         // which member
  std::string family_n;        // the family's n (default: the query's --n)
  CLI::App* app = nullptr;     // to ask which options were given
};

bool given(const OracleOptions& o, const std::string& name) { return o.app->get_option(name)->count() > 0; }

// Every option that belongs to one kind of instance is refused with the
// others, so a mistyped command never silently ignores part of itself.
void check_applicable(const OracleOptions& o) {
  if (o.instance != "dct" && o.instance != "dft" && o.instance != "rational-file" && o.instance != "family")
    throw UsageError("unknown instance " + quote_for_message(o.instance) +
                     ": allowed are dct, dft, rational-file, family");
  const bool builtin = o.instance == "dct" || o.instance == "dft";
  auto refuse = [&](const std::string& name, const char* applies) {
    if (given(o, name)) throw UsageError(name + " applies only to " + applies + ", not to --instance " + o.instance);
  };
  if (!builtin) refuse("--size", "--instance dct or dft");
  if (o.instance != "rational-file") refuse("--file", "--instance rational-file");
  if (o.instance != "family")
    for (const char* name : {"--problem", "--K", "--delta", "--lambda", "--eta", "--N1", "--N2", "--no-dct", "--j",
                             "--family-n"})
      refuse(name, "--instance family");
  if (o.instance == "family") o.family.require_applicable();
}

// log2 of a positive rational, to print bounds like 2^-1003.2 that a double
// cannot hold.
double log2_of(const rational& q) {
  mpfr_t t;
  mpfr_init2(t, 64);
  mpfr_set_q(t, q.backend().data(), MPFR_RNDN);
  mpfr_log2(t, t, MPFR_RNDN);
  const double v = mpfr_get_d(t, MPFR_RNDN);
  mpfr_clear(t);
  return v;
}

std::string bound_text(const Answer& a) {
  if (a.bound == 0) return "0 (exact)";
  std::ostringstream s;
  s.precision(4);
  s << "2^" << std::fixed << log2_of(a.bound);
  return s.str();
}

std::string entry_text(const RationalMatrix& m, std::size_t i, std::size_t j) {
  const rational im = m.imag(i, j);
  if (im == 0) return m.real(i, j).str();
  return m.real(i, j).str() + (im < 0 ? "-" : "+") + abs(im).str() + "i";
}

impossibility::FamilyParams family_params(const OracleOptions& o, long n) {
  FamilyOptions f = o.family;
  if (o.family_n.empty() && n < 1)
    throw UsageError("--instance family with --n " + std::to_string(n) +
                     ": the family's n (its members agree to 2^-n) must be at least 1; give --family-n");
  f.n = o.family_n.empty() ? std::to_string(n) : o.family_n;
  return f.params();
}

Instance make_instance(const OracleOptions& o, long n) {
  if (o.instance == "dct" || o.instance == "dft") {
    if (o.size.empty()) throw UsageError("--size is required with --instance " + o.instance);
    const auto size = std::size_t(parse_integer("--size", o.size, 1, long(max_builtin_size)));
    return o.instance == "dct" ? dct_instance(size) : dft_instance(size);
  }
  if (o.instance == "rational-file") {
    if (o.file.empty()) throw UsageError("--file PATH is required with --instance rational-file");
    return read_rational_instance(o.file);
  }
  if (o.instance == "family") {
    const impossibility::FamilyParams p = family_params(o, n);
    const auto j = std::size_t(parse_integer("--j", o.j, 1, long(p.N1)));
    return impossibility::family_member(p, j).instance;
  }
  throw std::logic_error("make_instance: unchecked instance " + o.instance);
}

// The second instance the adversarial policy answers with: a file; for a
// family member the family's limit (every head entry b, within 2^-(n+1) of
// each member); for built-in instances A + 2^-(n+1) e_1 e_1^T with the same
// y, which is always within the bound.
Instance make_other(const OracleOptions& o, const Instance& inst, long n) {
  if (!o.other.empty()) return read_rational_instance(o.other);
  if (o.instance == "family") return impossibility::family_limit(family_params(o, n)).instance;
  RationalMatrix bump(inst.A.rows(), inst.A.cols());
  bump.re[0] = pow2(-n - 1);
  return {inst.name + " + 2^-" + std::to_string(n + 1) + " e1 e1^T", inst.A + ExactMatrix::from_rational(bump),
          inst.y};
}

nlohmann::json answer_json(const Answer& a) {
  nlohmann::json re = nlohmann::json::array(), im = nlohmann::json::array();
  for (std::size_t i = 0; i < a.value.rows; ++i) {
    nlohmann::json r = nlohmann::json::array(), c = nlohmann::json::array();
    for (std::size_t j = 0; j < a.value.cols; ++j) {
      r.push_back(a.value.real(i, j).str());
      c.push_back(a.value.imag(i, j).str());
    }
    re.push_back(r);
    im.push_back(c);
  }
  nlohmann::json j = {{"rows", a.value.rows},
                      {"cols", a.value.cols},
                      {"re", re},
                      {"requested_bound_log2", -a.n},
                      {"bound", a.bound.str()},
                      {"bound_met", a.bound_met},
                      {"exact", a.exact},
                      {"correctly_rounded", a.correctly_rounded},
                      {"from_other", a.from_other},
                      {"grid_bits", a.grid_bits},
                      {"fraction_bits", a.fraction_bits},
                      {"working_bits", a.working_bits}};
  if (a.bound > 0) j["bound_log2"] = log2_of(a.bound);
  if (a.value.is_complex()) j["im"] = im;
  if (!a.note.empty()) j["note"] = a.note;
  return j;
}

void print_answer(std::ostream& out, const char* name, const Answer& a) {
  out << name << " (" << a.value.rows << "x" << a.value.cols << ")"
      << ": ||error||_2 <= " << bound_text(a) << " certified, requested 2^-" << a.n
      << (a.bound_met ? "" : "  ** BOUND NOT MET: IEEE double cannot resolve 2^-" + std::to_string(a.n) + " **")
      << "\n";
  out << "  entries are multiples of 2^-" << a.fraction_bits;
  if (a.working_bits) out << "; certified with " << a.working_bits << "-bit ball arithmetic";
  if (a.from_other) out << "; ADVERSARIAL: these are the other instance's data";
  if (!a.correctly_rounded) out << "; some roundings undecided (bound still certified)";
  out << "\n";
  if (!a.note.empty()) out << "  note: " << a.note << "\n";
  for (std::size_t i = 0; i < a.value.rows; ++i) {
    out << "  ";
    for (std::size_t j = 0; j < a.value.cols; ++j) out << (j ? "  " : "") << entry_text(a.value, i, j);
    out << "\n";
  }
}

// One matrix of the answer in the rational-file format: complex data as
// "<re> <im>" pairs after a `complex` header word, so it reads back exactly.
void write_rational_matrix(std::ostream& out, const std::string& header, const RationalMatrix& m) {
  out << header << (m.is_complex() ? " complex" : "") << "\n";
  for (std::size_t i = 0; i < m.rows; ++i) {
    for (std::size_t j = 0; j < m.cols; ++j) {
      out << (j ? " " : "") << m.real(i, j);
      if (m.is_complex()) out << " " << m.imag(i, j);
    }
    out << "\n";
  }
}

// The answer in the rational-file format, so it can be read back as an instance.
void write_rational_file(std::ostream& out, const std::string& header, const InstanceAnswer& a) {
  out << header;
  write_rational_matrix(out, "A " + std::to_string(a.A.value.rows) + " " + std::to_string(a.A.value.cols), a.A.value);
  write_rational_matrix(out, "y " + std::to_string(a.y.value.rows), a.y.value);
}

int run_oracle(const OracleOptions& o) {
  const long n = long(parse_integer("--n", o.n, 0, max_query_bits));
  const AnswerPolicy policy = parse_answer_policy(o.policy);
  const auto seed = std::uint64_t(parse_integer("--seed", o.seed, 0, (1LL << 62)));
  if (o.format != "text" && o.format != "json")
    throw UsageError("unknown format '" + o.format + "': allowed are text, json");
  if (!o.other.empty() && policy != AnswerPolicy::adversarial)
    throw UsageError("--other is used only with --policy adversarial");
  check_applicable(o);

  const Instance inst = make_instance(o, n);
  std::optional<Instance> other;
  if (policy == AnswerPolicy::adversarial) other = make_other(o, inst, n);
  std::optional<OutputDir> out;
  if (!o.out.empty()) out.emplace(o.out, std::vector<std::string>{"answer.json", "answer.txt"}, "barriers oracle");
  const Oracle oracle(inst, {policy, seed}, other);
  const InstanceAnswer a = oracle.query(n);

  nlohmann::json j = {{"instance", inst.name}, {"A_formula", inst.A.describe()}, {"policy", to_string(policy)},
                      {"n", n},                 {"seed", seed},                   {"A", answer_json(a.A)},
                      {"y", answer_json(a.y)}};
  if (other) j["other_instance"] = other->name;

  std::ostringstream header;
  header << "# barriers oracle answer: instance " << inst.name << ", policy " << to_string(policy) << ", n = " << n
         << "\n# ||A_n - A||_2 <= " << bound_text(a.A) << ", ||y_n - y||_2 <= " << bound_text(a.y)
         << " (certified)\n";

  if (o.format == "json") {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "instance " << inst.name << " = " << inst.A.describe() << ", policy " << to_string(policy);
    if (policy == AnswerPolicy::random) std::cout << " (seed " << seed << ")";
    if (other) std::cout << ", other instance " << other->name;
    std::cout << ", n = " << n << "\n";
    print_answer(std::cout, "A_n", a.A);
    print_answer(std::cout, "y_n", a.y);
  }

  if (out) {
    std::ostringstream txt;
    write_rational_file(txt, header.str(), a);
    out->write("answer.json", j.dump(2) + "\n");
    out->write("answer.txt", txt.str());
    out->finish();
    std::cerr << "wrote " << (out->path() / "answer.json").string() << " and "
              << (out->path() / "answer.txt").string() << "\n";
  }
  return (a.A.bound_met && a.y.bound_met) || policy == AnswerPolicy::ieee ? 0 : exit_failure;
}

}  // namespace

Command add_oracle_command(CLI::App& app) {
  auto opts = std::make_shared<OracleOptions>();
  CLI::App* sub = app.add_subcommand(
      "oracle",
      "Query the certified oracle: print exact dyadic (A_n, y_n) with ||A_n - A||_2 <= 2^-n and "
      "||y_n - y||_2 <= 2^-n certified.");
  opts->app = sub;
  sub->add_option("--instance", opts->instance,
                  "dct: A = orthonormal DCT-II, y = A e_1; dft: A = unitary DFT, y = A e_1; "
                  "rational-file: exact rational data from --file; family: member --j of the Omega_K family "
                  "(--problem, --K, ...; docs/impossibility.md)")
      ->type_name("NAME")
      ->required();
  sub->add_option("--size", opts->size, "Size N of the dct/dft instance (N x N), 1..1024")->type_name("N");
  sub->add_option("--file", opts->file, "Rational instance file (format: docs/oracle.md)")->type_name("PATH");
  sub->add_option("--n", opts->n, "Query precision in bits: the answer is within 2^-n (0..100000)")
      ->type_name("BITS")
      ->capture_default_str();
  sub->add_option("--policy", opts->policy,
                  "nearest: correctly rounded; random: seeded random legitimate answer; adversarial: the data of "
                  "--other (or of A + 2^-(n+1) e1 e1^T) whenever certified within 2^-n; ieee: IEEE doubles, "
                  "reporting the bound that really holds")
      ->type_name("NAME")
      ->capture_default_str();
  sub->add_option("--seed", opts->seed, "Seed of the random policy")->type_name("S")->capture_default_str();
  sub->add_option("--other", opts->other, "Rational instance file the adversarial policy answers with")->type_name("PATH")->check(non_empty());
  sub->add_option("--format", opts->format, "Output format: text or json")->type_name("NAME")->capture_default_str();
  opts->family.add_to(*sub, false);
  sub->add_option("--j", opts->j, "(family) the member: 1..N1")->type_name("J")->capture_default_str();
  sub->add_option("--family-n", opts->family_n, "(family) the members agree to 2^-BITS (default: --n)")
      ->type_name("BITS")->check(non_empty());
  sub->add_option("--out", opts->out, "Also write answer.json and answer.txt (rational-file format) into DIR")->check(non_empty())->type_name("DIR");
  return {sub, [opts] { return run_oracle(*opts); }};
}

}  // namespace barriers::cli
