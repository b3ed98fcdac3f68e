import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CardCentreSimulator, type SimulatorOptions } from './card-centre.simulator.js';
import { ChongqingCardCentreController } from './chongqing-card-centre.controller.js';
import { SichuanCardCentreController } from './sichuan-card-centre.controller.js';

@Module({})
class SimulatorModule {
  static register(simulator: CardCentreSimulator): DynamicModule {
    return {
      module: SimulatorModule,
      controllers: [simulator.province === 'SC' ? SichuanCardCentreController : ChongqingCardCentreController],
      providers: [{ provide: CardCentreSimulator, useValue: simulator }],
    };
  }
}

/** SIMULATOR: one province's card centre over HTTP (caller listens). Demo and tests only. */
export async function createSimulatorApp(
  options: SimulatorOptions & { logs?: boolean },
): Promise<{ app: NestFastifyApplication; simulator: CardCentreSimulator }> {
  const simulator = new CardCentreSimulator(options);
  const app = await NestFactory.create<NestFastifyApplication>(SimulatorModule.register(simulator), new FastifyAdapter(), {
    logger: options.logs === true ? ['error', 'warn'] : false,
  });
  app.enableShutdownHooks();
  const close = app.close.bind(app);
  app.close = async () => {
    simulator.stop();
    await close();
  };
  return { app, simulator };
}
