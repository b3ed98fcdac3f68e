import { ConsoleAssets } from './console-assets.js';
import { ConsoleAssetsController } from './console-assets.controller.js';
import { MessageStatusController } from './message-status.controller.js';
import { MessageStatusService } from './message-status.service.js';
import { ReceiptQrController } from './receipt-qr.controller.js';
import { ReceiptQrService } from './receipt-qr.service.js';
import { RouteDashboardController } from './route-dashboard.controller.js';
import { RouteDashboardService } from './route-dashboard.service.js';
import { WhoAmIController } from './whoami.controller.js';

/**
 * The web console (/console) and the few endpoints it needs beyond the public API: who a
 * credential is, the receipt's QR code, per-route time series for the operator dashboard and
 * one message's state (to follow a replay).
 * Registered in GatewayModule, whose providers (database, relay, intake) they use.
 */
export const CONSOLE_CONTROLLERS = [ConsoleAssetsController, WhoAmIController, ReceiptQrController, RouteDashboardController, MessageStatusController];
export const CONSOLE_PROVIDERS = [ConsoleAssets, ReceiptQrService, RouteDashboardService, MessageStatusService];
