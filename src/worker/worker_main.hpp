// Registration of the background worker (from _PG_init, when preloaded).
#pragma once

namespace webhook::worker {

void register_background_worker();

}  // namespace webhook::worker
