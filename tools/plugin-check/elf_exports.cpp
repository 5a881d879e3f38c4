#include "elf_exports.h"

#include <cstring>
#include <elf.h>
#include <fstream>
#include <iterator>

namespace check {
namespace {

// Copies a T out of `bytes` at `offset`; false when it does not fit.
template <class T>
bool readAt(const std::string& bytes, std::size_t offset, T* out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T))
    return false;
  std::memcpy(out, bytes.data() + offset, sizeof(T));
  return true;
}

} // namespace

bool definedDynamicSymbols(const std::string& path, std::vector<std::string>* out,
                           std::string* error) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    *error = "cannot read " + path;
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  Elf64_Ehdr header{};
  if (!readAt(bytes, 0, &header) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64) {
    *error = path + " is not a 64-bit ELF file";
    return false;
  }
  for (std::size_t i = 0; i < header.e_shnum; ++i) {
    Elf64_Shdr section{};
    if (!readAt(bytes, header.e_shoff + i * header.e_shentsize, &section))
      break;
    if (section.sh_type != SHT_DYNSYM)
      continue;
    Elf64_Shdr strings{};
    if (!readAt(bytes, header.e_shoff + section.sh_link * header.e_shentsize, &strings)) {
      *error = "the .dynsym string table is out of the file";
      return false;
    }
    std::size_t count = section.sh_entsize == 0 ? 0 : section.sh_size / section.sh_entsize;
    for (std::size_t s = 1; s < count; ++s) {
      Elf64_Sym symbol{};
      if (!readAt(bytes, section.sh_offset + s * section.sh_entsize, &symbol))
        break;
      unsigned char binding = ELF64_ST_BIND(symbol.st_info);
      if (symbol.st_shndx == SHN_UNDEF ||
          (binding != STB_GLOBAL && binding != STB_WEAK && binding != STB_GNU_UNIQUE))
        continue;
      std::size_t at = strings.sh_offset + symbol.st_name;
      if (at >= bytes.size())
        continue;
      out->emplace_back(bytes.c_str() + at);
    }
    return true;
  }
  *error = path + " has no dynamic symbol table";
  return false;
}

} // namespace check
