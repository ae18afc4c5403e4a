// The one way C++ files include Postgres: C++ headers first (Postgres macros
// such as `gettext` and `printf` would otherwise leak into them), then the C
// headers under extern "C".
#pragma once

#include <cstdint>
#include <string>

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
}
