// Checks of the library itself: its exports, the entry handshake, and the table's descriptor.
#include "checks.h"
#include "elf_exports.h"
#include "plugin/loaded_plugin.h"
#include "probe.h"

#include <regex>

namespace check {
namespace {

std::string versionText(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

} // namespace

Outcome checkExports(const Context& context) {
  std::vector<std::string> symbols;
  std::string error;
  if (!definedDynamicSymbols(context.path, &symbols, &error))
    return Outcome::fail(error);
  bool hasEntry = false;
  std::vector<std::string> others;
  for (const std::string& symbol : symbols) {
    if (symbol == WDHOST_ENTRY_SYMBOL)
      hasEntry = true;
    else
      others.push_back(symbol);
  }
  if (!hasEntry)
    return Outcome::fail(std::string("does not export ") + WDHOST_ENTRY_SYMBOL);
  if (!others.empty()) {
    std::string list;
    for (std::size_t i = 0; i < others.size() && i < 5; ++i)
      list += (i == 0 ? "" : ", ") + others[i];
    return Outcome::fail("exports " + std::to_string(others.size()) + " symbol(s) besides " +
                         WDHOST_ENTRY_SYMBOL + " (" + list + (others.size() > 5 ? ", ..." : "") +
                         "): build with hidden visibility and the wdhost-plugin.exports script");
  }
  return Outcome::pass();
}

Outcome checkHandshake(const Context& context) {
  std::string error;
  std::unique_ptr<Library> library = Library::open(context.path, &error);
  if (!library)
    return Outcome::fail(error);
  const std::string current = versionText(WDHOST_ABI_MAJOR, WDHOST_ABI_MINOR);

  wdhost_negotiation first{};
  wdhost_status rc = library->handshake(WDHOST_ABI_MAJOR, WDHOST_ABI_MINOR, sizeof first, &first);
  if (rc != WDHOST_OK || first.vtable == nullptr)
    return Outcome::fail("refused the host's ABI " + current + " (status " + std::to_string(rc) +
                         ")");
  wdhost_plugin_vtable table{};
  uint32_t agreed = 0;
  if (!library->table(&table, &agreed, &error))
    return Outcome::fail(error);
  const uint32_t pluginMinor = first.vtable->abi_minor;
  if (first.agreed_abi_minor != std::min(WDHOST_ABI_MINOR, pluginMinor))
    return Outcome::fail("agreed minor " + std::to_string(first.agreed_abi_minor) +
                         ", expected min(host " + std::to_string(WDHOST_ABI_MINOR) + ", plugin " +
                         std::to_string(pluginMinor) + ")");

  wdhost_negotiation again{};
  rc = library->handshake(WDHOST_ABI_MAJOR, WDHOST_ABI_MINOR, sizeof again, &again);
  if (rc != WDHOST_OK || again.vtable != first.vtable ||
      again.agreed_abi_minor != first.agreed_abi_minor)
    return Outcome::fail("a second handshake answered differently (not idempotent)");

  // A host of an older minor than the plugin's (or the same, while the minor is 0).
  const uint32_t lower = pluginMinor > 0 ? pluginMinor - 1 : 0;
  wdhost_negotiation older{};
  rc = library->handshake(WDHOST_ABI_MAJOR, lower, sizeof older, &older);
  if (rc != WDHOST_OK || older.vtable == nullptr || older.agreed_abi_minor != lower)
    return Outcome::fail("refused a host of the same major at the lower minor " +
                         versionText(WDHOST_ABI_MAJOR, lower) + " (status " + std::to_string(rc) +
                         ", agreed " + std::to_string(older.agreed_abi_minor) + ")");

  // A newer host: higher minor and a handshake block that grew at its end.
  wdhost_negotiation newer{};
  rc = library->handshake(WDHOST_ABI_MAJOR, pluginMinor + 1, sizeof newer + 16, &newer);
  if (rc != WDHOST_OK || newer.vtable == nullptr || newer.agreed_abi_minor != pluginMinor)
    return Outcome::fail("refused a newer host " + versionText(WDHOST_ABI_MAJOR, pluginMinor + 1) +
                         " with a larger handshake block (status " + std::to_string(rc) + ")");

  for (uint32_t major : {WDHOST_ABI_MAJOR + 1, 0u}) {
    wdhost_negotiation other{};
    rc = library->handshake(major, 0, sizeof other, &other);
    if (rc != WDHOST_INCOMPATIBLE || other.vtable != nullptr)
      return Outcome::fail("accepted ABI major " + std::to_string(major) + " (status " +
                           std::to_string(rc) + "); it must answer INCOMPATIBLE with no table");
  }

  wdhost_negotiation tiny{};
  bool untouched = false;
  rc = library->handshake(WDHOST_ABI_MAJOR, WDHOST_ABI_MINOR, 8, &tiny, &untouched);
  if (rc != WDHOST_INCOMPATIBLE)
    return Outcome::fail("accepted a handshake block of 8 bytes (status " + std::to_string(rc) +
                         "); it must answer INCOMPATIBLE");
  if (!untouched)
    return Outcome::fail("wrote past the end of an 8-byte handshake block");

  // The host's own loader must accept it too.
  std::unique_ptr<wdh::LoadedPlugin> plugin;
  wdh::Status status = wdh::LoadedPlugin::open(context.path, &plugin);
  if (!status.isOk())
    return Outcome::fail("the host refuses it: " + status.message());
  return Outcome::pass();
}

Outcome checkDescriptor(const Context& context) {
  std::string error;
  std::unique_ptr<Library> library = Library::open(context.path, &error);
  if (!library)
    return Outcome::fail(error);
  wdhost_plugin_vtable table{};
  uint32_t agreed = 0;
  if (!library->table(&table, &agreed, &error))
    return Outcome::fail(error);
  static const std::regex reverseDns("^[A-Za-z][A-Za-z0-9-]*(\\.[A-Za-z0-9][A-Za-z0-9_-]*)+$");
  static const std::regex name("^[a-z0-9_-]{1,64}$");
  static const std::regex semver(
      "^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)"
      "(-[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?$");
  std::string id = table.id == nullptr ? "" : table.id;
  std::string shortName = table.name == nullptr ? "" : table.name;
  std::string version = table.version == nullptr ? "" : table.version;
  if (id.size() > 255 || !std::regex_match(id, reverseDns))
    return Outcome::fail("id '" + id + "' is not a reverse-DNS name like org.example.browser");
  if (!std::regex_match(shortName, name))
    return Outcome::fail("name '" + shortName + "' is not [a-z0-9_-]{1,64}");
  if (!std::regex_match(version, semver))
    return Outcome::fail("version '" + version + "' is not a semantic version like 1.2.3");
  if (table.struct_size < kV1TableSize)
    return Outcome::fail("struct_size " + std::to_string(table.struct_size) + " < " +
                         std::to_string(kV1TableSize));
  return Outcome::pass(id + " " + version);
}

} // namespace check
