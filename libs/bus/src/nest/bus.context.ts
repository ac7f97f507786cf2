import { BaseRpcContext } from '@nestjs/microservices';

/** What an @EventPattern handler can ask about the message it got (`@Ctx() ctx: BusContext`). */
export class BusContext extends BaseRpcContext<[topic: string, group: string]> {
  getTopic(): string {
    return this.args[0];
  }
  getGroup(): string {
    return this.args[1];
  }
}
