// A user-supplied path inside a command line the tool suggests (e.g. "finish
// with: barriers sweep ... --out DIR --resume"): quoted so that pasting the
// line into a POSIX shell passes it as one word, expanding nothing.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace barriers::cli {

/// `text` as it is when it holds only characters no shell treats specially;
/// otherwise single-quoted ('It'\''s'); and when it holds control or
/// non-ASCII bytes, which a terminal may act on or garble, as a bash $'...'
/// string with those bytes as \xNN (and ' and \ escaped). A leading '-' is
/// kept: the word then follows an option that takes a value.
inline std::string shell_word(std::string_view text) {
  bool plain = !text.empty(), printable = true;
  for (unsigned char c : text) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      std::string_view("_./:@%+=,-").find(char(c)) != std::string_view::npos;
    plain = plain && safe;
    printable = printable && c >= 0x20 && c < 0x7f;
  }
  if (plain) return std::string(text);
  std::string out;
  if (printable) {
    out = "'";
    for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }
  out = "$'";
  for (unsigned char c : text) {
    if (c >= 0x20 && c < 0x7f) {
      if (c == '\'' || c == '\\') out += '\\';
      out += char(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", unsigned(c));
      out += hex;
    }
  }
  return out + "'";
}

}  // namespace barriers::cli
