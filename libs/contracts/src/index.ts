// The contract classes use decorator metadata (class-transformer @Type, class-validator).
import 'reflect-metadata';
export * from './canonical.js';
export * from './agency-link.js';
export * from './validate.js';
export * from './code-validators.js';
export * from './common.dto.js';
export * from './ssc-apply.dto.js';
export * from './ssc-loss.dto.js';
export * from './medical-filing.dto.js';
export * from './pension-qualification.dto.js';
export * from './death-benefit.dto.js';
export * from './pension-transfer.dto.js';
export * from './peer-messages.dto.js';
export * from './message-types.js';
export * from './service-catalogue.js';
export * from './service-rules.js';
export * from './case-state-machine.js';
export * from './transfer-conversation.js';
