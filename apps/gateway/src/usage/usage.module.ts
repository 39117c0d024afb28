import { Module } from '@nestjs/common';
import { DatabaseModule, USAGE_STORE } from '@conveyor/database';
import { AdmissionModule } from '../admission/admission.module';
import { UsageController } from './usage.controller';

@Module({
  imports: [DatabaseModule.forFeature([USAGE_STORE]), AdmissionModule],
  controllers: [UsageController],
})
export class UsageModule {}
