
-- The foundation's functions, for both roles (row-level security scopes them).
GRANT EXECUTE ON FUNCTION
    webhook.uuid_generate_v7(),
    webhook.check_url(text),
    webhook.check_secret(text),
    webhook.generate_secret(),
    webhook.default_max_attempts(),
    webhook.default_workspace_id(),
    webhook.payload_hash(jsonb),
    webhook.current_workspace_id(),
    webhook.effective_workspace_id(uuid),
    webhook.check_event_type(text),
    webhook.check_endpoint_headers(jsonb),
    webhook.endpoint_before_write(),
    webhook.endpoint_secret(uuid),
    webhook.get_endpoint(uuid),
    webhook.list_endpoints(uuid, boolean),
    webhook.create_endpoint(text, text[], uuid, text, text, integer, integer, jsonb),
    webhook.update_endpoint(uuid, text, text[], text, integer, integer, jsonb, text[]),
    webhook.enable_endpoint(uuid),
    webhook.disable_endpoint(uuid, text),
    webhook.rotate_endpoint_secret(uuid, text, interval),
    webhook.delete_endpoint(uuid),
    webhook.publish(text, jsonb, uuid, text, uuid),
    webhook.get_delivery(uuid),
    webhook.delivery_attempts(uuid)
TO webhook_admin, webhook_user;
