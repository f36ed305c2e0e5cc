// `barriers merge`: combines the saved cells of `--shard I/N` runs of sweep,
// table1 or convergence into one directory. The shards must share their settings file
// byte for byte; a cell present in several shards must agree. Merge writes
// the cells and the settings only: the experiment's own command, run with
// the same options plus `--out DIR --resume`, then writes every other file
// (it computes nothing when every cell is present), so the result is
// byte-identical to a serial run by construction.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "output_files.hpp"
#include "resume.hpp"
#include "shell_word.hpp"
#include "usage_error.hpp"

namespace barriers::cli {
namespace {

struct MergeOptions {
  std::vector<std::string> shards;
  std::string out;
};

// What a shard directory holds, by experiment.
struct Kind {
  std::string command, cells, settings;
  std::size_t key_fields;  // the leading CSV fields that name a cell
};
const Kind kinds[] = {{"sweep", "sweep.csv", "sweep_settings.txt", 3},
                      {"table1", "table1_details.csv", "table1_settings.txt", 2},
                      {"convergence", "convergence_cells.csv", "convergence_settings.txt", 5}};

// Cell and settings files are small text; anything over this is not ours.
constexpr std::uintmax_t max_file_bytes = std::uintmax_t(1) << 30;

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw UsageError(quote_for_message(path) + " is not a regular file");
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec || size > max_file_bytes)
    throw UsageError(quote_for_message(path) + " is larger than 1 GiB: not a saved cell file");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) throw std::runtime_error("cannot read " + quote_for_message(path));
  return ss.str();
}

const Kind& kind_of(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw UsageError("shard " + quote_for_message(dir) + " is not a directory");
  const Kind* found = nullptr;
  for (const Kind& k : kinds)
    if (std::filesystem::exists(std::filesystem::path(dir) / k.settings, ec)) {
      if (found)
        throw UsageError("shard " + quote_for_message(dir) + " holds both " + found->settings + " and " + k.settings +
                         ": one experiment per directory");
      found = &k;
    }
  if (!found)
    throw UsageError("shard " + quote_for_message(dir) +
                     " holds no saved cells (sweep_settings.txt, table1_settings.txt or convergence_settings.txt): "
                     "was it written by 'barriers sweep', 'barriers table1' or 'barriers convergence' with --out?");
  return *found;
}

std::string cell_key(const std::string& line, std::size_t fields) {
  std::size_t pos = 0;
  for (std::size_t f = 0; f < fields; ++f) {
    pos = line.find(',', pos);
    if (pos == std::string::npos) return {};
    ++pos;
  }
  return line.substr(0, pos - 1);
}

int run_merge(const MergeOptions& o) {
  const Kind& kind = kind_of(o.shards.front());
  std::string settings, header;
  std::vector<std::string> order;                       // cell keys in order of first appearance
  std::map<std::string, std::pair<std::string, std::string>> rows;  // key -> (line, shard)
  for (const std::string& dir : o.shards) {
    if (&kind_of(dir) != &kind)
      throw UsageError("shard " + quote_for_message(dir) + " is not a " + kind.command + " run like " +
                       quote_for_message(o.shards.front()));
    const std::string dir_settings = read_file(dir + "/" + kind.settings);
    if (settings.empty()) settings = dir_settings;
    if (dir_settings != settings) {
      const auto [la, lb] = first_difference(settings, dir_settings);
      throw UsageError("shards " + quote_for_message(o.shards.front()) + " and " + quote_for_message(dir) +
                       " were run with different settings (" + quote_for_message(la) + " against " +
                       quote_for_message(lb) + ")");
    }
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(dir) / "INCOMPLETE", ec))
      std::cerr << "barriers: note: shard " << quote_for_message(dir)
                << " did not finish (INCOMPLETE): its finished cells are merged, --resume computes the rest\n";
    if (!std::filesystem::exists(std::filesystem::path(dir) / kind.cells, ec)) continue;  // no cell finished yet
    std::istringstream in(read_file(dir + "/" + kind.cells));
    std::string line;
    std::getline(in, line);
    if (header.empty()) header = line;
    if (line != header)
      throw UsageError(quote_for_message(dir + "/" + kind.cells) + " does not start with the " + kind.cells + " header");
    for (long number = 2; std::getline(in, line); ++number) {
      const std::string key = cell_key(line, kind.key_fields);
      if (key.empty())
        throw UsageError(quote_for_message(dir + "/" + kind.cells) + " line " + std::to_string(number) +
                         " is not a cell: " + quote_for_message(line));
      auto [it, fresh] = rows.emplace(key, std::pair{line, dir});
      if (fresh) order.push_back(key);
      else if (it->second.first != line)
        throw UsageError("the cell " + quote_for_message(key) + " differs between shards " +
                         quote_for_message(it->second.second) + " and " + quote_for_message(dir));
    }
  }
  if (header.empty()) throw UsageError("none of the shards has a finished cell (" + kind.cells + ")");

  // Only the cells and the settings: the directory stays INCOMPLETE (its
  // marker says how to finish) until the experiment's --resume writes the rest.
  OutputDir out(o.out, {kind.cells, kind.settings},
                "barriers merge: cells only; finish with 'barriers " + kind.command +
                    "' (the shards' options) --out DIR --resume");
  std::string cells = header + "\n";
  for (const std::string& key : order) cells += rows.at(key).first + "\n";
  out.write(kind.settings, settings);
  out.write(kind.cells, cells);
  std::printf("merged %zu cells of %zu shards into %s in %s\n", order.size(), o.shards.size(), kind.cells.c_str(),
              quote_for_message(o.out, 4096).c_str());
  std::printf("finish with: barriers %s <the shards' options, without --shard> --out %s --resume\n",
              kind.command.c_str(), shell_word(o.out).c_str());
  return 0;
}

}  // namespace

Command add_merge_command(CLI::App& app) {
  auto o = std::make_shared<MergeOptions>();
  CLI::App* sub = app.add_subcommand(
      "merge", "Combine the saved cells of 'sweep', 'table1' or 'convergence' runs made with --shard I/N into --out DIR; then run "
               "the same command with --out DIR --resume to write the tables and plots (byte-identical to a serial "
               "run).");
  sub->add_option("shards", o->shards, "Output directories of the shard runs")->type_name("DIR")->required();
  sub->add_option("--out", o->out, "Directory for the merged cells")->type_name("DIR")->required();
  return {sub, [o] { return run_merge(*o); }};
}

}  // namespace barriers::cli
