// The signing key of listing cursors: random per installation, kept in
// webhook.cursor_signing_key, a table no role but a superuser can read.
#pragma once

#include <cstdint>
#include <vector>

namespace webhook::pg {

// Reads the key (SPI must be connected) once per backend and installation;
// raises 55000 when the table holds no key.
const std::vector<std::uint8_t>& cursor_signing_key();

}  // namespace webhook::pg
