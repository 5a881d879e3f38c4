#include "http/auth.h"

#include "core/base64.h"

#include <Poco/Net/IPAddress.h>
#include <openssl/crypto.h>

namespace wdh {
namespace {

// Compares in time that depends on the lengths only (OpenSSL's CRYPTO_memcmp), never on where
// the texts differ.
bool constantTimeEquals(std::string_view a, std::string_view b) {
  return !b.empty() && a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

bool authorizationCarries(std::string_view authorization, const std::string& token) {
  constexpr std::string_view kBearer = "Bearer ";
  constexpr std::string_view kBasic = "Basic ";
  if (authorization.substr(0, kBearer.size()) == kBearer)
    return constantTimeEquals(authorization.substr(kBearer.size()), token);
  if (authorization.substr(0, kBasic.size()) == kBasic) {
    std::string decoded;
    if (!base64Decode(authorization.substr(kBasic.size()), &decoded, 4096))
      return false;
    std::size_t colon = decoded.find(':');
    if (colon == std::string::npos)
      return false;
    return constantTimeEquals(std::string_view(decoded).substr(colon + 1), token);
  }
  return false;
}

bool isLoopbackHost(std::string_view host) {
  if (host == "localhost")
    return true;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  Poco::Net::IPAddress address;
  return Poco::Net::IPAddress::tryParse(std::string(host), address) && address.isLoopback();
}

Credentials::Credentials(std::string clientToken, std::string operatorToken)
    : client_(std::move(clientToken)), operator_(std::move(operatorToken)) {
  if (operator_.empty())
    operator_ = client_;
}

Role Credentials::roleOf(std::string_view authorization) const {
  if (operator_.empty() || authorizationCarries(authorization, operator_))
    return Role::Operator;
  if (client_.empty() || authorizationCarries(authorization, client_))
    return Role::Client;
  return Role::None;
}

Role Credentials::roleOfToken(std::string_view token) const {
  if (token.empty())
    return roleOf("");
  return roleOf("Bearer " + std::string(token));
}

} // namespace wdh
