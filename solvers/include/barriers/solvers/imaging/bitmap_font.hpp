// A 5 x 7 bitmap font for text drawn into images we encode ourselves: the
// word of the text-detail phantom (phantom.hpp) and the labels of figure
// panels (`barriers stability`). Capital letters, digits, space and
// ( ) [ ] + - * / | = . , : < > ^ _ ' ; lower-case letters are set as capitals.
// Characters are 5 pixels wide with a 1-pixel gap, 7 pixels tall.
#pragma once

#include <stdexcept>
#include <string_view>

namespace barriers {

inline constexpr int glyph_width = 5, glyph_height = 7, glyph_advance = 6;

/// The 7 rows of the glyph of c, '#' = ink, '.' = background. Throws
/// std::invalid_argument naming the character if the font has no glyph for it.
const char* const* glyph_rows(char c);

/// Width in pixels of `text` set at `scale` (>= 1): 6 per character less
/// the gap after the last one; 0 for an empty text.
long text_width(std::string_view text, long scale = 1);

/// Calls ink(row, col) once for every ink pixel of `text` set at `scale`
/// with its top-left corner at (0, 0); the caller offsets and clips.
template <class Ink>
void for_each_text_pixel(std::string_view text, long scale, Ink&& ink) {
  if (scale < 1) throw std::invalid_argument("text scale must be >= 1");
  for (std::size_t k = 0; k < text.size(); ++k) {
    const char* const* rows = glyph_rows(text[k]);
    for (long r = 0; r < glyph_height; ++r)
      for (long c = 0; c < glyph_width; ++c) {
        if (rows[r][c] != '#') continue;
        for (long di = 0; di < scale; ++di)
          for (long dj = 0; dj < scale; ++dj) ink(r * scale + di, (long(k) * glyph_advance + c) * scale + dj);
      }
  }
}

}  // namespace barriers
