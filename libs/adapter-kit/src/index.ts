export * from './agency-client.js';
export * from './agency-errors.js';
export * from './agency-http.js';
export * from './cursor-file.js';
export * from './status-pump.js';
export * from './delivery-handler.js';
export * from './adapter-app.js';
export * from './adapter.config.js';
