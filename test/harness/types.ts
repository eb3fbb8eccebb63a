export type ServiceKind = 'mosquitto' | 'influxdb' | 'victoriametrics';

export interface RunningService {
  readonly kind: ServiceKind;
  readonly mode: 'binary' | 'container';
  /** mqtt://127.0.0.1:port for Mosquitto; http://127.0.0.1:port for the HTTP services. */
  readonly url: string;
  readonly port: number;
  /** Scratch directory of this instance (config, data), removed on stop. */
  readonly dir: string;
  /** InfluxDB: the database (1.x) / bucket (2.x) created for the test. */
  readonly database?: string;
  /** InfluxDB 2.x only: org and an all-access token. */
  readonly org?: string;
  readonly token?: string;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Extra lines for mosquitto.conf; `{dir}` is replaced by the instance's scratch directory. */
  readonly configLines?: readonly string[];
  /** Files to write into the scratch directory before start (password file, ACL, certificates). */
  readonly files?: Readonly<Record<string, string>>;
  /** Default true; set false when configLines bring their own authentication. */
  readonly allowAnonymous?: boolean;
}
