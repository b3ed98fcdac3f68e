/** Injection token of the validated GatewayConfig. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/**
 * Injection token of this node's code (`SC` or `CQ`, GatewayConfig.node): a class that needs only
 * to know which node it runs on injects this slice, not the whole configuration.
 */
export const NODE_CODE = Symbol('NODE_CODE');
