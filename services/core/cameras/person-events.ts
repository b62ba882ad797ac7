import mqtt, { type MqttClient } from 'mqtt';
import type { AppDeps } from '../app.js';
import { readSetting } from '../settings/app.js';

export interface MqttConfig {
  host: string;
  port: number;
  user?: string;
  password?: string;
  topic: string;
}

export const MQTT_DEFAULT_TOPIC = '/merakimv/+/0';
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

export function readMqttConfig(d: AppDeps): MqttConfig | null {
  const host = readSetting<string>(d.db, d.secrets, 'cameras.mqtt.host');
  if (!host) return null;
  return {
    host,
    port: readSetting<number>(d.db, d.secrets, 'cameras.mqtt.port') ?? 1883,
    user: readSetting<string>(d.db, d.secrets, 'cameras.mqtt.user'),
    password: readSetting<string>(d.db, d.secrets, 'cameras.mqtt.password'),
    topic: readSetting<string>(d.db, d.secrets, 'cameras.mqtt.topic') ?? MQTT_DEFAULT_TOPIC,
  };
}

/**
 * The person count of an MV Sense message ({"ts":…, "counts":{"person":N}}), or null when the message
 * is something else (raw detections, light level, malformed JSON).
 */
export function personCount(payload: Buffer): number | null {
  try {
    const msg = JSON.parse(payload.toString('utf8')) as { counts?: { person?: unknown } };
    const n = msg?.counts?.person;
    return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * Subscribes to MV Sense-style person counts. A message whose count is higher than the previous one
 * on the same topic calls onRise once; equal or lower counts do nothing. Reconnects with exponential
 * backoff (1 s doubling to 60 s), reset on a successful connect.
 */
export function createPersonEvents(
  d: AppDeps,
  onRise: (topic: string, count: number, previous: number) => void,
) {
  let client: MqttClient | undefined;
  let backoff = BACKOFF_MIN_MS;
  const last = new Map<string, number>();
  const status = { configured: false, connected: false, reconnects: 0, lastMessageAt: null as number | null, lastError: null as string | null };

  function connect(): void {
    const cfg = readMqttConfig(d);
    status.configured = !!cfg;
    if (!cfg) return;
    backoff = BACKOFF_MIN_MS;
    const c = mqtt.connect({
      host: cfg.host,
      port: cfg.port,
      protocol: 'mqtt',
      username: cfg.user,
      password: cfg.password,
      reconnectPeriod: backoff,
      connectTimeout: 5000,
      clientId: `penny-cameras-${Math.random().toString(16).slice(2, 10)}`,
    });
    client = c;
    c.on('connect', () => {
      status.connected = true;
      status.lastError = null;
      backoff = BACKOFF_MIN_MS;
      c.options.reconnectPeriod = backoff;
      c.subscribe(cfg.topic, { qos: 0 }, (err) => {
        if (err) status.lastError = `subscribe ${cfg.topic}: ${err.message}`;
      });
      d.logger.info('mqtt connected', { port: cfg.port });
    });
    c.on('close', () => {
      if (status.connected) d.logger.warn('mqtt disconnected', { port: cfg.port });
      status.connected = false;
      // Counts seen before the outage are stale: a person present now should rise from zero again.
      last.clear();
    });
    c.on('reconnect', () => {
      status.reconnects++;
      backoff = Math.min(backoff * 2, BACKOFF_MAX_MS);
      c.options.reconnectPeriod = backoff;
    });
    c.on('error', (e) => {
      status.lastError = e.message;
    });
    c.on('message', (topic, payload) => {
      status.lastMessageAt = d.clock.now();
      const n = personCount(payload);
      if (n === null) return;
      const prev = last.get(topic) ?? 0;
      last.set(topic, n);
      if (n > prev) onRise(topic, n, prev);
    });
  }

  async function disconnect(): Promise<void> {
    const c = client;
    client = undefined;
    status.connected = false;
    last.clear();
    if (c) await c.endAsync(true);
  }

  return {
    start: connect,
    async restart() {
      await disconnect();
      connect();
    },
    stop: disconnect,
    status: () => ({ ...status }),
    backoffMs: () => backoff,
  };
}
