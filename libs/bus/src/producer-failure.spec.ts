import { explainProducerFailure, KafkaBusError } from './kafka.bus';

describe('explainProducerFailure', () => {
  const broker = new Error('Broker 0 not found in the cached metadata');
  it('names KAFKA_IDEMPOTENT when an idempotent producer cannot get a producer id', () => {
    const e = explainProducerFailure(broker, true);
    expect(e).toBeInstanceOf(KafkaBusError);
    expect((e as KafkaBusError).message).toContain('set KAFKA_IDEMPOTENT=false');
    expect((e as KafkaBusError).message).toContain('Broker 0 not found in the cached metadata');
  });
  it('leaves other failures, and non-idempotent producers, as they are', () => {
    expect(explainProducerFailure(broker, false)).toBe(broker);
    const refused = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    expect(explainProducerFailure(refused, true)).toBe(refused);
  });
});
