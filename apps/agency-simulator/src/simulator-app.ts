import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { CardCentreSimulator, type SimulatorOptions } from './card-centre.simulator.js';
import { ChongqingCardCentreController } from './chongqing-card-centre.controller.js';
import { SichuanCardCentreController } from './sichuan-card-centre.controller.js';

@Injectable()
class SimulatorLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CardCentreSimulator) private readonly simulator: CardCentreSimulator) {}

  onApplicationShutdown(): void {
    this.simulator.stop();
  }
}

@Module({})
class SimulatorModule {
  static register(simulator: CardCentreSimulator): DynamicModule {
    return {
      module: SimulatorModule,
      controllers: [simulator.province === 'SC' ? SichuanCardCentreController : ChongqingCardCentreController],
      providers: [{ provide: CardCentreSimulator, useValue: simulator }, SimulatorLifecycle],
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
  return { app, simulator };
}
