import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CardCentreSimulator } from './card-centre.simulator.js';
import { ChongqingCardCentreController } from './chongqing-card-centre.controller.js';
import { ChongqingMedicalInsuranceController } from './chongqing-medical-insurance.controller.js';
import { ChongqingPensionOfficeController } from './chongqing-pension-office.controller.js';
import { MedicalInsuranceSimulator } from './medical-insurance.simulator.js';
import { PensionOfficeSimulator } from './pension-office.simulator.js';
import { ProvinceSimulators, type SimulatorOptions } from './province-simulators.js';
import { SichuanCardCentreController } from './sichuan-card-centre.controller.js';
import { SichuanMedicalInsuranceController } from './sichuan-medical-insurance.controller.js';
import { SichuanPensionOfficeController } from './sichuan-pension-office.controller.js';
import { PinoNestLogger, type LogDestination } from '#logging';

/** Each province's own words for the case number (业务协同编号) and the gateway's message id (请求流水号) in a request. */
const REQUEST_WORDS = {
  SC: { caseNumber: 'ywxtbh', messageId: 'qqlsh' },
  CQ: { caseNumber: 'bizSerialNo', messageId: 'requestId' },
} as const;

@Injectable()
class SimulatorLifecycle implements OnApplicationShutdown {
  constructor(@Inject(ProvinceSimulators) private readonly simulators: ProvinceSimulators) {}

  onApplicationShutdown(): void {
    this.simulators.stop();
  }
}

const CONTROLLERS = {
  SC: [SichuanCardCentreController, SichuanMedicalInsuranceController, SichuanPensionOfficeController],
  CQ: [ChongqingCardCentreController, ChongqingMedicalInsuranceController, ChongqingPensionOfficeController],
};

@Module({})
class SimulatorModule {
  static register(simulators: ProvinceSimulators): DynamicModule {
    return {
      module: SimulatorModule,
      controllers: CONTROLLERS[simulators.province],
      providers: [
        { provide: ProvinceSimulators, useValue: simulators },
        { provide: CardCentreSimulator, useValue: simulators.card },
        { provide: MedicalInsuranceSimulator, useValue: simulators.medical },
        { provide: PensionOfficeSimulator, useValue: simulators.pension },
        SimulatorLifecycle,
      ],
    };
  }
}

/** SIMULATOR: one province's agency systems over HTTP (caller listens). Demo and tests only. */
export async function createSimulatorApp(
  options: SimulatorOptions & { logs?: boolean; logLevel?: string; logDestination?: LogDestination; answerDelayMs?: number },
): Promise<{ app: NestFastifyApplication; simulator: ProvinceSimulators }> {
  // The project's one JSON logger: the systems log each decision, the HTTP face each request.
  const logger = options.logs === true ? new PinoNestLogger({ app: 'agency-simulator', node: options.province }, options.logLevel ?? 'info', options.logDestination) : null;
  const simulator = new ProvinceSimulators({ ...options, ...(logger ? { log: logger.pino } : {}) });
  const fastify = new FastifyAdapter();
  if (logger) {
    const words = REQUEST_WORDS[options.province];
    fastify.getInstance().addHook('onResponse', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const params = { ...((request.query ?? {}) as Record<string, unknown>), ...((request.params ?? {}) as Record<string, unknown>) };
      const caseNumber = body[words.caseNumber] ?? params[words.caseNumber];
      const messageId = body[words.messageId];
      // The feed is polled several times a second: its requests only at debug.
      logger.pino[request.method === 'GET' && request.url.includes('/events') ? 'debug' : 'info']({
        msg: 'request',
        method: request.method,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        ...(typeof caseNumber === 'string' ? { caseNumber } : {}),
        ...(typeof messageId === 'string' ? { messageId } : {}),
      });
    });
  }
  const delayMs = options.answerDelayMs ?? 0;
  if (delayMs > 0) {
    // A slow agency system: what a POST asks is done (and journaled) at once, the answer leaves
    // later, so a crash of the caller lands between the agency's action and its answer.
    fastify.getInstance().addHook('onSend', async (request) => {
      if (request.method === 'POST') await new Promise((resolve) => setTimeout(resolve, delayMs));
    });
  }
  const app = await NestFactory.create<NestFastifyApplication>(SimulatorModule.register(simulator), fastify, {
    logger: logger ?? false,
  });
  return { app, simulator };
}
