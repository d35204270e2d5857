/**
 * Webhooks (issue 13 §4): events for the reseller's own systems (billing: WHMCS, HostBill, their
 * own). An account registers endpoints ({@code POST /api/v1/webhooks {url, events}}); a state change
 * publishes a {@link io.certhub.webhook.HubEvent} inside its own transaction, and
 * {@link io.certhub.webhook.WebhookOutbox} writes the event and one delivery per subscribed endpoint
 * before that transaction commits (a transactional outbox: never lost, never sent for a change that
 * rolled back, nothing written when no endpoint subscribes). {@link io.certhub.webhook.WebhookSender}
 * (route webhook-delivery-sweep) claims due deliveries and POSTs them signed per the Standard
 * Webhooks specification ({@link io.certhub.webhook.WebhookSignature}), retrying with backoff and
 * logging every try ({@code webhook_attempt}).
 */
package io.certhub.webhook;
