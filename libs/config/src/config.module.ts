import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { ConveyorConfig } from './conveyor-config';

export const CONVEYOR_CONFIG = Symbol('CONVEYOR_CONFIG');

/** Provides the validated config to every module of an app. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ConveyorConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: CONVEYOR_CONFIG, useValue: config }], exports: [CONVEYOR_CONFIG] };
  }
}
