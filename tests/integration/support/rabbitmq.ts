import amqp from 'amqplib';

export const RABBITMQ_URL = process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

/** True when RabbitMQ answers; outside CI a missing broker makes the tests say they skipped. */
export async function rabbitAvailable(label: string): Promise<boolean> {
  try {
    const connection = await amqp.connect(RABBITMQ_URL);
    await connection.close();
    return true;
  } catch (error) {
    if (process.env['CI']) throw error;
    console.warn(`SKIPPED ${label}: RabbitMQ is not reachable at ${RABBITMQ_URL} (${String(error)})`);
    return false;
  }
}

/** Deletes the queues a test created (quorum queues are durable and would outlive it). */
export async function deleteQueues(names: readonly string[]): Promise<void> {
  const connection = await amqp.connect(RABBITMQ_URL);
  const channel = await connection.createChannel();
  for (const name of names) await channel.deleteQueue(name).catch(() => undefined);
  await connection.close();
}
