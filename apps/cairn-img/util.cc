#include <cctype>
#include <iostream>

#include "commands.h"

namespace cairn::img {

void PrintError(const std::string& message) { std::cerr << "cairn-img: " << message << "\n"; }

bool ParseSize(const std::string& text, uint64_t& out) {
  if (text.empty()) return false;
  size_t i = 0;
  uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    if (value > (UINT64_MAX - 9) / 10) return false;
    value = value * 10 + static_cast<uint64_t>(text[i++] - '0');
  }
  if (i == 0) return false;
  uint64_t mult = 1;
  if (i < text.size()) {
    switch (std::toupper(static_cast<unsigned char>(text[i]))) {
      case 'K': mult = 1ull << 10; break;
      case 'M': mult = 1ull << 20; break;
      case 'G': mult = 1ull << 30; break;
      case 'T': mult = 1ull << 40; break;
      default: return false;
    }
    ++i;
    if (i < text.size() && (text[i] == 'B' || text[i] == 'b')) ++i;
  }
  if (i != text.size() || value > UINT64_MAX / mult) return false;
  out = value * mult;
  return true;
}

}  // namespace cairn::img
