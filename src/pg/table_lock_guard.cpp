#include "pg/table_lock_guard.hpp"

#include "pg/postgres_headers.hpp"
#include "pg/process_utility_chain.hpp"
#include "pg/workspace_visibility.hpp"

extern "C" {
#include "access/relation.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "rewrite/rewriteHandler.h"
#include "storage/lmgr.h"
#include "tcop/utility.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace webhook::pg {
namespace {

ProcessUtility_hook_type previous_process_utility = nullptr;

// Views nest at most this deep on the way to a table (a cycle is impossible,
// but the walk stays bounded whatever the catalog holds).
constexpr int kMaxViewDepth = 32;

struct ViewWalk {
    Oid webhook_schema;
    Oid view;  // the view whose query is walked: its OLD and NEW entries name it
    int depth;
    bool reaches;
};

bool reaches_webhook_table(Oid relation, Oid webhook_schema, int depth);

bool find_webhook_table(Node* node, void* context);

// PostgreSQL 15 declares tree walkers as `bool (*)()`; going through
// `void (*)()` is the cast the compiler accepts between function types.
using TreeWalker = bool (*)();
TreeWalker as_tree_walker(bool (*walker)(Node*, void*)) {
    return reinterpret_cast<TreeWalker>(reinterpret_cast<void (*)()>(walker));
}

// Plain C style, as every function of this file: no C++ object lives in
// these frames, so Postgres errors may unwind through them.
bool find_webhook_table(Node* node, void* context) {
    auto* walk = static_cast<ViewWalk*>(context);
    if (node == nullptr || walk->reaches) return false;
    if (IsA(node, RangeTblEntry)) {
        auto* entry = reinterpret_cast<RangeTblEntry*>(node);
        if (entry->rtekind == RTE_RELATION && entry->relid != walk->view &&
            reaches_webhook_table(entry->relid, walk->webhook_schema, walk->depth + 1)) {
            walk->reaches = true;
        }
        return walk->reaches;
    }
    if (IsA(node, Query)) {
        return query_tree_walker(reinterpret_cast<Query*>(node), as_tree_walker(find_webhook_table),
                                 walk, QTW_EXAMINE_RTES_BEFORE);
    }
    return expression_tree_walker(node, as_tree_walker(find_webhook_table), walk);
}

// Whether locking `relation` locks a table of the webhook schema: the
// relation itself, or, for a view, any relation its query reads (LOCK on a
// view locks them all, with the view owner's rights).
bool reaches_webhook_table(Oid relation, Oid webhook_schema, int depth) {
    if (get_rel_namespace(relation) == webhook_schema) return true;
    if (get_rel_relkind(relation) != RELKIND_VIEW) return false;
    if (depth >= kMaxViewDepth) return true;  // refuse what cannot be checked
    Relation view = relation_open(relation, AccessShareLock);
    ViewWalk walk{webhook_schema, relation, depth, false};
    find_webhook_table(reinterpret_cast<Node*>(get_view_query(view)), &walk);
    relation_close(view, AccessShareLock);
    return walk.reaches;
}

// The mode as LOCK TABLE spells it (the strong modes only).
const char* lock_mode_name(LOCKMODE mode) {
    switch (mode) {
        case ShareUpdateExclusiveLock:
            return "SHARE UPDATE EXCLUSIVE";
        case ShareLock:
            return "SHARE";
        case ShareRowExclusiveLock:
            return "SHARE ROW EXCLUSIVE";
        case ExclusiveLock:
            return "EXCLUSIVE";
        case AccessExclusiveLock:
            return "ACCESS EXCLUSIVE";
        default:  // not reached: the weaker modes are never refused
            return GetLockmodeName(DEFAULT_LOCKMETHOD, mode);
    }
}

void refuse_strong_locks(const LockStmt* lock) {
    // ROW SHARE and ROW EXCLUSIVE are what SELECT FOR UPDATE and writes take;
    // from SHARE UPDATE EXCLUSIVE up a lock blocks VACUUM, then writes, then
    // reads of every workspace.
    if (lock->mode < ShareUpdateExclusiveLock) return;
    Oid webhook_schema = get_namespace_oid("webhook", true);
    // A role that sees every workspace (a superuser, one that bypasses
    // row-level security, webhook_admin) may hold any lock; owning a view is
    // not enough, since a tenant's own view over webhook.endpoint locks it.
    if (!OidIsValid(webhook_schema) || current_role_sees_every_workspace()) return;
    ListCell* cell;
    foreach (cell, lock->relations) {
        auto* name = static_cast<RangeVar*>(lfirst(cell));
        Oid relation = RangeVarGetRelid(name, NoLock, true);
        if (!OidIsValid(relation) || !reaches_webhook_table(relation, webhook_schema, 0)) continue;
        ereport(ERROR,
                (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                 errmsg("permission denied to lock \"%s\" in %s mode", name->relname,
                        lock_mode_name(lock->mode)),
                 errdetail("The tables of pg_webhook are shared by every workspace, and a lock "
                           "this strong would stop the other workspaces' work until the "
                           "transaction ends."),
                 errhint("Lock rows instead (SELECT ... FOR UPDATE), or ask a webhook_admin.")));
    }
}

void guard_table_locks(PlannedStmt* statement, const char* query, bool read_only_tree,
                       ProcessUtilityContext context, ParamListInfo parameters,
                       QueryEnvironment* environment, DestReceiver* destination,
                       QueryCompletion* completion) {
    if (IsA(statement->utilityStmt, LockStmt)) {
        refuse_strong_locks(reinterpret_cast<LockStmt*>(statement->utilityStmt));
    }
    run_next_process_utility(previous_process_utility, statement, query, read_only_tree, context,
                             parameters, environment, destination, completion);
}

}  // namespace

void install_table_lock_guard() {
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = guard_table_locks;
}

}  // namespace webhook::pg
