// The status page's logins: each login gets a random cookie of its own, with the role its token
// granted, its own CSRF token, and an expiry; a logout ends it.
#pragma once

#include "http/auth.h"

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace wdh {

// Thread-safe; holds at most `maxLogins` (the oldest goes first).
class UiLogins {
public:
  // A live login.
  struct Login {
    Role role = Role::None;
    std::string csrf; // what the page sends back in X-Wdhost-Csrf on POST
    std::chrono::steady_clock::time_point expires;
  };

  // Logins last `lifetime`.
  explicit UiLogins(std::chrono::seconds lifetime = std::chrono::hours(12),
                    std::size_t maxLogins = 1024);

  // Starts a login with `role`; returns its cookie value (a secret) and fills `*login`.
  std::string begin(Role role, Login* login);
  // True with `*login` when `cookie` is a live login's.
  bool find(std::string_view cookie, Login* login) const;
  // Ends the login of `cookie` (if any).
  void end(std::string_view cookie);
  // How long a login lasts (the cookie's Max-Age).
  std::chrono::seconds lifetime() const noexcept { return lifetime_; }

private:
  const std::chrono::seconds lifetime_;
  const std::size_t maxLogins_;
  mutable std::mutex mutex_;
  std::map<std::string, Login> logins_; // by a digest of the cookie
};

} // namespace wdh
