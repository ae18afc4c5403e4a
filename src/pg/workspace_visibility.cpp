#include "pg/workspace_visibility.hpp"

#include "pg/error_boundary.hpp"

extern "C" {
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/lsyscache.h"
#include "utils/rls.h"
}

namespace webhook::pg {

bool current_role_sees_every_workspace() {
    Oid delivery = get_relname_relid("delivery", get_namespace_oid("webhook", false));
    if (check_enable_rls(delivery, InvalidOid, true) != RLS_ENABLED) return true;
    Oid admin = get_role_oid("webhook_admin", true);
    return OidIsValid(admin) && has_privs_of_role(GetUserId(), admin);
}

bool caller_sees_every_workspace() {
    return call_postgres([] { return current_role_sees_every_workspace(); });
}

}  // namespace webhook::pg
