// The status line and headers of a reply, formatted for the wire.
#pragma once

#include "http/exchange.h"

#include <string>

namespace wdh {

// Formats the head of `reply` (status line, Date, Content-Type, Content-Length, Cache-Control,
// WWW-Authenticate, Connection) into `*head`, replacing its content. `keepAlive` false adds
// "Connection: close"; for an HTTP/1.0 client that keeps the connection it adds keep-alive.
void formatReplyHead(const Reply& reply, bool keepAlive, bool http10, std::string* head);

} // namespace wdh
