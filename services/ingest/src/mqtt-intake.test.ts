import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IngestMetrics } from './metrics.ts';
import { MqttIntake } from './mqtt-intake.ts';

type Packet = { cmd: string; messageId?: number };
interface ClientInternals {
  connected: boolean;
  _sendPacket(packet: Packet, cb?: () => void): void;
  _writePacket(packet: Packet, cb?: () => void): void;
}

/** An intake whose broker is never reached (nothing listens on port 9); mqtt.js's socket writes are captured instead. */
function intakeWithCapturedWrites(ackMode: 'receipt' | 'checkpoint'): { intake: MqttIntake; client: ClientInternals; written: Packet[] } {
  const intake = new MqttIntake({
    config: { url: 'mqtt://127.0.0.1:9', clientId: 'unit', reconnectMinMs: 600_000, reconnectMaxMs: 600_000 },
    logger: pino({ level: 'silent' }),
    metrics: new IngestMetrics(),
    onMessage: () => undefined,
    ackMode,
  });
  const client = intake.client as unknown as ClientInternals;
  const written: Packet[] = [];
  client._writePacket = (packet, cb) => {
    written.push(packet);
    cb?.();
  };
  client.connected = true;
  return { intake, client, written };
}

describe('MqttIntake acknowledgements', () => {
  const opened: MqttIntake[] = [];
  afterEach(async () => {
    for (const intake of opened.splice(0)) await intake.close(100);
  });

  it('INGEST_ACK=checkpoint: PUBACKs are held (mqtt.js told they went) and released in order up to the mark', () => {
    const { intake, client, written } = intakeWithCapturedWrites('checkpoint');
    opened.push(intake);
    const done = vi.fn();
    for (const messageId of [1, 2, 3]) client._sendPacket({ cmd: 'puback', messageId }, done);
    expect(done).toHaveBeenCalledTimes(3); // mqtt.js goes on reading the socket
    expect(written).toEqual([]);
    expect(intake.heldAckCount).toBe(3);
    const mark = intake.markAcks();
    client._sendPacket({ cmd: 'puback', messageId: 4 });
    client._sendPacket({ cmd: 'pingreq' });
    expect(written.map((p) => p.cmd)).toEqual(['pingreq']); // other packets pass
    intake.releaseAcks(mark);
    expect(written.slice(1)).toEqual([{ cmd: 'puback', messageId: 1 }, { cmd: 'puback', messageId: 2 }, { cmd: 'puback', messageId: 3 }]);
    expect(intake.heldAckCount).toBe(1);
  });

  it('never sends a PUBACK held on a connection that dropped (the broker redelivers those messages)', () => {
    const { intake, client, written } = intakeWithCapturedWrites('checkpoint');
    opened.push(intake);
    client._sendPacket({ cmd: 'puback', messageId: 7 });
    const mark = intake.markAcks();
    intake.client.emit('close');
    client.connected = true;
    intake.releaseAcks(mark);
    expect(written).toEqual([]);
    expect(intake.heldAckCount).toBe(0);
  });

  it('INGEST_ACK=receipt: PUBACKs go at once', () => {
    const { intake, client, written } = intakeWithCapturedWrites('receipt');
    opened.push(intake);
    client._sendPacket({ cmd: 'puback', messageId: 1 });
    expect(written).toEqual([{ cmd: 'puback', messageId: 1 }]);
  });
});
